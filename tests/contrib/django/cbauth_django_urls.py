"""Views and URLs for the Django integration tests: one route per feature, sync and async."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views import View
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cloudbase_auth_mw.contrib.django.decorators import (
    cloudbase_group_required,
    cloudbase_login_required,
)
from cloudbase_auth_mw.contrib.django.drf import CloudBaseAuthentication
from cloudbase_auth_mw.contrib.django.mixins import CloudBaseLoginRequiredMixin


def _sub(request: Any) -> str | None:
    return request.cloudbase.sub if request.cloudbase else None


def public(request: Any) -> JsonResponse:
    error = request.cloudbase_error
    return JsonResponse({"user": _sub(request), "error": type(error).__name__ if error else None})


def whoami(request: Any) -> JsonResponse:
    user = request.user
    assert isinstance(user, (get_user_model(), AnonymousUser))  # the lazy object is transparent
    return JsonResponse({"username": user.get_username(), "authenticated": user.is_authenticated})


async def apublic(request: Any) -> JsonResponse:
    return JsonResponse({"user": _sub(request)})


async def awhoami(request: Any) -> JsonResponse:
    user = await request.auser()
    return JsonResponse({"username": user.get_username(), "authenticated": user.is_authenticated})


def user_view(request: Any) -> JsonResponse:
    return JsonResponse({"user": _sub(request), "anonymous": request.cloudbase.is_anonymous})


async def auser_view(request: Any) -> JsonResponse:
    return user_view(request)


def profile(request: Any) -> JsonResponse:
    return JsonResponse({"user": _sub(request), "name": request.cloudbase.profile.name})


async def aprofile(request: Any) -> JsonResponse:
    found = await request.cloudbase.aprofile()
    return JsonResponse({"user": _sub(request), "name": found.name})


def session_view(request: Any) -> JsonResponse:
    user = request.user
    return JsonResponse(
        {"username": user.get_username(), "session_user": request.session.get("_auth_user_id")}
    )


class MixinView(CloudBaseLoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> JsonResponse:
        return user_view(request)


class AdminMixinView(MixinView):
    cloudbase_groups = ("admin",)


class AsyncMixinView(CloudBaseLoginRequiredMixin, View):
    cloudbase_allow_anonymous = False

    async def get(self, request: HttpRequest) -> JsonResponse:
        return user_view(request)


class DjangoMixinView(LoginRequiredMixin, View):
    raise_exception = True

    def get(self, request: HttpRequest) -> JsonResponse:
        return whoami(request)


class DrfMe(APIView):
    authentication_classes = [CloudBaseAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response({"username": request.user.get_username(), "sub": request.auth.sub})


class DrfOpen(DrfMe):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        user = request.user
        return Response({"username": user.get_username() if user else None})


urlpatterns = [
    path("public", public),
    path("whoami", whoami),
    path("private", cloudbase_login_required(user_view)),
    path("members", cloudbase_login_required(allow_anonymous=False)(user_view)),
    path("admin", cloudbase_group_required("admin")(user_view)),
    path("scoped", cloudbase_login_required(scopes=("orders:read",))(user_view)),
    path("profile", cloudbase_login_required(profile)),
    path("post", cloudbase_login_required(user_view)),
    path("session", session_view),
    path("django-login", login_required(whoami)),
    path("django-perm", permission_required("auth.view_user", raise_exception=True)(whoami)),
    path("cbv", MixinView.as_view()),
    path("cbv-admin", AdminMixinView.as_view()),
    path("django-cbv", DjangoMixinView.as_view()),
    path("async/public", apublic),
    path("async/whoami", awhoami),
    path("async/private", cloudbase_login_required(auser_view)),
    path("async/members", cloudbase_login_required(allow_anonymous=False)(auser_view)),
    path("async/admin", cloudbase_group_required("admin")(auser_view)),
    path("async/profile", cloudbase_login_required(aprofile)),
    path("async/cbv", AsyncMixinView.as_view()),
    path("drf/me", DrfMe.as_view()),
    path("drf/open", DrfOpen.as_view()),
]
