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

from sample_apps.emulated import start_emulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_apps.starlette_app")
    parser.add_argument("--emulator", action="store_true", help="start a local emulator too")
    args = parser.parse_args(argv)
    host, port = os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "8000"))
    if args.emulator:
        start_emulator()
    print(f"app:      http://{host}:{port}/public  /private  /admin  /profile  /docs", flush=True)
    uvicorn.run("sample_apps.starlette_app.app:app", host=host, port=port, log_level="info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
