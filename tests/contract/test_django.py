"""The contract table through the Django integration: the test ``Client`` against sync views
(Django sync) and ``AsyncClient`` against async views (Django async).

Each row runs behind ``CloudBaseAuthMiddleware`` with the scenario's guard installed by
``set_guard``; ``/private`` answers with the mapped Django user (``request.user`` /
``await request.auser()``), so the backend and the database take part in every row.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "contrib" / "django"))
from cbauth_django_settings import configure

configure()

from django.http import HttpResponse, JsonResponse  # noqa: E402
from django.test import AsyncClient, Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402

from cloudbase_auth_mw.contrib.django.conf import set_guard  # noqa: E402
from cloudbase_auth_mw.contrib.django.decorators import (  # noqa: E402
    cloudbase_group_required,
    cloudbase_login_required,
)
from cloudbase_auth_mw.guard import CloudBaseGuard  # noqa: E402

from .harness import ContractResponse  # noqa: E402
from .scenarios import contract_test  # noqa: E402

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------ sync views
def public(request: Any) -> JsonResponse:
    return JsonResponse({"user": request.cloudbase.sub if request.cloudbase else None})


@cloudbase_login_required
def private(request: Any) -> JsonResponse:
    anonymous = request.cloudbase.is_anonymous
    return JsonResponse({"user": request.user.get_username(), "anonymous": anonymous})


@cloudbase_login_required(allow_anonymous=False)
def members(request: Any) -> JsonResponse:
    return JsonResponse({"user": request.cloudbase.sub})


@cloudbase_group_required("admin")
def admin(request: Any) -> JsonResponse:
    return JsonResponse({"user": request.cloudbase.sub})


@cloudbase_login_required
def profile(request: Any) -> JsonResponse:
    return JsonResponse({"user": request.cloudbase.sub, "name": request.cloudbase.profile.name})


# ------------------------------------------------------------------ async views
async def apublic(request: Any) -> JsonResponse:
    return public(request)


@cloudbase_login_required
async def aprivate(request: Any) -> JsonResponse:
    user = await request.auser()
    anonymous = request.cloudbase.is_anonymous
    return JsonResponse({"user": user.get_username(), "anonymous": anonymous})


@cloudbase_login_required(allow_anonymous=False)
async def amembers(request: Any) -> JsonResponse:
    return JsonResponse({"user": request.cloudbase.sub})


@cloudbase_group_required("admin")
async def aadmin(request: Any) -> JsonResponse:
    return JsonResponse({"user": request.cloudbase.sub})


@cloudbase_login_required
async def aprofile(request: Any) -> JsonResponse:
    found = await request.cloudbase.aprofile()
    return JsonResponse({"user": request.cloudbase.sub, "name": found.name})


VIEWS = {
    "sync": {"public": public, "private": private, "members": members, "admin": admin},
    "async": {"public": apublic, "private": aprivate, "members": amembers, "admin": aadmin},
}
VIEWS["sync"]["profile"] = profile
VIEWS["async"]["profile"] = aprofile
urlpatterns = [
    path(f"{mode}/{name}", view) for mode, views in VIEWS.items() for name, view in views.items()
]


# ------------------------------------------------------------------ clients
def _answer(response: HttpResponse) -> ContractResponse:
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    return ContractResponse.of(response.status_code, response.headers.items(), body)


class DjangoContractClient:
    """Django's test ``Client`` (WSGI handler, sync middleware chain, sync views)."""

    def __init__(self, guard: CloudBaseGuard) -> None:
        set_guard(guard)
        self.client = Client()

    def get(self, path: str, headers: Mapping[str, str]) -> ContractResponse:
        return _answer(self.client.get(f"/sync{path}", headers=dict(headers)))


class DjangoAsyncContractClient:
    """Django's ``AsyncClient`` (ASGI handler, async middleware chain, async views).

    Each request runs in a fresh event loop (``async_to_sync``), whose pooled connections are
    closed before it ends; thread-sensitive ORM calls run in the test's thread.
    """

    def __init__(self, guard: CloudBaseGuard) -> None:
        set_guard(guard)
        self.client = AsyncClient()
        self.guard = guard

    def get(self, path: str, headers: Mapping[str, str]) -> ContractResponse:
        return _answer(async_to_sync(self._get)(f"/async{path}", dict(headers)))

    async def _get(self, path: str, headers: dict[str, str]) -> HttpResponse:
        try:
            response: HttpResponse = await self.client.get(path, headers=headers)
            return response
        finally:
            await self.guard.aclose()


@pytest.fixture(autouse=True)
def urls() -> Iterator[None]:
    """This module's URLs; afterwards the settings guard is back and the scenario's is closed."""
    with override_settings(ROOT_URLCONF=__name__):
        yield
    installed = set_guard(None)
    if installed is not None:
        installed.close()


test_contract_django_sync = contract_test(DjangoContractClient)
test_contract_django_async = contract_test(DjangoAsyncContractClient)
