"""``python -m cloudbase_auth_mw`` / ``cloudbase-auth``: emulator, demo and admin commands.

Subcommands are loaded lazily so that ``emulator`` needs no client extras and vice versa.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

USAGE = """usage: cloudbase-auth COMMAND [options]

commands:
  emulator           run the local Auth v2 emulator (see: emulator --help)
  demo               run the client scenarios against an emulator and print a table
  signin             sign in with a user name and password, print the token response
  signin-anonymous   sign in anonymously, print the token response
  refresh            exchange a refresh token, print the token response
  introspect         introspect an access token
  revoke             revoke an access token
  me                 print the user's profile (GET /auth/v1/user/me)
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to a subcommand; returns the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "emulator":
        from .emulator.cli import main as emulator_main

        return emulator_main(rest)
    if command == "demo":
        from .demo import main as demo_main

        return demo_main(rest)
    from .cli import COMMANDS
    from .cli import main as admin_main

    if command in COMMANDS:
        return admin_main([command, *rest])
    print(f"unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
