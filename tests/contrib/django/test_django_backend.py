"""CloudBaseBackend: sub -> Django user, the RemoteUserBackend-style hooks, and the first-request
race (two requests of a new user at once create one user) on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from cbauth_django_settings import BACKEND, PG_HOST, PG_PORT, use_database
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client, override_settings

from cloudbase_auth_mw.contrib.django.backends import CloudBaseBackend
from cloudbase_auth_mw.core.identity import UserProfile
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.testing import bearer, require_service, service_reachable
from cloudbase_auth_mw.testing.services import on_ci

pytestmark = pytest.mark.usefixtures("guard")
ME = "/auth/v1/user/me"


def whoami(client: Client, token: str) -> dict[str, Any]:
    data: dict[str, Any] = client.get("/whoami", headers=bearer(token)).json()
    return data


def backends(cls: type) -> Any:
    return override_settings(AUTHENTICATION_BACKENDS=[f"{__name__}.{cls.__name__}"])


class Recording(CloudBaseBackend):
    calls: list[tuple[bool, UserProfile | None]] = []

    def configure_user(
        self, request: Any, user: Any, created: bool = True, profile: Any = None
    ) -> Any:
        Recording.calls.append((created, profile))
        return super().configure_user(request, user, created, profile)


class AlwaysProfile(Recording):
    fetch_profile = "always"


class NeverProfile(Recording):
    fetch_profile = "never"


class NoCreate(CloudBaseBackend):
    create_unknown_user = False


class Prefixed(CloudBaseBackend):
    def clean_username(self, username: str) -> str:
        return f"cb:{username}"


@pytest.fixture(autouse=True)
def _clear_recordings() -> None:
    Recording.calls = []


@pytest.mark.django_db
def test_first_request_creates_the_user_from_the_sub(
    client: Client, emulator: Emulator, alice: str, alice_token: str
) -> None:
    assert whoami(client, alice_token) == {"username": alice, "authenticated": True}
    user = get_user_model().objects.get(username=alice)
    assert user.email == "alice@example.com"
    assert not user.has_usable_password()  # only CloudBase can sign this user in
    assert whoami(client, alice_token)["username"] == alice
    assert get_user_model().objects.count() == 1


@pytest.mark.django_db
def test_profile_is_fetched_once_per_user_by_default(
    client: Client, emulator: Emulator, alice: str, alice_token: str
) -> None:
    with backends(Recording):
        whoami(client, alice_token)
        whoami(client, emulator.mint_access_token(alice))
    assert [created for created, _ in Recording.calls] == [True, False]
    first_profile, second_profile = (profile for _, profile in Recording.calls)
    assert first_profile is not None and first_profile.name == "Alice"
    assert second_profile is None
    assert emulator.counters[ME] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("backend", "profiles"), [(AlwaysProfile, 2), (NeverProfile, 0)])
def test_fetch_profile_setting(
    client: Client, alice_token: str, backend: type, profiles: int
) -> None:
    with backends(backend):
        whoami(client, alice_token)
        whoami(client, alice_token)
    assert sum(profile is not None for _, profile in Recording.calls) == profiles


@pytest.mark.django_db
def test_unknown_users_stay_anonymous_without_create_unknown_user(
    client: Client, alice: str, alice_token: str
) -> None:
    with backends(NoCreate):
        assert whoami(client, alice_token)["authenticated"] is False
        get_user_model().objects.create(username=alice)
        assert whoami(client, alice_token) == {"username": alice, "authenticated": True}


@pytest.mark.django_db
def test_clean_username_hook(client: Client, alice: str, alice_token: str) -> None:
    with backends(Prefixed):
        assert whoami(client, alice_token)["username"] == f"cb:{alice}"


@pytest.mark.django_db
def test_inactive_users_are_anonymous_but_cloudbase_views_still_see_the_token(
    client: Client, alice: str, alice_token: str
) -> None:
    get_user_model().objects.create(username=alice, is_active=False)
    assert whoami(client, alice_token)["authenticated"] is False
    assert client.get("/private", headers=bearer(alice_token)).status_code == 200


@pytest.mark.django_db
def test_a_sub_never_takes_over_a_staff_account(
    client: Client, alice: str, alice_token: str
) -> None:
    get_user_model().objects.create_superuser(username=alice, password="local-admin-secret")
    assert whoami(client, alice_token)["authenticated"] is False
    assert client.get("/private", headers=bearer(alice_token)).status_code == 200
    with backends(LinksPrivileged):
        assert whoami(client, alice_token) == {"username": alice, "authenticated": True}


class LinksPrivileged(CloudBaseBackend):
    link_privileged_users = True


@pytest.mark.django_db
def test_backend_ignores_other_credentials() -> None:
    assert CloudBaseBackend().authenticate(None) is None
    get_user_model().objects.create_user(username="admin", password="secret")
    with override_settings(
        AUTHENTICATION_BACKENDS=[BACKEND, "django.contrib.auth.backends.ModelBackend"]
    ):
        assert Client().login(username="admin", password="secret")  # ModelBackend still works


# --------------------------------------------------------------------------- the race
class Racing(CloudBaseBackend):
    """Holds every insert until both requests have missed the lookup: a guaranteed race."""

    barrier = threading.Barrier(2)
    created: list[bool] = []

    def create_user(self, request: Any, username: str) -> tuple[Any, bool]:
        Racing.barrier.wait(timeout=10)
        user, created = super().create_user(request, username)
        Racing.created.append(created)
        return user, created


def race(token: str) -> list[dict[str, Any]]:
    """Two first requests of one new user at the same moment, from two threads."""
    Racing.barrier.reset()
    Racing.created = []
    answers: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def first_request() -> None:
        try:
            answers.append(whoami(Client(raise_request_exception=True), token))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first_request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return answers


DATABASES = [pytest.param("default", marks=pytest.mark.django_db(transaction=True), id="sqlite")]
if service_reachable(PG_HOST, PG_PORT) or on_ci():
    # Only collected when it can run (or must, on CI): pytest-django creates the test
    # databases of every collected test at once.
    pg_marks = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, databases=["pg"])]
    DATABASES.append(pytest.param("pg", marks=pg_marks, id="postgresql"))


@pytest.mark.parametrize("alias", DATABASES)
def test_two_first_requests_at_once_create_one_user(emulator: Emulator, alias: str) -> None:
    sub = emulator.add_user(username="racer", password="Passw0rd!").sub
    token = emulator.mint_access_token(sub)
    with use_database(alias), backends(Racing):
        answers = race(token)
        users = list(get_user_model().objects.filter(username=sub))
    assert answers == [{"username": sub, "authenticated": True}] * 2
    assert len(users) == 1
    assert sorted(Racing.created) == [False, True]  # both inserted; the loser read the winner's


@pytest.mark.postgres
def test_postgresql_is_available_for_the_race() -> None:
    """Skipped without the server, failed on CI (where the race above must run on it)."""
    require_service("PostgreSQL", PG_HOST, PG_PORT)
