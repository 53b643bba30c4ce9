"""The installed package, as a new user gets it: build the wheel, install it into a fresh
virtual environment outside the repository and run ``auditor`` from another folder.

Offline and fast: the wheel is built without build isolation (setuptools from the test
extras), and the fresh environment sees the dependencies of the repository's own
environment through a ``.pth`` line instead of downloading them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_llm import Answer, FakeLLM, Reply
from pageserver import serving

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "003_6b24eafbc02acca8.txt"
QUOTES = ["执行率 100%", "（一）存在的问题无"]
ANSWER = Answer(
    {
        "contradictions": [
            {"kind": "报告与表格", "quotes": QUOTES, "explanation": "报告称存在问题，但表格显示执行率100%"}
        ]
    }
)


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv outside the repository with only the built wheel of auditor in it."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "auditor", src / "auditor", ignore=shutil.ignore_patterns("__pycache__"))
    dist = work / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(dist), str(src)], work)
    wheels = list(dist.glob("auditor-*.whl"))
    assert len(wheels) == 1

    venv = work / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], work)
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], work).strip())
    (site / "_repo_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheels[0])], work)
    return venv


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    server = FakeLLM(default=Reply(ANSWER)).start()
    yield server
    server.stop()


def test_the_installed_package_is_the_wheel_not_the_repository(installed: Path, tmp_path: Path) -> None:
    code = "import auditor.narrative.prompts as p; print(p.__file__); print(p.load_prompt('contradiction').version)"
    out = _run([str(installed / "bin" / "python"), "-c", code], tmp_path).splitlines()
    assert Path(out[0]).is_relative_to(installed)
    assert out[1] == "contradiction.v1"
    app = _run([str(installed / "bin" / "python"), "-c", "from auditor.webapp.launch import app_path; print(app_path())"], tmp_path)
    assert Path(app.strip()).is_file() and Path(app.strip()).is_relative_to(installed)


def test_the_installed_auditor_runs_the_narrative_check(
    installed: Path, tmp_path: Path, fake: FakeLLM
) -> None:
    shutil.copy(SAMPLE, tmp_path / SAMPLE.name)
    env = {
        **os.environ,
        "AUDITOR_LLM_BASE_URL": fake.url,
        "AUDITOR_LLM_MODEL": "fake-model",
        "AUDITOR_LLM_API_KEY": "sk-test",
        "AUDITOR_CACHE_DIR": str(tmp_path / "cache"),
    }
    out = _run([str(installed / "bin" / "auditor"), "review", SAMPLE.name, "--format", "json"], tmp_path, env)
    result = json.loads(out)
    llm = result["llm"]
    assert llm["enabled"] is True and not llm.get("failed"), llm
    assert llm["requests"] == len(fake.requests) > 0
    assert "contradiction.v1" in llm["prompt_version"]
    found = [f for f in result["findings"] if f["rule"] == "narrative.contradiction"]
    assert found and found[0]["evidence"] == QUOTES


def test_the_installed_auditor_page_serves_the_page(installed: Path, tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path)}

    def command(port: int) -> list[str]:
        return [str(installed / "bin" / "auditor"), "page", "--port", str(port)]

    with serving(command, tmp_path, env, timeout=60) as url, urllib.request.urlopen(f"{url}/", timeout=5) as reply:
        assert reply.status == 200
