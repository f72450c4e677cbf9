"""``python -m cloudbase_auth_mw emulator``: run the emulator until Ctrl-C or SIGTERM.

Users come from ``--user name:password`` (repeatable) and/or ``--users-file`` (a JSON list of
objects with ``username``, ``password``, ``email``, ``phone_number``, ``name``, ``groups``,
``sub``, ``status``; or ``{"users": [...]}``). The base URL is printed on start (the first
line of stdout, flushed), then the control endpoint and the verification code.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from .emulator import Emulator

USER_FIELDS = ("username", "password", "email", "phone_number", "name", "sub", "status")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cloudbase-auth emulator",
        description="Run a local CloudBase Auth v2 emulator "
        "(API under /auth/v1, admin under /_emulator).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8787, help="port, 0 for a free one (default 8787)"
    )
    parser.add_argument("--env-id", default="test-env", help="environment id (default test-env)")
    parser.add_argument(
        "--issuer",
        default=None,
        help="token iss: a URL, 'cloud_api' (default, http://{env}.ap-shanghai.tcb-api."
        "tencentcloudapi.com) or 'gateway' (https://{env}.api.tcloudbasegateway.com)",
    )
    parser.add_argument("--token-lifetime", type=int, default=7200, help="access token seconds")
    parser.add_argument("--refresh-lifetime", type=int, default=31 * 86400, help="refresh seconds")
    parser.add_argument(
        "--verification-code", default="123456", help="the code every SMS/e-mail carries"
    )
    parser.add_argument(
        "--user", action="append", default=[], metavar="NAME:PASSWORD", help="add a user"
    )
    parser.add_argument("--users-file", type=Path, help="JSON file of users to add")
    parser.add_argument("--no-anonymous", action="store_true", help="disable anonymous sign-in")
    parser.add_argument("--api-path", default="/auth", help="API path prefix (default /auth)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    return parser


def load_users_file(path: Path) -> list[dict[str, Any]]:
    """The user objects of a ``--users-file``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    users = data.get("users") if isinstance(data, dict) else data
    if not isinstance(users, list) or not all(isinstance(u, dict) for u in users):
        raise ValueError(f"{path}: expected a JSON list of user objects (or {{'users': [...]}})")
    return users


def seed_users(emu: Emulator, flags: Sequence[str], records: Sequence[dict[str, Any]]) -> None:
    for flag in flags:
        name, sep, password = flag.partition(":")
        if not sep or not name or not password:
            raise ValueError(f"--user {name!r}: expected NAME:PASSWORD")
        emu.add_user(username=name, password=password)
    for record in records:
        kwargs: dict[str, Any] = {k: record[k] for k in USER_FIELDS if record.get(k) is not None}
        if "groups" in record:
            kwargs["groups"] = tuple(record["groups"])
        emu.add_user(**kwargs)


def main(argv: Sequence[str]) -> int:
    """Run the emulator in the foreground; returns the exit code."""
    args = build_parser().parse_args(list(argv))
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(message)s",
        stream=sys.stderr,
    )
    emu = Emulator(
        env_id=args.env_id,
        issuer=args.issuer,
        token_lifetime=args.token_lifetime,
        refresh_lifetime=args.refresh_lifetime,
        verification_code=args.verification_code,
        anonymous_enabled=not args.no_anonymous,
        api_path=args.api_path,
    )
    try:
        seed_users(emu, args.user, load_users_file(args.users_file) if args.users_file else [])
        emu.start(port=args.port, host=args.host)
    except (OSError, ValueError) as exc:
        print(f"emulator: {exc}", file=sys.stderr)
        return 1
    return serve(emu)


def serve(emu: Emulator) -> int:
    """Print where the emulator listens, then wait for SIGINT/SIGTERM and stop cleanly."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    print(emu.base_url, flush=True)
    print(
        f"CloudBase Auth v2 emulator for env {emu.env_id!r}: API {emu.api_base}/v1, "
        f"admin {emu.base_url}/_emulator, verification code {emu.settings.verification_code}, "
        f"{len(emu.users)} user(s). Ctrl-C to stop.",
        file=sys.stderr,
        flush=True,
    )
    try:
        while not stop.wait(0.2):
            pass
    finally:
        emu.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("emulator stopped", file=sys.stderr, flush=True)
    return 0
