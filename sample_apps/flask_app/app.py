"""A Flask app whose users are CloudBase Auth v2 users.

Configuration comes from ``CLOUDBASE_AUTH_*`` environment variables only, copied into
``app.config`` where the extension reads them once (at least ``CLOUDBASE_AUTH_ENV_ID``;
``CLOUDBASE_AUTH_BASE_URL`` for the emulator or any Auth v2-compatible server;
``CLOUDBASE_AUTH_VERIFY_MODE`` ``jwks``, ``introspect`` or ``jwks+introspect``), so the same code
serves against the emulator or a real environment. Serve it with::

    gunicorn --bind 127.0.0.1:$PORT sample_apps.flask_app.app:app

Routes (JSON): ``/public`` (anyone), ``/private`` (signed in), ``/admin`` (group ``admin``),
``/profile`` (signed in; the ``/user/me`` profile, fetched once per user and cached).
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from cloudbase_auth_mw.contrib.flask import CloudBaseAuth, current_user
from cloudbase_auth_mw.guard import CloudBaseUser, UnauthenticatedUser

app = Flask(__name__)
app.config.update({k: v for k, v in os.environ.items() if k.startswith("CLOUDBASE_AUTH_")})
auth = CloudBaseAuth(app)  # reads the settings now: a bad one stops the start-up, named


def describe(user: CloudBaseUser | UnauthenticatedUser) -> dict[str, Any]:
    return {"user": user.sub, "anonymous": user.is_anonymous, "groups": list(user.groups)}


@app.get("/public")
def public() -> dict[str, Any]:
    """Anyone; says who is calling when a valid token is sent (a bad one is refused: 401)."""
    return {"user": current_user.sub, "message": "Hello, world."}


@app.get("/private")
@auth.login_required
def private() -> dict[str, Any]:
    """Signed-in users (CloudBase anonymous ones too unless CLOUDBASE_AUTH_ALLOW_ANONYMOUS=0)."""
    return describe(current_user)


@app.get("/admin")
@auth.require_groups("admin")
def admin() -> dict[str, Any]:
    """Members of the ``admin`` group only."""
    return describe(current_user)


@app.get("/profile")
@auth.login_required
def profile() -> dict[str, Any]:
    """The caller's CloudBase profile (``GET /auth/v1/user/me``, cached per user)."""
    me = current_user.profile
    return {
        "user": current_user.sub,
        "name": me.name,
        "username": me.username,
        "email": me.email,
        "groups": list(me.groups),
        "status": me.status,
    }
