"""``make demo``: the emulator, the client, and every sample app behind a real server.

``python -m sample_apps.demo [--only flask|django|starlette] [--keep-going]``

1. Starts the emulator as a process (``python -m cloudbase_auth_mw emulator``) on a free
   loopback port, seeded with a normal user and an admin (group ``admin``), and waits for it.
2. Starts the sample apps at once (each boots while the next steps run): Flask and Django
   under gunicorn (WSGI, one worker; Django after ``migrate`` on a throw-away SQLite file),
   FastAPI under uvicorn (ASGI), each on its own free loopback port, configured only through
   ``CLOUDBASE_AUTH_*`` variables and ``PORT``.
3. Prints the client scenario table (seed scenarios 1-7 through ``CloudBaseAuthClient``).
4. Walks the seed scenarios through each app with the client and ``requests``: no token,
   anonymous sign-in, password sign-in, profile, admin group, refresh, revoke; one table per
   framework, then a summary line.

Exit status 0 only if every step passed. Every process started here is stopped on the way
out, on failure, Ctrl-C or SIGTERM alike; an app that does not come up has its output tail
printed.

Why the apps verify by introspection: a revoked access token still carries a valid signature
until it expires, so local (JWKS) checks cannot see a revocation; only the provider can. The
demo therefore runs the apps with ``CLOUDBASE_AUTH_VERIFY_MODE=introspect`` and
``CLOUDBASE_AUTH_INTROSPECTION_CACHE_TTL=0`` (or, with ``--verify-mode jwks+introspect``,
local checks plus a remote re-check on every request), so the 401 after a revoke is immediate.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import requests

from cloudbase_auth_mw.client import CloudBaseAuthClient
from cloudbase_auth_mw.core.models import TokenResponse
from cloudbase_auth_mw.demo import (
    DEMO_CODE,
    DEMO_ENV_ID,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    Row,
    Walk,
    all_passed,
    print_table,
    run_client_scenarios,
)

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LOOPBACK = "127.0.0.1"
#: Seconds an app (or the emulator) may take to answer its first request.
START_TIMEOUT = 30.0
#: Seconds for any one HTTP call the demo makes.
HTTP_TIMEOUT = 10.0
TAIL_LINES = 20


@dataclass(frozen=True)
class DemoUser:
    """A user seeded into the emulator."""

    username: str
    password: str
    name: str
    email: str
    groups: tuple[str, ...] = ()

    def record(self) -> dict[str, Any]:
        """The user as an entry of the emulator's ``--users-file``."""
        return {
            "username": self.username,
            "password": self.password,
            "name": self.name,
            "email": self.email,
            "groups": list(self.groups),
        }


#: The client scenarios sign in as this user too (``cloudbase_auth_mw.demo`` defaults).
USER = DemoUser(DEMO_USERNAME, DEMO_PASSWORD, "Alice Liddell", "alice@example.com")
ADMIN = DemoUser("root", "R00t-Passw0rd!", "Root Admin", "root@example.com", ("admin",))

#: Verification settings under which a revocation is seen on the very next request.
VERIFY_MODES: Mapping[str, Mapping[str, str]] = {
    "introspect": {
        "CLOUDBASE_AUTH_VERIFY_MODE": "introspect",
        "CLOUDBASE_AUTH_INTROSPECTION_CACHE_TTL": "0",
    },
    "jwks+introspect": {
        "CLOUDBASE_AUTH_VERIFY_MODE": "jwks+introspect",
        "CLOUDBASE_AUTH_RECHECK_INTERVAL": "0",
        "CLOUDBASE_AUTH_INTROSPECTION_CACHE_TTL": "0",
    },
}


# ---------------------------------------------------------------------------- the apps
@dataclass(frozen=True)
class AppSpec:
    """How to serve one sample app: ``argv(port, workdir)`` is the command line."""

    key: str
    title: str
    server: str
    argv: Callable[[int, Path], list[str]]
    env: Callable[[Path], dict[str, str]] = lambda _: {}


def _gunicorn_options() -> list[str]:
    """Options of this gunicorn: no shared control socket (gunicorn >= 24 puts one in ``~``)."""
    from gunicorn.config import Config

    return ["--no-control-socket"] if "control_socket_disable" in Config().settings else []


def _gunicorn(target: str) -> Callable[[int, Path], list[str]]:
    def argv(port: int, _: Path) -> list[str]:
        return [
            *(PYTHON, "-m", "gunicorn", "--workers", "1", "--graceful-timeout", "3"),
            *("--bind", f"{LOOPBACK}:{port}", *_gunicorn_options(), target),
        ]

    return argv


def _after(
    prepare: Sequence[str], serve: Callable[[int, Path], list[str]]
) -> Callable[[int, Path], list[str]]:
    """``sh -c 'prepare && exec serve'``: one process (group) and one output log for both."""

    def argv(port: int, workdir: Path) -> list[str]:
        return ["sh", "-c", f"{shlex.join(prepare)} && exec {shlex.join(serve(port, workdir))}"]

    return argv


def _uvicorn(target: str) -> Callable[[int, Path], list[str]]:
    def argv(port: int, _: Path) -> list[str]:
        return [PYTHON, "-m", "uvicorn", "--host", LOOPBACK, "--port", str(port), target]

    return argv


APPS: Mapping[str, AppSpec] = {
    "flask": AppSpec(
        "flask",
        "Flask",
        "gunicorn, 1 worker, WSGI",
        _gunicorn("sample_apps.flask_app.app:app"),
    ),
    "django": AppSpec(
        "django",
        "Django",
        "migrate, then gunicorn, 1 worker, WSGI",
        _after(
            [PYTHON, "sample_apps/django_project/manage.py", "migrate", "--noinput", "-v", "0"],
            _gunicorn("sample_apps.django_project.wsgi:application"),
        ),
        lambda workdir: {"DJANGO_DB_PATH": str(workdir / "django.sqlite3")},
    ),
    "starlette": AppSpec(
        "starlette",
        "FastAPI/Starlette",
        "uvicorn, ASGI",
        _uvicorn("sample_apps.starlette_app.app:app"),
    ),
}


# ---------------------------------------------------------------------------- processes
class Child:
    """A process in its own session (Ctrl-C reaches the demo only); its output goes to ``log``."""

    def __init__(self, label: str, argv: Sequence[str], env: Mapping[str, str], log: Path) -> None:
        self.label = label
        self.log = log
        with log.open("wb") as out:  # the child keeps its own copy of the descriptor
            self.popen = subprocess.Popen(
                list(argv),
                cwd=ROOT,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def exit_code(self) -> int | None:
        """The exit code, or ``None`` while it runs."""
        return self.popen.poll()

    def tail(self, lines: int = TAIL_LINES) -> str:
        """The last ``lines`` lines it printed (stdout and stderr)."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM its process group, SIGKILL after ``grace`` seconds; then reap it."""
        if self.popen.poll() is not None:
            return
        self._signal(signal.SIGTERM)
        try:
            self.popen.wait(grace)
        except subprocess.TimeoutExpired:
            self._kill()
        except BaseException:  # interrupted again while waiting: no more grace
            self._kill()
            raise

    def _kill(self) -> None:
        self._signal(signal.SIGKILL)
        self.popen.wait()

    def _signal(self, signum: int) -> None:
        with suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)


class Interrupted(BaseException):
    """SIGINT or SIGTERM as an exception, so every ``finally`` (and process stop) runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class Interrupts:
    """Turns SIGINT/SIGTERM into :class:`Interrupted`; :meth:`hold` delays them while a child
    is started and registered for stopping, so no child can be orphaned between the two."""

    def __init__(self) -> None:
        self.holding = 0
        self.held: int | None = None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.holding:
            self.held = signum
        else:
            raise Interrupted(signum)

    @contextmanager
    def hold(self) -> Iterator[None]:
        self.holding += 1
        try:
            yield
        finally:
            self.holding -= 1
        if not self.holding and self.held is not None:
            signum, self.held = self.held, None
            raise Interrupted(signum)

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Handle SIGINT and SIGTERM here (main thread only: elsewhere Python cannot)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        signals = (signal.SIGINT, signal.SIGTERM)
        previous = {signum: signal.signal(signum, self.handle) for signum in signals}
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


INTERRUPTS = Interrupts()


def spawn(
    stack: ExitStack, label: str, argv: Sequence[str], env: Mapping[str, str], log: Path
) -> Child:
    """Start a :class:`Child` whose stop is registered on ``stack`` (signals held in between)."""
    with INTERRUPTS.hold():
        child = Child(label, argv, env, log)
        stack.callback(child.stop)
    return child


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_ready(child: Child, url: str, timeout: float = START_TIMEOUT) -> str:
    """Poll ``url`` until it answers 200: ``"ready"``, or why not."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        code = child.exit_code()
        if code is not None:
            return f"exited with code {code}"
        try:
            with INTERRUPTS.hold():  # a signal mid-connect would leak the half-open socket
                status = requests.get(url, timeout=1.0).status_code
        except requests.RequestException:
            pass
        else:
            if status == 200:
                return "ready"
            last = f"answers {status}"
        time.sleep(0.1)
    return f"{last} after {timeout:.0f} s"


def child_env(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without CloudBase or Django settings, plus ``extra``.

    Dropping inherited ``CLOUDBASE_AUTH_*`` (a real env's settings in the caller's shell) and
    ``DJANGO_SETTINGS_MODULE`` (set by pytest-django) keeps every app on the demo's settings.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CLOUDBASE_AUTH_") and k != "DJANGO_SETTINGS_MODULE"
    }
    path = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env.update(PYTHONPATH=os.pathsep.join(path), PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


class StartFailed(Exception):
    """A process did not come up; carries its output tail."""

    def __init__(self, label: str, why: str, tail: str) -> None:
        super().__init__(f"{label}: {why}")
        self.tail = tail


def start_emulator(stack: ExitStack, workdir: Path) -> str:
    """Run the emulator CLI with the demo users; returns its base URL once it answers."""
    users = workdir / "users.json"
    users.write_text(json.dumps([USER.record(), ADMIN.record()]), encoding="utf-8")
    port = free_port()
    argv = [PYTHON, "-m", "cloudbase_auth_mw", "emulator", "--port", str(port)]
    argv += ["--env-id", DEMO_ENV_ID, "--verification-code", DEMO_CODE, "--users-file", str(users)]
    child = spawn(stack, "emulator", argv, child_env({}), workdir / "emulator.log")
    base_url = f"http://{LOOPBACK}:{port}"
    state = wait_ready(child, f"{base_url}/_emulator/health")
    if state != "ready":
        raise StartFailed("emulator", state, child.tail())
    return base_url


@dataclass
class RunningApp:
    """A launched sample app (maybe still booting)."""

    spec: AppSpec
    port: int
    child: Child
    launched_at: float

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"


def launch_app(
    spec: AppSpec, emulator: str, verify_mode: str, stack: ExitStack, workdir: Path
) -> RunningApp:
    """Start ``spec`` under its server (returns at once; see :func:`wait_ready`)."""
    port = free_port()
    env = child_env(
        {
            "CLOUDBASE_AUTH_BASE_URL": emulator,
            "CLOUDBASE_AUTH_ENV_ID": DEMO_ENV_ID,
            **VERIFY_MODES[verify_mode],
            "PORT": str(port),
            **spec.env(workdir),
        }
    )
    child = spawn(stack, spec.key, spec.argv(port, workdir), env, workdir / f"{spec.key}.log")
    return RunningApp(spec, port, child, time.monotonic())


# ---------------------------------------------------------------------------- the walk
def _challenge(response: requests.Response) -> str:
    """``401 invalid_token``: the status and the RFC 6750 ``error`` of the challenge."""
    status = response.status_code
    if status < 400:
        return str(status)
    header = response.headers.get("WWW-Authenticate", "")
    error = re.search(r'error="([^"]*)"', header)
    if error:
        return f"{status} {error[1]}"
    if header.lower().startswith("bearer"):
        return f"{status} Bearer challenge"
    return f"{status} without WWW-Authenticate"


def _find(data: Any, key: str) -> Any:
    """The first value of ``key`` in nested JSON (the apps may wrap the profile)."""
    if isinstance(data, dict):
        if key in data:
            return data[key]
        data = list(data.values())
    if isinstance(data, list):
        for item in data:
            found = _find(item, key)
            if found is not None:
                return found
    return None


def _as_user(sub: str, label: str) -> Callable[[requests.Response], str]:
    """``200 alice`` when the answer names the caller's ``sub``."""

    def describe(response: requests.Response) -> str:
        if response.status_code != 200:
            return _challenge(response)
        return f"200 {label}" if sub in response.text else "200 without the caller's sub"

    return describe


def _profile_name(response: requests.Response) -> str:
    if response.status_code != 200:
        return _challenge(response)
    try:
        name = _find(response.json(), "name")
    except ValueError:
        return "200 not JSON"
    return f"200 name={name}"


def _kind(tokens: TokenResponse) -> str:
    return "anonymous token" if tokens.is_anonymous else "user token"


class AppWalk(Walk):
    """The client demo's walk (scenarios that stop at their first failed step, rows) plus
    ``GET``s on one app; ``step``/``refused`` check client calls."""

    def __init__(self, base_url: str, client: CloudBaseAuthClient, http: requests.Session):
        super().__init__()
        self.base_url, self.client, self.http = base_url, client, http

    def get(
        self,
        path: str,
        expected: str,
        token: str | None = None,
        describe: Callable[[requests.Response], str] = _challenge,
    ) -> None:
        """``GET path`` (with ``token`` as bearer) and compare ``describe(answer)``."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = self.http.get(self.base_url + path, headers=headers, timeout=HTTP_TIMEOUT)
        except requests.RequestException as exc:
            got = type(exc).__name__
        else:
            got = describe(response)
        self._record(f"GET {path}", expected, got)


def _sign_in(walk: AppWalk, user: DemoUser) -> TokenResponse:
    return walk.step(
        f"sign in as {user.username}",
        "user token",
        lambda: walk.client.sign_in_with_password(user.username, user.password),
        _kind,
    )


def _renewed(old: TokenResponse) -> Callable[[TokenResponse], str]:
    def describe(new: TokenResponse) -> str:
        rotated = (new.access_token, new.refresh_token) != (old.access_token, old.refresh_token)
        return "new tokens" if rotated and new.sub == old.sub else "same tokens"

    return describe


def _no_token(walk: AppWalk) -> None:
    with walk.scenario("no token"):
        walk.get("/public", "200")
        walk.get("/private", "401 Bearer challenge")
        walk.get("/admin", "401 Bearer challenge")


def _anonymous(walk: AppWalk) -> None:
    with walk.scenario("anonymous"):
        tokens = walk.step(
            "sign in anonymously", "anonymous token", walk.client.sign_in_anonymously, _kind
        )
        walk.get(
            "/private", "200 anonymous", tokens.access_token, _as_user(tokens.sub, "anonymous")
        )
        walk.get("/admin", "403 insufficient_scope", tokens.access_token)


def _password(walk: AppWalk) -> TokenResponse | None:
    with walk.scenario("password"):
        tokens = _sign_in(walk, USER)
        access, name = tokens.access_token, USER.username
        walk.get("/private", f"200 {name}", access, _as_user(tokens.sub, name))
        walk.get("/profile", f"200 name={USER.name}", access, _profile_name)
        walk.get("/admin", "403 insufficient_scope", access)
        return tokens
    return None


def _admin(walk: AppWalk) -> None:
    with walk.scenario("admin group"):
        tokens = _sign_in(walk, ADMIN)
        name = ADMIN.username
        walk.get("/admin", f"200 {name}", tokens.access_token, _as_user(tokens.sub, name))


def _refresh(walk: AppWalk, tokens: TokenResponse) -> TokenResponse | None:
    old = tokens.refresh_token or ""
    refresh = walk.client.refresh
    with walk.scenario("refresh"):
        new = walk.step("refresh", "new tokens", lambda: refresh(old), _renewed(tokens))
        name = USER.username
        walk.get("/private", f"200 {name}", new.access_token, _as_user(new.sub, name))
        walk.refused("reuse old refresh token", "InvalidGrant", lambda: refresh(old))
        return new
    return None


def _revoke(walk: AppWalk, tokens: TokenResponse) -> None:
    access = tokens.access_token
    with walk.scenario("revoke"):
        walk.step("revoke access token", "done", lambda: walk.client.revoke(access))
        walk.get("/private", "401 invalid_token", access)
        walk.get("/profile", "401 invalid_token", access)


def walk_app(walk: AppWalk) -> list[Row]:
    """The seed scenarios through one app: protected routes, profile, groups, refresh, revoke."""
    _no_token(walk)
    _anonymous(walk)
    tokens = _password(walk)
    _admin(walk)
    refreshed = _refresh(walk, tokens) if tokens else None
    if refreshed is not None:
        _revoke(walk, refreshed)
    return walk.rows


# ---------------------------------------------------------------------------- one app
VERIFY_NOTES: Mapping[str, str] = {
    "introspect": "The apps verify tokens remotely (CLOUDBASE_AUTH_VERIFY_MODE=introspect, "
    "INTROSPECTION_CACHE_TTL=0):\na revoked token keeps a valid signature until it expires, so "
    "only the provider can tell, and no cache may hide it.",
    "jwks+introspect": "The apps verify tokens locally, then re-check them remotely on every "
    "request (CLOUDBASE_AUTH_VERIFY_MODE=jwks+introspect,\nRECHECK_INTERVAL=0, "
    "INTROSPECTION_CACHE_TTL=0): a revoked token keeps a valid signature, only the provider "
    "knows it is revoked.",
}


def run_app(app: RunningApp, emulator: str, verify_mode: str) -> list[Row]:
    """Wait for ``app``, walk it, print its table; returns its rows (a failed start is one)."""
    remaining = app.launched_at + START_TIMEOUT - time.monotonic()
    state = wait_ready(app.child, f"{app.base_url}/public", max(remaining, 1.0))
    took = time.monotonic() - app.launched_at
    rows = [Row("start", f"serve on :{app.port}", "ready", state, state == "ready")]
    title = f"{app.spec.title} sample app ({app.spec.server}) at {app.base_url}"
    if state != "ready":
        print_table(title, rows)
        print(f"{app.spec.key}: last lines of its output:\n{_indent(app.child.tail())}")
        return rows
    with (
        CloudBaseAuthClient(env_id=DEMO_ENV_ID, base_url=emulator) as client,
        requests.Session() as http,
    ):
        rows += walk_app(AppWalk(app.base_url, client, http))
    print_table(f"{title}, up in {took:.1f} s, verify_mode={verify_mode}", rows)
    if not all_passed(rows) and app.child.exit_code() is not None:
        print(f"{app.spec.key} exited; last lines of its output:\n{_indent(app.child.tail())}")
    return rows


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines()) or "    (no output)"


# ---------------------------------------------------------------------------- main
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sample_apps.demo",
        description="Start the emulator and every sample app under a real server on loopback, "
        "walk the seed scenarios through the client and each app, print one table each; "
        "exit status 0 only if every step passed.",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=list(APPS),
        help="walk only this app (repeatable; default: all)",
    )
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="walk every app even after a failed step (default: stop at the first failing table)",
    )
    parser.add_argument(
        "--verify-mode",
        choices=list(VERIFY_MODES),
        default="introspect",
        help="how the apps verify tokens; both see a revocation at once (default introspect)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """The whole demo; every process started here is stopped before it returns or raises."""
    started = time.monotonic()
    outcomes: list[tuple[str, list[Row] | None]] = []
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cloudbase-demo-")))
        try:
            emulator = start_emulator(stack, workdir)
        except StartFailed as exc:
            print(f"{exc}; last lines of its output:\n{_indent(exc.tail)}")
            return 1
        print(
            f"Emulator (python -m cloudbase_auth_mw emulator) at {emulator}, env {DEMO_ENV_ID}, "
            f"users {USER.username} and {ADMIN.username} (group admin)\n"
        )
        apps = [
            launch_app(APPS[key], emulator, args.verify_mode, stack, workdir)
            for key in dict.fromkeys(args.only or APPS)
        ]
        client_rows = run_client_scenarios(emulator, env_id=DEMO_ENV_ID)
        print_table(f"Client scenarios (CloudBaseAuthClient, {emulator})", client_rows)
        outcomes.append(("client", client_rows))
        print(f"\n{VERIFY_NOTES[args.verify_mode]}")
        for app in apps:
            if not args.keep_going and not _all_ok(outcomes):
                outcomes.append((app.spec.key, None))
                continue
            print()
            outcomes.append((app.spec.key, run_app(app, emulator, args.verify_mode)))
    print()
    print(_summary(outcomes, time.monotonic() - started))
    return 0 if _all_ok(outcomes) else 1


def _all_ok(outcomes: Sequence[tuple[str, list[Row] | None]]) -> bool:
    return all(rows is not None and all_passed(rows) for _, rows in outcomes)


def _summary(outcomes: Sequence[tuple[str, list[Row] | None]], seconds: float) -> str:
    parts = [
        f"{name} skipped" if rows is None else f"{name} {sum(r.ok for r in rows)}/{len(rows)}"
        for name, rows in outcomes
    ]
    failed = [name for name, rows in outcomes if rows is not None and not all_passed(rows)]
    skipped = [name for name, rows in outcomes if rows is None]
    verdict = "FAILED: " + ", ".join(failed) if failed else "all passed"
    if skipped:
        verdict += f"; not walked: {', '.join(skipped)} (--keep-going walks them)"
    return f"Summary: {', '.join(parts)} in {seconds:.1f} s: {verdict}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo; 0 if every step passed, 1 if one failed, 128 + signal if interrupted."""
    try:
        args = build_parser().parse_args(sys.argv[1:] if argv is None else list(argv))
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        with INTERRUPTS.installed():
            return run(args)
    except Interrupted as stop:
        print(f"\n{stop}: every process the demo started is stopped", file=sys.stderr)
        return 128 + stop.signum


if __name__ == "__main__":
    sys.exit(main())
