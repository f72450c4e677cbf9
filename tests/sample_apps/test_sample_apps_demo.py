"""``make demo`` (``python -m sample_apps.demo``): real emulator and app servers on loopback.

The whole demo runs end to end as ``make demo`` runs it; the failure paths (an app that cannot
start, Ctrl-C / SIGTERM) run ``main`` in-process with a stand-in app that is a real process.
"""

from __future__ import annotations

import importlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the repository: sample_apps/ is not installed
APP_TITLES = {
    "flask": "Flask sample app (",
    "django": "Django sample app (",
    "starlette": "FastAPI/Starlette sample app (",
}
#: Rows every framework's table must show (cells joined by "|", padding removed).
KEY_ROWS = (
    "no token|GET /private|401 Bearer challenge|401 Bearer challenge|PASS",
    "anonymous|GET /private|200 anonymous|200 anonymous|PASS",
    "anonymous|GET /admin|403 insufficient_scope|403 insufficient_scope|PASS",
    "password|GET /profile|200 name=Alice Liddell|200 name=Alice Liddell|PASS",
    "password|GET /admin|403 insufficient_scope|403 insufficient_scope|PASS",
    "admin group|GET /admin|200 root|200 root|PASS",
    "refresh|reuse old refresh token|InvalidGrant|InvalidGrant|PASS",
    "revoke|GET /private|401 invalid_token|401 invalid_token|PASS",
)


@pytest.fixture
def demo(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """``sample_apps.demo``, imported from the repository (pytest may not have it on the path)."""
    monkeypatch.syspath_prepend(str(ROOT))
    return importlib.import_module("sample_apps.demo")


def tables(out: str) -> dict[str, list[str]]:
    """Each printed table's rows (cells joined by ``|``), keyed by its title line."""
    found: dict[str, list[str]] = {}
    for block in out.split("\n\n"):
        title, *lines = block.strip().splitlines() or [""]
        found[title] = [re.sub(r"\s*\|\s*", "|", line.strip()) for line in lines]
    return found


def table(out: str, title_prefix: str) -> list[str]:
    """The rows of the one table whose title starts with ``title_prefix``."""
    [rows] = [rows for title, rows in tables(out).items() if title.startswith(title_prefix)]
    return rows


def ports_in(out: str) -> set[int]:
    return {int(port) for port in re.findall(r"http://127\.0\.0\.1:(\d+)", out)}


def assert_closed(ports: set[int]) -> None:
    """Nothing listens on ``ports`` any more: every server the demo started is gone."""
    assert ports
    for port in ports:
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still answers"


def test_make_demo_walks_every_framework_green() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDBASE_AUTH_")}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "sample_apps.demo"],
        cwd=ROOT,
        env={**env, "PYTHONUNBUFFERED": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert time.monotonic() - started < 60
    assert "FAIL" not in out
    assert "Client scenarios" in out
    assert "CLOUDBASE_AUTH_VERIFY_MODE=introspect" in out  # the table says why
    for app, title in APP_TITLES.items():
        rows = table(out, title)
        assert rows[-1] == "19/19 steps passed", rows
        assert rows[2].startswith("start|serve on :")
        assert rows[2].endswith("|ready|ready|PASS")
        for key_row in KEY_ROWS:
            assert key_row in rows, (app, key_row)
    assert re.search(
        r"^Summary: client (\d+)/\1, flask 19/19, django 19/19, starlette 19/19 "
        r"in [\d.]+ s: all passed$",
        out,
        re.MULTILINE,
    ), out
    assert_closed(ports_in(out))


def stand_in(demo: ModuleType, key: str, code: str) -> Any:
    """An "app" that is a real process running ``code`` (``{port}``/``{workdir}`` filled in)."""
    return demo.AppSpec(
        key,
        key.capitalize(),
        "python -c",
        lambda port, workdir: [sys.executable, "-c", code.format(port=port, workdir=workdir)],
    )


@pytest.mark.parametrize("keep_going", [False, True])
def test_an_app_that_cannot_start_shows_its_output(
    keep_going: bool,
    demo: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken = stand_in(
        demo, "broken", "import sys; sys.exit('broken: CLOUDBASE_AUTH_ENV_ID missing')"
    )
    monkeypatch.setattr(demo, "APPS", {"broken": broken, "starlette": demo.APPS["starlette"]})
    argv = ["--only", "broken", "--only", "starlette"] + ["--keep-going"] * keep_going

    assert demo.main(argv) == 1

    out = capsys.readouterr().out
    start = table(out, "Broken sample app (")[2]
    assert start.endswith("|ready|exited with code 1|FAIL"), start
    assert "broken: CLOUDBASE_AUTH_ENV_ID missing" in out  # its output tail
    if keep_going:
        assert table(out, APP_TITLES["starlette"])[-1] == "19/19 steps passed"
        assert re.search(r"starlette 19/19 in [\d.]+ s: FAILED: broken$", out, re.MULTILINE)
    else:
        assert "FastAPI/Starlette sample app (" not in out
        assert "starlette skipped" in out
        assert "FAILED: broken; not walked: starlette (--keep-going walks them)" in out
    assert_closed(ports_in(out))


# A signal lands wherever the main thread is, possibly inside a request that then leaves its
# socket to the garbage collector; what this test asserts is that no *process* is left behind.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupt_stops_every_process(
    signum: int,
    code: int,
    demo: ModuleType,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    marker = tmp_path / "pid"
    # Never answers: the demo waits for it until the signal comes.
    hang = stand_in(
        demo,
        "hang",
        f"import os, time; open({str(marker)!r}, 'w').write(str(os.getpid())); time.sleep(60)",
    )
    monkeypatch.setattr(demo, "APPS", {"hang": hang})
    monkeypatch.setattr(demo, "START_TIMEOUT", 60.0)  # the signal ends the wait long before

    def interrupt_when_started() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if marker.exists() and marker.read_text():
                os.kill(os.getpid(), signum)
                return
            time.sleep(0.05)

    thread = threading.Thread(target=interrupt_when_started)
    thread.start()
    try:
        assert demo.main(["--only", "hang"]) == code
    finally:
        thread.join()

    captured = capsys.readouterr()
    assert f"{signal.Signals(signum).name}: every process the demo started is stopped" in (
        captured.err
    )
    with pytest.raises(ProcessLookupError):
        os.kill(int(marker.read_text()), 0)
    assert_closed(ports_in(captured.out))
    assert signal.getsignal(signal.SIGTERM) != demo.INTERRUPTS.handle  # handlers restored
