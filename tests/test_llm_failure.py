"""A dead or refusing LLM endpoint: the review stops asking after a few failures, says so
in one Chinese line, marks the check as failed (never "0 contradictions"), and --strict
turns that into exit 1."""

from __future__ import annotations

import json
import os
import resource
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_llm import Answer, FakeLLM, Reply

from auditor.ingest import walk
from auditor.narrative.client import Breaker, connect_failure
from auditor.pipeline import review
from auditor.render.view import llm_text
from auditor.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SAMPLE = SAMPLES / "003_6b24eafbc02acca8.txt"


def dead_port() -> int:
    """A port on 127.0.0.1 with nothing listening (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def llm_env(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "AUDITOR_LLM_BASE_URL": url,
        "AUDITOR_LLM_MODEL": "fake-model",
        "AUDITOR_LLM_API_KEY": "sk-test",
        "AUDITOR_CACHE_DIR": str(tmp_path / "cache"),
    }


def settings_for(url: str, tmp_path: Path) -> Settings:
    return Settings(
        llm_base_url=url,
        llm_model="fake-model",
        llm_api_key="sk-test",  # type: ignore[arg-type]
        cache_dir=str(tmp_path / "cache"),
    )


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    server = FakeLLM().start()
    yield server
    server.stop()


def test_a_refused_endpoint_fails_fast_quietly_and_honestly(tmp_path: Path) -> None:
    env = {**os.environ, **llm_env(f"http://127.0.0.1:{dead_port()}/v1", tmp_path)}
    # the samples as .txt, .docx and .pdf (75 forms): the .doc renditions cost a LibreOffice
    # run each, with or without an LLM, which is not what this measures
    folder = tmp_path / "samples"
    folder.mkdir()
    for path in SAMPLES.iterdir():
        if path.suffix in (".txt", ".docx", ".pdf"):
            (folder / path.name).write_bytes(path.read_bytes())
    command = [sys.executable, "-m", "auditor.cli", "review", str(folder), "--format", "json"]
    start, cpu_start = time.monotonic(), _children_cpu()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)
    elapsed, cpu = time.monotonic() - start, _children_cpu() - cpu_start

    assert done.returncode == 0, done.stderr
    # A dead endpoint adds no waiting and no retries: against the same review without an
    # LLM, only the CPU it costs to load the LLM libraries (a retry with back-off would add
    # seconds of wall time with no CPU). Compared with a run of the same files just after,
    # so that the machine's speed of the day does not decide (3.3 s in all on a quiet day).
    base_start, base_cpu = time.monotonic(), _children_cpu()
    subprocess.run([*command, "--no-llm"], env=env, capture_output=True, timeout=60, check=False)
    base_elapsed, base_cpu = time.monotonic() - base_start, _children_cpu() - base_cpu
    assert cpu - base_cpu < 3, f"{cpu:.1f} s CPU against {base_cpu:.1f} s without the LLM"
    assert elapsed - base_elapsed < 3 + max(0.0, cpu - base_cpu), f"{elapsed:.1f} s against {base_elapsed:.1f} s"
    about_llm = [line for line in done.stderr.splitlines() if "大模型" in line or "LLM" in line or "API" in line]
    assert 1 <= len(about_llm) <= 3, done.stderr
    assert "连接被拒绝" in done.stderr and "AUDITOR_LLM_BASE_URL" in done.stderr
    assert "Traceback" not in done.stderr and "Connection error" not in done.stderr
    llm = json.loads(done.stdout)["llm"]
    assert llm["failed"] is True
    assert "连接被拒绝" in llm["failure"]
    assert "发现 0 处矛盾" not in llm["note"] and "未完成" in llm["note"]
    assert llm["requests"] <= Breaker().threshold + Settings().llm_max_concurrency

    strict = subprocess.run(
        [*command, "--strict", "--money-tol", "1000", "--rate-tol", "1000", "--score-tol", "1000"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert strict.returncode == 1


def test_library_logs_show_only_with_verbose(tmp_path: Path) -> None:
    env = {**os.environ, **llm_env(f"http://127.0.0.1:{dead_port()}/v1", tmp_path)}
    base = [sys.executable, "-m", "auditor.cli"]
    args = ["review", str(SAMPLE), "--format", "json"]
    quiet = subprocess.run([*base, *args], env=env, capture_output=True, text=True, timeout=60, check=False)
    loud = subprocess.run([*base, *args, "-v"], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert "Connection error" not in quiet.stderr
    assert "Connection error" in loud.stderr


@pytest.mark.parametrize(
    ("status", "words"),
    [(401, "AUDITOR_LLM_API_KEY"), (403, "HTTP 403"), (404, "AUDITOR_LLM_MODEL")],
)
def test_an_endpoint_that_refuses_the_key_or_model_stops_after_a_few_requests(
    fake: FakeLLM, tmp_path: Path, status: int, words: str
) -> None:
    fake.default = Reply(status=status, body={"error": {"message": "no"}})
    result = review(sorted(SAMPLES.glob("*.txt")), settings_for(fake.url, tmp_path))
    assert len(fake.requests) <= Breaker().threshold + Settings().llm_max_concurrency
    assert result.llm.failed and words in (result.llm.failure or "")
    assert llm_text(result.llm) == result.llm.note and "未完成" in result.llm.note
    assert not [f for f in result.findings if f.source == "llm"]


def test_a_healthy_endpoint_is_not_failed(fake: FakeLLM, tmp_path: Path) -> None:
    fake.default = Reply(Answer({"contradictions": []}))
    result = review(walk([str(SAMPLE)]), settings_for(fake.url, tmp_path))
    assert not result.llm.failed and result.llm.failure is None
    assert result.llm.requests == len(fake.requests) > 0


def test_one_refusal_between_answers_does_not_open_the_breaker() -> None:
    breaker = Breaker(threshold=3)
    for _ in range(5):
        breaker.failed("x")
        breaker.failed("x")
        breaker.succeeded()
    breaker.check()  # still closed
    breaker.failed("y")
    breaker.failed("y")
    breaker.failed("y")
    assert breaker.reason == "y"


class ConnectError(Exception):
    """Named as httpx names the error of a connection that could not be made."""


class ReadError(Exception):
    """Named as httpx names a connection lost after it was made."""


def _wrapped(cause: BaseException) -> Exception:
    try:
        raise RuntimeError("Connection error.") from cause
    except RuntimeError as exc:
        return exc


@pytest.mark.parametrize(
    ("cause", "why"),
    [
        (ConnectError("[Errno 111] Connection refused"), "连接被拒绝"),
        (ConnectError("[Errno -2] Name or service not known"), "找不到该主机名"),
        (ConnectError("[Errno -3] Temporary failure in name resolution"), "找不到该主机名"),
        (ssl.SSLCertVerificationError("certificate verify failed"), "TLS 握手失败"),
        (ConnectError("[SSL: WRONG_VERSION_NUMBER] wrong version number"), "TLS 握手失败"),
        (ReadError("connection reset by peer"), None),  # made, then lost: worth a retry
    ],
)
def test_connection_failures_are_told_apart(cause: BaseException, why: str | None) -> None:
    assert connect_failure(_wrapped(cause)) == why
