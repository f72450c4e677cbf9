"""``--emulator`` for every sample app: a local Auth v2 emulator in the app's own process.

It listens on a free loopback port, knows ``alice`` (groups ``user`` and ``admin``) and ``bob``
(group ``user``), both with password ``Passw0rd!``, and the ``CLOUDBASE_AUTH_*`` variables are
pointed at it, so the app reads it like any CloudBase environment.
"""

from __future__ import annotations

import os

from cloudbase_auth_mw.emulator import Emulator

PASSWORD = "Passw0rd!"
USERS = {"alice": ("user", "admin"), "bob": ("user",)}


def start_emulator() -> Emulator:
    """Start the emulator, seed the users, set ``CLOUDBASE_AUTH_*``, print how to sign in."""
    emulator = Emulator(env_id=os.environ.get("CLOUDBASE_AUTH_ENV_ID", "test-env")).start()
    for name, groups in USERS.items():
        emulator.add_user(username=name, password=PASSWORD, name=name.title(), groups=groups)
    os.environ["CLOUDBASE_AUTH_ENV_ID"] = emulator.env_id
    os.environ["CLOUDBASE_AUTH_BASE_URL"] = emulator.base_url
    print(f"emulator: {emulator.base_url} (env {emulator.env_id}); users alice, bob / {PASSWORD}")
    print(
        "token:    python -m cloudbase_auth_mw signin --username alice "
        f"--password {PASSWORD} --base-url {emulator.base_url} --env-id {emulator.env_id}"
    )
    return emulator
