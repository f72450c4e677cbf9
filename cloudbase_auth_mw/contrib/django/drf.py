"""Django REST framework authentication: ``CloudBaseAuthentication``.

::

    REST_FRAMEWORK = {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "cloudbase_auth_mw.contrib.django.drf.CloudBaseAuthentication",
        ],
    }

``request.user`` is the Django user mapped by the authentication backends, ``request.auth`` the
:class:`~cloudbase_auth_mw.guard.CloudBaseUser`. A bad token is a 401 whose body and
``WWW-Authenticate`` are the guard's; an outage is a 503 with ``Retry-After``. Works with or
without ``CloudBaseAuthMiddleware`` (with it, the token is checked once per request).
"""

from __future__ import annotations

import json
from typing import Any

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import APIException

from ...core.errors import InvalidToken, MissingToken, RequestAuthError
from ...guard import CloudBaseUser
from .conf import get_guard
from .middleware import current_user, get_user


class CloudBaseAPIException(APIException):  # type: ignore[misc]
    """A :class:`RequestAuthError` as DRF renders it: the guard's status, headers and body."""

    def __init__(self, error: RequestAuthError) -> None:
        rendered = get_guard().render_error(error)
        super().__init__(detail=json.loads(rendered.body))
        self.status_code = rendered.status
        headers = dict(rendered.headers)
        self.auth_header = headers.get("WWW-Authenticate")
        retry_after = headers.get("Retry-After")
        self.wait = int(retry_after) if retry_after else None


class CloudBaseAuthentication(BaseAuthentication):  # type: ignore[misc]
    """Authenticates the CloudBase bearer token; ``(django_user, cloudbase_user)`` or ``None``."""

    def authenticate(self, request: Any) -> tuple[Any, CloudBaseUser] | None:
        django_request = request._request
        try:
            cloudbase_user = current_user(django_request)
            if cloudbase_user is None:
                return None
            user = get_user(django_request)
        except RequestAuthError as exc:
            raise CloudBaseAPIException(exc) from None
        if not user.is_authenticated:
            raise CloudBaseAPIException(InvalidToken("The user is inactive or unknown."))
        return user, cloudbase_user

    def authenticate_header(self, request: Any) -> str:
        """The challenge of a 401 without a token: ``Bearer realm="..."``."""
        headers = dict(get_guard().render_error(MissingToken()).headers)
        return headers["WWW-Authenticate"]
