"""Old Word and WPS documents (.doc, .wps): LibreOffice headless converts them to .docx.

Each run gets its own LibreOffice profile (two runs sharing one fail) and its own
temporary folder; the conversion runs in its own process group, killed whole when it
passes the timeout (``AUDITOR_CONVERT_TIMEOUT`` seconds, default 60). The input must
already be known to be a Word binary (``sniff_format`` checks the OLE streams):
LibreOffice "converts" junk as plain text and exits 0.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from auditor.errors import DocumentLoadError

DEFAULT_TIMEOUT = 60.0
INSTALL_HINT = (
    "读取旧版Word/WPS文件（.doc、.wps）需要LibreOffice，本机未安装：请运行 "
    "sudo apt-get install libreoffice-writer-nogui（或 bash scripts/setup.sh），"
    "也可在Word/WPS中另存为.docx后重试"
)


def convert_timeout() -> float:
    raw = os.environ.get("AUDITOR_CONVERT_TIMEOUT", "")
    try:
        return float(raw) if raw else DEFAULT_TIMEOUT
    except ValueError:
        return DEFAULT_TIMEOUT


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_docx(data: bytes, suffix: str = ".doc", timeout: float | None = None) -> bytes:
    """The .docx LibreOffice makes of an old Word/WPS document's bytes."""
    soffice = soffice_path()
    if soffice is None:
        raise DocumentLoadError(INSTALL_HINT)
    limit = convert_timeout() if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="auditor_lo_") as tmp:
        folder = Path(tmp)
        source = folder / f"input{suffix}"
        source.write_bytes(data)
        command = [
            soffice,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--convert-to",
            "docx:MS Word 2007 XML",
            "--outdir",
            str(folder / "out"),
            str(source),
        ]
        _run(command, limit)
        target = folder / "out" / "input.docx"
        if not target.is_file():
            raise DocumentLoadError(
                "旧版Word文件转换失败（LibreOffice未生成.docx），文件可能已损坏：请在Word或WPS中另存为.docx后重试"
            )
        return target.read_bytes()


def _run(command: list[str], timeout: float) -> None:
    """Run the conversion in a process group of its own; on timeout kill the whole group."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise DocumentLoadError(
            f"转换超时：LibreOffice在{timeout:g}秒内未能转换此文件，已终止；请在Word或WPS中另存为.docx后重试"
        ) from None
    if process.returncode != 0:
        raise DocumentLoadError(
            f"旧版Word文件转换失败（LibreOffice退出码 {process.returncode}），文件可能已损坏：请在Word或WPS中另存为.docx后重试"
        )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
