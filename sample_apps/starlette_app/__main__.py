"""``python -m sample_apps.starlette_app [--emulator]``: serve the sample app with uvicorn.

With ``--emulator`` a local CloudBase Auth v2 emulator starts in the same process, with users
``alice`` (groups ``user``, ``admin``) and ``bob`` (group ``user``), password ``Passw0rd!``, and
the ``CLOUDBASE_AUTH_*`` variables are pointed at it. Without it the app reads whatever
``CLOUDBASE_AUTH_*`` variables are set (a real environment, or an emulator started elsewhere).
The port is ``$PORT`` (default 8000); the host ``$HOST`` (default 127.0.0.1).
"""

from __future__ import annotations

import argparse
import os
import sys

import uvicorn

from cloudbase_auth_mw.emulator import Emulator

PASSWORD = "Passw0rd!"


def start_emulator() -> Emulator:
    """An emulator on a free loopback port with two demo users; sets CLOUDBASE_AUTH_*."""
    emulator = Emulator(env_id=os.environ.get("CLOUDBASE_AUTH_ENV_ID", "test-env")).start()
    emulator.add_user(username="alice", password=PASSWORD, name="Alice", groups=("user", "admin"))
    emulator.add_user(username="bob", password=PASSWORD, name="Bob", groups=("user",))
    os.environ["CLOUDBASE_AUTH_ENV_ID"] = emulator.env_id
    os.environ["CLOUDBASE_AUTH_BASE_URL"] = emulator.base_url
    return emulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_apps.starlette_app")
    parser.add_argument("--emulator", action="store_true", help="start a local emulator too")
    args = parser.parse_args(argv)
    host, port = os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "8000"))
    if args.emulator:
        emulator = start_emulator()
        print(
            f"emulator: {emulator.base_url} (env {emulator.env_id}); users alice, bob / {PASSWORD}"
        )
        print(
            "token:    python -m cloudbase_auth_mw signin --username alice "
            f"--password {PASSWORD} --base-url {emulator.base_url} --env-id {emulator.env_id}"
        )
    print(f"app:      http://{host}:{port}/public  /private  /admin  /profile  /docs", flush=True)
    uvicorn.run("sample_apps.starlette_app.app:app", host=host, port=port, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
