"""Core and the guard never import a web framework, requests or httpx."""

from __future__ import annotations

import subprocess
import sys

BLOCKED = ["flask", "django", "starlette", "fastapi", "requests", "httpx", "werkzeug"]


def test_core_and_guard_import_without_frameworks() -> None:
    code = (
        "import sys\n"
        f"for name in {BLOCKED!r}: sys.modules[name] = None\n"
        "import cloudbase_auth_mw, cloudbase_auth_mw.guard\n"
        "import cloudbase_auth_mw.core.authenticator, cloudbase_auth_mw.core.keyset\n"
        "import cloudbase_auth_mw.core.profile, cloudbase_auth_mw.core.rendering\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
