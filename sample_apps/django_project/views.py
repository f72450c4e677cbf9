"""The four routes: public, login required, group ``admin`` required, profile. All JSON."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse

from cloudbase_auth_mw.contrib.django.decorators import (
    cloudbase_group_required,
    cloudbase_login_required,
)


def describe(request: Any) -> dict[str, Any]:
    user = request.cloudbase  # the CloudBase user of the bearer token
    return {
        "user": user.sub,
        "anonymous": user.is_anonymous,
        "groups": list(user.groups),
        "django_user": request.user.get_username(),  # the Django user mapped from the sub
    }


def public(request: Any) -> JsonResponse:
    """Anyone; says who is calling when a valid token is sent (a bad one is refused: 401)."""
    user = request.cloudbase
    return JsonResponse({"user": user.sub if user else None, "message": "Hello, world."})


@cloudbase_login_required
def private(request: Any) -> JsonResponse:
    """Signed-in users (CloudBase anonymous ones too unless CLOUDBASE_AUTH_ALLOW_ANONYMOUS=0)."""
    return JsonResponse(describe(request))


@cloudbase_group_required("admin")
def admin(request: Any) -> JsonResponse:
    """Members of the CloudBase group ``admin``."""
    return JsonResponse(describe(request))


@cloudbase_login_required
def profile(request: Any) -> JsonResponse:
    """The ``/auth/v1/user/me`` profile (fetched on first use, then cached per user)."""
    found = request.cloudbase.profile
    fields = ("name", "username", "email", "phone_number", "picture", "gender", "status")
    data = {name: getattr(found, name) for name in fields}
    data["groups"] = list(found.groups)
    return JsonResponse({"user": request.cloudbase.sub, "profile": data})
