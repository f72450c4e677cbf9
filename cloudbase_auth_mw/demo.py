"""``cloudbase-auth demo``: walk the seed skill's scenarios 1-7 through the client, print a table.

By default it starts an in-process emulator with one user; ``--base-url`` runs the same walk
against an emulator (or a real environment) already running, with ``--username`` /
``--password`` naming a user that exists there. Exit status 0 only if every step passed.

The pieces are reusable: :func:`run_client_scenarios` returns the :class:`Row` list and
:func:`print_table` prints any list of rows, so other walks (sample apps behind real servers)
can add their own rows to the same table.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import TextIO, TypeVar

from .client import CloudBaseAuthClient
from .core.errors import CloudBaseAuthError
from .core.models import IntrospectionResult, SudoToken, TokenResponse

T = TypeVar("T")

DEMO_ENV_ID = "demo-env"
DEMO_USERNAME = "alice"
DEMO_PASSWORD = "Alice-Passw0rd!"
#: The emulator's fixed verification code (any SMS or e-mail it "sends").
DEMO_CODE = "123456"


@dataclass(frozen=True)
class Row:
    """One checked step: what was expected, what happened, and whether they agree."""

    scenario: str
    step: str
    expected: str
    got: str
    ok: bool

    @property
    def verdict(self) -> str:
        return "PASS" if self.ok else "FAIL"


class _StepFailed(Exception):
    """Stops a scenario after a failed step (later steps need its result)."""


def _done(_: object) -> str:
    return "done"


def _error_name(exc: BaseException) -> str:
    return type(exc).__name__


def _error_detail(exc: BaseException) -> str:
    """The error class, plus the service's error name when the class is a generic one
    (``ApiError (user_pending)``); never the free-text description."""
    name = _error_name(exc)
    wire = getattr(exc, "error", None)
    if isinstance(wire, str) and wire and wire != getattr(type(exc), "error_name", wire):
        return f"{name} ({wire})"
    return name


@dataclass
class Walk:
    """Records rows; ``step`` runs one check, ``scenario`` groups them and survives failures."""

    rows: list[Row] = field(default_factory=list)
    current: str = ""

    @contextmanager
    def scenario(self, name: str) -> Iterator[None]:
        self.current = name
        with suppress(_StepFailed):
            yield

    def step(
        self,
        step: str,
        expected: str,
        action: Callable[[], T],
        describe: Callable[[T], str] = _done,
    ) -> T:
        """Run ``action``; the row passes when ``describe(result) == expected``."""
        try:
            value = action()
        except CloudBaseAuthError as exc:
            self._record(step, expected, _error_detail(exc))
            raise _StepFailed from exc
        self._record(step, expected, describe(value))
        return value

    def refused(self, step: str, error: str, action: Callable[[], object]) -> None:
        """A step that must fail with the error class named ``error``."""
        try:
            action()
        except CloudBaseAuthError as exc:
            name = _error_name(exc)
            self._record(step, error, name if name == error else _error_detail(exc))
        else:
            self._record(step, error, "accepted")

    def _record(self, step: str, expected: str, got: str) -> None:
        self.rows.append(Row(self.current, step, expected, got, got == expected))
        if got != expected:
            raise _StepFailed


_USER_TOKEN = "Bearer user token+refresh"
_ANONYMOUS_TOKEN = "Bearer anonymous token+refresh"
_DEMO_PHONE_PASSWORD = "Demo-Passw0rd!"
_NEW_PASSWORD = "N3w-Passw0rd!"


def _kind(tokens: TokenResponse) -> str:
    """``"Bearer user token+refresh"``: type, anonymous or not, refresh token or not."""
    kind = "anonymous" if tokens.is_anonymous else "user"
    refresh = "+refresh" if tokens.refresh_token else ""
    return f"{tokens.token_type} {kind} token{refresh}"


def _sudo(grant: SudoToken) -> str:
    return "sudo token" if grant.sudo_token else "none"


def _same(label: str, same: bool) -> str:
    return f"same {label}" if same else f"other {label}"


def _random_phone() -> str:
    return "+86 139" + "".join(secrets.choice("0123456789") for _ in range(8))


def _scenario_password(
    walk: Walk, client: CloudBaseAuthClient, user: str, password: str
) -> TokenResponse | None:
    signin = client.sign_in_with_password
    with walk.scenario("1 password sign-in"):
        walk.refused("wrong password", "InvalidPassword", lambda: signin(user, password + "-x"))
        return walk.step("sign in", _USER_TOKEN, lambda: signin(user, password), _kind)
    return None


def _scenario_sms_signup(
    walk: Walk, client: CloudBaseAuthClient, code: str
) -> tuple[str, str] | None:
    """Send code, verify, sign up; returns the new user's ``(phone, password)``."""
    phone, password = _random_phone(), _DEMO_PHONE_PASSWORD
    with walk.scenario("2 SMS sign-up"):
        sent = walk.step(
            "send code",
            "new user",
            lambda: client.send_verification(phone_number=phone),
            lambda s: "existing user" if s.is_user else "new user",
        )
        verified = walk.step(
            "verify code",
            "verification token",
            lambda: client.verify(sent.verification_id, code),
            lambda v: "verification token" if v.verification_token else "none",
        )
        walk.step(
            "sign up",
            _USER_TOKEN,
            lambda: client.sign_up(
                phone_number=phone,
                verification_token=verified.verification_token,
                verification_code=code,
                name="手机用户",
                username="u" + phone[-8:],
                password=password,
            ),
            _kind,
        )
        return phone, password
    return None


def _scenario_anonymous(walk: Walk, client: CloudBaseAuthClient) -> None:
    with walk.scenario("3 anonymous sign-in"):
        first = walk.step("sign in", _ANONYMOUS_TOKEN, client.sign_in_anonymously, _kind)
        walk.step(
            "again, same device",
            "same user",
            client.sign_in_anonymously,
            lambda again: _same("user", again.sub == first.sub),
        )


def _scenario_refresh(
    walk: Walk, client: CloudBaseAuthClient, tokens: TokenResponse
) -> TokenResponse | None:
    old = tokens.refresh_token or ""
    with walk.scenario("4 refresh"):
        new = walk.step("refresh", _USER_TOKEN, lambda: client.refresh(old), _kind)
        walk.step(
            "refresh token rotated",
            "other token",
            lambda: new.refresh_token == old,
            lambda same: _same("token", same),
        )
        walk.refused("reuse old refresh token", "InvalidGrant", lambda: client.refresh(old))
        return new
    return None


def _introspected(sub: str) -> Callable[[IntrospectionResult], str]:
    return lambda r: _same("sub", r.sub == sub) + ", active" if r.active else "inactive"


def _scenario_introspect(walk: Walk, client: CloudBaseAuthClient, tokens: TokenResponse) -> None:
    with walk.scenario("5 introspect"):
        walk.step(
            "introspect",
            "same sub, active",
            lambda: client.introspect(tokens.access_token),
            _introspected(tokens.sub),
        )


def _scenario_revoke(walk: Walk, client: CloudBaseAuthClient, tokens: TokenResponse) -> None:
    access = tokens.access_token
    with walk.scenario("6 revoke"):
        walk.step("revoke", "done", lambda: client.revoke(access))
        walk.step(
            "introspect", "inactive", lambda: client.introspect(access), _introspected(tokens.sub)
        )
        walk.refused("user/me", "Unauthenticated", lambda: client.get_user(access))


def _scenario_user(walk: Walk, client: CloudBaseAuthClient, phone: str, password: str) -> None:
    """user/me, password change through sudo, then delete (the user of scenario 2)."""
    signin, sudo = client.sign_in_with_password, client.sudo
    with walk.scenario("7 user operations"):
        tokens = walk.step("sign in by phone", _USER_TOKEN, lambda: signin(phone, password), _kind)
        access = tokens.access_token
        walk.step(
            "user/me",
            "same user",
            lambda: client.get_user(access),
            lambda me: _same("user", (me.sub, me.phone_number) == (tokens.sub, phone)),
        )
        walk.step(
            "providers",
            "phone bound",
            lambda: client.list_providers(access),
            lambda listed: "phone bound" if "phone" in {p.id for p in listed.bound} else "none",
        )
        grant = walk.step(
            "sudo with password", "sudo token", lambda: sudo(access, password=password), _sudo
        )
        walk.step(
            "change password",
            "done",
            lambda: client.change_password(access, grant.sudo_token, _NEW_PASSWORD),
        )
        walk.refused("old password", "InvalidPassword", lambda: signin(phone, password))
        fresh = walk.step("new password", _USER_TOKEN, lambda: signin(phone, _NEW_PASSWORD), _kind)
        again = walk.step(
            "sudo again",
            "sudo token",
            lambda: sudo(fresh.access_token, password=_NEW_PASSWORD),
            _sudo,
        )
        walk.step(
            "delete me", "done", lambda: client.delete_me(fresh.access_token, again.sudo_token)
        )
        walk.refused(
            "user/me after delete", "Unauthenticated", lambda: client.get_user(fresh.access_token)
        )


def run_client_scenarios(
    target: CloudBaseAuthClient | str,
    *,
    env_id: str = DEMO_ENV_ID,
    username: str = DEMO_USERNAME,
    password: str = DEMO_PASSWORD,
    verification_code: str = DEMO_CODE,
) -> list[Row]:
    """Walk seed scenarios 1-7 through the client; ``target`` is a client or a base URL.

    Needs an existing user ``username``/``password`` (scenarios 1, 4-6) and a service whose
    verification code is ``verification_code`` (the emulator's). Scenario 7 changes the
    password of, then deletes, the user created in scenario 2, so the walk can be repeated.
    """
    if isinstance(target, str):
        with CloudBaseAuthClient(env_id=env_id, base_url=target) as client:
            return run_client_scenarios(
                client, username=username, password=password, verification_code=verification_code
            )
    walk = Walk()
    client = target
    tokens = _scenario_password(walk, client, username, password)
    signed_up = _scenario_sms_signup(walk, client, verification_code)
    _scenario_anonymous(walk, client)
    refreshed = _scenario_refresh(walk, client, tokens) if tokens else None
    if refreshed is not None:
        _scenario_introspect(walk, client, refreshed)
        _scenario_revoke(walk, client, refreshed)
    if signed_up is not None:
        _scenario_user(walk, client, *signed_up)
    return walk.rows


def all_passed(rows: Sequence[Row]) -> bool:
    """Whether there is at least one row and every row passed."""
    return bool(rows) and all(row.ok for row in rows)


def print_table(title: str, rows: Sequence[Row], file: TextIO | None = None) -> None:
    """Print ``rows`` as an aligned table under ``title``, with a pass count at the end."""
    out = file or sys.stdout
    header = ("scenario", "step", "expected", "got", "result")
    cells = [header, *((r.scenario, r.step, r.expected, r.got, r.verdict) for r in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(values: Sequence[str]) -> str:
        return " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    print(title, file=out)
    print(line(header), file=out)
    print("-+-".join("-" * w for w in widths), file=out)
    for values in cells[1:]:
        print(line(values), file=out)
    passed = sum(r.ok for r in rows)
    print(f"{passed}/{len(rows)} steps passed", file=out)


def _arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="cloudbase-auth demo",
        description="Walk the seed scenarios 1-7 through the client and print a table. "
        "Without --base-url an emulator is started in-process; with it, the user must exist "
        f"there (e.g. `cloudbase-auth emulator --user {DEMO_USERNAME}:{DEMO_PASSWORD}`).",
    )
    parser.add_argument("--base-url", help="walk this running service instead of starting one")
    parser.add_argument("--env-id", default=DEMO_ENV_ID, help=f"default {DEMO_ENV_ID}")
    parser.add_argument("--username", default=DEMO_USERNAME, help=f"default {DEMO_USERNAME}")
    parser.add_argument("--password", default=DEMO_PASSWORD, help="that user's password")
    parser.add_argument(
        "--code", default=DEMO_CODE, help=f"verification code (default {DEMO_CODE})"
    )
    return parser.parse_args(list(argv))


def _walk(args: argparse.Namespace, base_url: str) -> list[Row]:
    return run_client_scenarios(
        base_url,
        env_id=args.env_id,
        username=args.username,
        password=args.password,
        verification_code=args.code,
    )


def main(argv: Sequence[str]) -> int:
    """Run the demo; returns 0 if every step passed, 1 otherwise."""
    try:
        args = _arguments(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    if args.base_url:
        rows = _walk(args, args.base_url)
        where = args.base_url
    else:
        from .emulator import Emulator

        with Emulator(env_id=args.env_id) as emulator:
            emulator.add_user(
                username=args.username, password=args.password, email="alice@example.com"
            )
            rows = _walk(args, emulator.base_url)
            where = f"in-process emulator at {emulator.base_url}"
    print_table(f"CloudBase Auth v2 client scenarios ({where})", rows)
    return 0 if all_passed(rows) else 1


__all__ = ["Row", "all_passed", "main", "print_table", "run_client_scenarios"]
