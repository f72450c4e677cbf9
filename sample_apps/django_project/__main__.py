"""``python -m sample_apps.django_project [--emulator] [--asgi]``: migrate, then serve.

Migrates the SQLite database (``$DJANGO_DB_PATH``, default ``db.sqlite3`` beside the settings),
then serves the project on ``$HOST:$PORT`` (default ``127.0.0.1:8000``) with gunicorn (WSGI), or
uvicorn with ``--asgi``. With ``--emulator`` a local CloudBase Auth v2 emulator starts in this
process, with users ``alice`` (groups ``user``, ``admin``) and ``bob`` (group ``user``),
password ``Passw0rd!``, and the ``CLOUDBASE_AUTH_*`` variables are pointed at it.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys

SETTINGS = "sample_apps.django_project.settings"


def migrate() -> None:
    """``manage.py migrate`` (the users table the backend fills); checks the settings too."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def server_argv(host: str, port: str, asgi: bool) -> list[str]:
    if asgi:
        target = "sample_apps.django_project.asgi:application"
        return [sys.executable, "-m", "uvicorn", "--host", host, "--port", port, target]
    target = "sample_apps.django_project.wsgi:application"
    return [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"{host}:{port}", target]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_apps.django_project")
    parser.add_argument("--emulator", action="store_true", help="start a local emulator too")
    parser.add_argument("--asgi", action="store_true", help="serve with uvicorn (ASGI)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")
    if args.emulator:
        from sample_apps.emulated import start_emulator

        start_emulator()
    migrate()
    print(f"app:      http://{host}:{port}/public  /private  /admin  /profile", flush=True)
    server = subprocess.Popen(server_argv(host, port, args.asgi))

    def forward(signum: int, frame: object) -> None:
        server.send_signal(signum)  # the server shuts down gracefully; we wait for it

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, forward)
    return server.wait()


if __name__ == "__main__":
    sys.exit(main())
