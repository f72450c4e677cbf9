"""``python -m sample_apps.flask_app [--emulator]``: serve the sample app on 127.0.0.1:$PORT.

With ``--emulator`` a local CloudBase Auth v2 emulator starts in the same process with two users
(``alice``: groups ``user`` and ``admin``; ``bob``: group ``user``; password ``Passw0rd!``) and
the ``CLOUDBASE_AUTH_*`` variables point at it. Without it the app reads whatever
``CLOUDBASE_AUTH_*`` variables are set. Serves with Flask's threaded development server; use
gunicorn in production (see README.md).
"""

from __future__ import annotations

import argparse
import os
import sys

from sample_apps.emulated import start_emulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_apps.flask_app")
    parser.add_argument("--emulator", action="store_true", help="start a local emulator too")
    args = parser.parse_args(argv)
    if args.emulator:
        start_emulator()
    from .app import app  # after the settings are in place: the extension reads them once

    port = int(os.environ.get("PORT", "5000"))
    print(f"app       http://127.0.0.1:{port}/public  /private  /admin  /profile", flush=True)
    app.run(host="127.0.0.1", port=port, threaded=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
