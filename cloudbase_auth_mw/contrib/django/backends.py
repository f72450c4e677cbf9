"""``CloudBaseBackend``: maps a CloudBase ``sub`` to a Django user.

Modelled on ``django.contrib.auth.backends.RemoteUserBackend``: the token was verified by the
middleware, so the backend only finds (or creates) the local user. By default the username *is*
the ``sub`` (override :meth:`CloudBaseBackend.clean_username` to change that, e.g. a prefix);
users it creates get an unusable password, so they can only sign in through CloudBase.

Two first requests of a new user at the same moment create exactly one user: the insert runs
in its own transaction (a savepoint inside ``ATOMIC_REQUESTS``) and, when the username's unique
constraint says another request won, the backend reads that request's user instead.

A ``sub`` never maps onto an existing staff or superuser account unless a subclass sets
``link_privileged_users``: a local administrator whose username happens to equal someone's
CloudBase id must not be taken over by that someone's token (such requests stay anonymous for
Django, with a warning logged; ``request.cloudbase`` still carries the CloudBase user).

Hooks for subclasses: ``create_unknown_user``, ``fetch_profile``, ``link_privileged_users``,
:meth:`clean_username`, :meth:`configure_user` (receives the ``/user/me`` profile),
:meth:`create_user`.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import IntegrityError, router, transaction
from django.http import HttpRequest

from ...core.identity import UserProfile
from ...guard import CloudBaseUser

logger = logging.getLogger(__name__)


class CloudBaseBackend(ModelBackend):  # type: ignore[misc]
    """Answers ``auth.authenticate(request, cloudbase_user=...)``; permissions as ModelBackend."""

    #: Create a Django user the first time a ``sub`` is seen (else such requests stay anonymous).
    create_unknown_user = True
    #: When to fetch the ``/user/me`` profile for :meth:`configure_user`: only for a user just
    #: created (one call per user, ever), on every mapping (cached by the guard), or never.
    fetch_profile: Literal["created", "always", "never"] = "created"
    #: Map a ``sub`` onto an existing staff/superuser account of the same username.
    link_privileged_users = False

    def authenticate(
        self, request: HttpRequest | None, cloudbase_user: CloudBaseUser | None = None
    ) -> Any:
        """The Django user of ``cloudbase_user``; ``None`` if unknown (not created) or inactive."""
        if cloudbase_user is None:
            return None
        found = self.get_or_create_user(request, self.clean_username(cloudbase_user.sub))
        if found is None:
            return None
        user, created = found
        profile = cloudbase_user.profile if self._wants_profile(created) else None
        user = self.configure_user(request, user, created=created, profile=profile)
        return user if self.user_can_authenticate(user) else None

    async def aauthenticate(
        self, request: HttpRequest | None, cloudbase_user: CloudBaseUser | None = None
    ) -> Any:
        """:meth:`authenticate` for async code: the profile is fetched without blocking."""
        if cloudbase_user is None:
            return None
        username = self.clean_username(cloudbase_user.sub)
        found = await sync_to_async(self.get_or_create_user)(request, username)
        if found is None:
            return None
        user, created = found
        profile = await cloudbase_user.aprofile() if self._wants_profile(created) else None
        user = await self.aconfigure_user(request, user, created=created, profile=profile)
        return user if self.user_can_authenticate(user) else None

    def _wants_profile(self, created: bool) -> bool:
        return self.fetch_profile == "always" or (created and self.fetch_profile == "created")

    # ------------------------------------------------------------------ hooks
    def clean_username(self, username: str) -> str:
        """The Django username for a CloudBase ``sub``; by default the ``sub`` itself."""
        return username

    def get_or_create_user(
        self, request: HttpRequest | None, username: str
    ) -> tuple[Any, bool] | None:
        """``(user, created)``; ``None`` for an unknown user when not ``create_unknown_user``."""
        model = get_user_model()
        try:
            user = model._default_manager.get_by_natural_key(username)
        except model.DoesNotExist:
            if not self.create_unknown_user:
                return None
            return self.create_user(request, username)
        if not self.link_privileged_users and _is_privileged(user):
            logger.warning("a CloudBase sub names a staff or superuser account; not linked")
            return None
        return user, False

    def create_user(self, request: HttpRequest | None, username: str) -> tuple[Any, bool]:
        """Insert the user; if a concurrent request inserted it first, return that one.

        Override to set more fields before the insert, keeping the ``IntegrityError`` retry.
        """
        model = get_user_model()
        user = model(**{model.USERNAME_FIELD: username})
        user.set_unusable_password()
        db = router.db_for_write(model)
        try:
            with transaction.atomic(using=db):
                user.save(using=db)
        except IntegrityError as exc:
            try:
                return model._default_manager.db_manager(db).get_by_natural_key(username), False
            except model.DoesNotExist:
                raise exc from None  # another constraint failed, not the username's
        return user, True

    def configure_user(
        self,
        request: HttpRequest | None,
        user: Any,
        created: bool = True,
        profile: UserProfile | None = None,
    ) -> Any:
        """Update ``user`` from the CloudBase ``profile`` and return it.

        By default a newly created user gets the profile's e-mail address (when the user model
        has an ``email`` field); override to copy more (names, groups -> Django groups...).
        """
        if created and profile is not None and profile.email and _has_field(user, "email"):
            user.email = profile.email
            user.save(update_fields=["email"])
        return user

    async def aconfigure_user(
        self,
        request: HttpRequest | None,
        user: Any,
        created: bool = True,
        profile: UserProfile | None = None,
    ) -> Any:
        """See :meth:`configure_user` (run in a thread: it may write to the database)."""
        return await sync_to_async(self.configure_user)(request, user, created, profile)


def _is_privileged(user: Any) -> bool:
    return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))


def _has_field(user: Any, name: str) -> bool:
    return any(field.name == name for field in user._meta.concrete_fields)
