"""``CloudBaseLoginRequiredMixin`` for class-based views (sync and async handlers)::

    class Reports(CloudBaseLoginRequiredMixin, View):
        cloudbase_groups = ("admin",)      # optional: one of these groups
        cloudbase_allow_anonymous = False  # optional: refuse CloudBase anonymous users

        async def get(self, request): ...

Failures answer our 401/403/503 JSON with ``WWW-Authenticate`` instead of redirecting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest

from ...core.errors import RequestAuthError
from .decorators import aauthorize_request, authorize_request
from .middleware import error_response


class CloudBaseLoginRequiredMixin:
    """Put it first among the bases of a ``View``; see the module docstring."""

    cloudbase_groups: Sequence[str] = ()
    cloudbase_scopes: Sequence[str] = ()
    cloudbase_allow_anonymous: bool | None = None

    def _cloudbase_requirements(self) -> dict[str, Any]:
        return {
            "groups": tuple(self.cloudbase_groups),
            "scopes": tuple(self.cloudbase_scopes),
            "allow_anonymous": self.cloudbase_allow_anonymous,
        }

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        parent: Any = super()
        if getattr(self, "view_is_async", False):
            return self._adispatch(parent, request, *args, **kwargs)
        try:
            authorize_request(request, **self._cloudbase_requirements())
        except RequestAuthError as exc:
            return error_response(exc)
        return parent.dispatch(request, *args, **kwargs)

    async def _adispatch(self, parent: Any, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            await aauthorize_request(request, **self._cloudbase_requirements())
        except RequestAuthError as exc:
            return error_response(exc)
        return await parent.dispatch(request, *args, **kwargs)
