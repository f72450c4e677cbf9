"""A local CloudBase Auth v2 emulator: the real wire format, on 127.0.0.1, for tests and demos.

Start it from Python (:class:`Emulator`) or the command line
(``python -m cloudbase_auth_mw emulator --port 8787``). What it reproduces, and the seed-skill
variants it accepts besides the real paths, is listed in the package README section and in
each ``routes_*`` module docstring:

- ``/auth/v1/signin/anonymously`` (also ``/signin-anonymously``), ``/signin``, ``/signup``,
  ``/verification``, ``/verification/verify``, ``/token`` (refresh with rotation, password,
  client_credentials; also ``/token/clientCredential``), ``/token/introspect`` (Bearer; also
  ``?token=`` with or without Basic, and POST), ``/revoke`` (body and/or Bearer; revokes the
  whole session), ``/user/me`` (GET, DELETE ``?sudo_token=``), ``/user/sudo``,
  ``/user/password`` (PATCH with ``sudo_token`` in query or body, or the seed's
  ``old_password``), ``/user/provider`` (also ``/user/providers``), ``/user/provider/bind``,
  ``DELETE /user/provider/{id}``, ``/provider/token``, ``/signin/with/provider``,
  ``/user/signout``, ``DELETE /user/revoke/all``, ``/captcha/data``, ``/captcha/data/verify``
  and the JWKS at ``/auth/v1/certs``; ``/auth/v2/...`` answers 501 ``unimplemented``.
- Admin API under ``/_emulator/`` (see :mod:`cloudbase_auth_mw.emulator.admin`).
"""

from __future__ import annotations

from .emulator import Emulator
from .errors import ApiFailure
from .faults import Counters, Faults
from .issuer import ANONYMOUS_SCOPE, USER_SCOPE, default_issuer, gateway_issuer
from .jose import SigningKey, sign_jwt, verify_jwt
from .state import EmulatedUser, Settings

__all__ = [
    "ANONYMOUS_SCOPE",
    "USER_SCOPE",
    "ApiFailure",
    "Counters",
    "EmulatedUser",
    "Emulator",
    "Faults",
    "Settings",
    "SigningKey",
    "default_issuer",
    "gateway_issuer",
    "sign_jwt",
    "verify_jwt",
]
