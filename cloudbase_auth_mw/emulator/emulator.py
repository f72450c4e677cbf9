"""``Emulator``: the local CloudBase Auth v2 service, driven from Python (or over HTTP).

::

    with Emulator(env_id="test-env") as emu:
        alice = emu.add_user(username="alice", password="Passw0rd!")
        config = CloudBaseAuthConfig(env_id="test-env", base_url=emu.base_url)
        token = emu.mint_access_token(alice.sub)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any

from .admin import AdminApi
from .credentials import open_session
from .faults import Counters, Faults
from .handler import Result, handle
from .issuer import USER_SCOPE, apply_overrides, build_claims, gateway_issuer, mint
from .jose import token_fingerprint
from .server import LoopbackServer
from .state import EmulatedUser, EmulatorState, Settings, new_numeric_sub
from .wsgi import EmulatorApp


def resolve_issuer(env_id: str, issuer: str | None) -> str:
    """``None``/``"cloud_api"``: the observed CLOUD_API form; ``"gateway"``: the gateway form."""
    if issuer == "gateway":
        return gateway_issuer(env_id)
    return "" if issuer in (None, "", "cloud_api") else str(issuer)


class Emulator:
    """A CloudBase Auth v2 emulator: in-memory state, RS256 keys, faults, a loopback server."""

    def __init__(
        self,
        env_id: str = "test-env",
        issuer: str | None = None,
        token_lifetime: int = 7200,
        refresh_lifetime: int = 31 * 86400,
        verification_code: str = "123456",
        anonymous_enabled: bool = True,
        clock: Callable[[], float] | None = None,
        *,
        api_path: str = "/auth",
        captcha_answer: str = "1234",
        password_policy: bool = True,
    ) -> None:
        self._defaults: dict[str, Any] = {
            "env_id": env_id,
            "issuer": resolve_issuer(env_id, issuer),
            "token_lifetime": int(token_lifetime),
            "refresh_lifetime": int(refresh_lifetime),
            "verification_code": verification_code,
            "anonymous_enabled": anonymous_enabled,
            "api_path": api_path,
            "captcha_answer": captcha_answer,
            "password_policy": password_policy,
        }
        self.state = EmulatorState(Settings(**self._defaults), clock)
        self.faults = Faults()
        self.counters = Counters()
        self.admin = AdminApi(self)
        self.wsgi_app = EmulatorApp(self.state, self.faults, self.counters, self.admin.handle)
        self._server: LoopbackServer | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self, port: int = 0, host: str = "127.0.0.1") -> Emulator:
        """Serve on ``host:port`` (``0``: a free port) in a daemon thread; returns ``self``."""
        if self._server is None:
            self._server = LoopbackServer(self.wsgi_app, host, port)
            self._server.start()
        return self

    def stop(self) -> None:
        """Stop the server (state is kept; ``start()`` again serves it on a new port)."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.base_url if self._server else "stopped"
        return f"Emulator(env_id={self.env_id!r}, {where})"

    @property
    def base_url(self) -> str:
        """The origin, ``http://127.0.0.1:PORT`` (the API is under ``/auth/v1``)."""
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        return f"http://{self._server.host}:{self._server.port}"

    @property
    def api_base(self) -> str:
        """``{base_url}{api_path}``, e.g. ``http://127.0.0.1:PORT/auth``."""
        return self.base_url + "/" + self.settings.api_path.strip("/")

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    @property
    def settings(self) -> Settings:
        """Live behaviour knobs (``emu.settings.anonymous_enabled = False``...)."""
        return self.state.settings

    @property
    def env_id(self) -> str:
        return self.settings.env_id

    @property
    def issuer(self) -> str:
        return self.settings.issuer

    # ------------------------------------------------------------------ users and tokens
    def add_user(
        self,
        username: str | None = None,
        password: str | None = None,
        email: str | None = None,
        phone_number: str | None = None,
        name: str | None = None,
        groups: Iterable[str] = ("user",),
        *,
        sub: str | None = None,
        status: str = "ACTIVE",
    ) -> EmulatedUser:
        """Create a user (as the console would); returns it, with ``.sub``."""
        user = EmulatedUser(
            sub=sub or new_numeric_sub(),
            username=username,
            password=password,
            email=email,
            phone_number=phone_number,
            name=name,
            groups=tuple(groups),
            status=status,
            created_from="password" if password else ("email" if email else "phone"),
        )
        with self.state.lock:
            return self.state.add_user(user)

    def get_user(self, sub: str) -> EmulatedUser | None:
        return self.state.users.get(sub)

    @property
    def users(self) -> list[EmulatedUser]:
        with self.state.lock:
            return list(self.state.users.values())

    def issue_tokens(
        self, user: EmulatedUser | str, client_id: str | None = None
    ) -> dict[str, Any]:
        """A real session for ``user`` (or its ``sub``) without a password: a token response."""
        sub = user if isinstance(user, str) else user.sub
        with self.state.lock:
            target = self.state.users[sub]
            return open_session(self.state, target, client_id or self.env_id)

    def mint_access_token(
        self,
        sub: str,
        *,
        scope: str = USER_SCOPE,
        groups: Iterable[str] = (),
        lifetime: int | None = None,
        issued_at: float | None = None,
        kid: str | None = None,
        audience: str | None = None,
        claims_overrides: Mapping[str, Any] | None = None,
        header_overrides: Mapping[str, Any] | None = None,
    ) -> str:
        """A signed access token (no session) for tests; overrides of ``None`` remove a field."""
        claims = build_claims(
            issuer=self.issuer,
            env_id=self.env_id,
            sub=sub,
            audience=audience or self.env_id,
            scope=scope,
            groups=tuple(groups),
            issued_at=int(self.now() if issued_at is None else issued_at),
            lifetime=self.settings.token_lifetime if lifetime is None else int(lifetime),
        )
        token = mint(
            self.state.keys,
            apply_overrides(claims, claims_overrides),
            kid=kid,
            header_overrides=header_overrides,
        )
        with self.state.lock:
            self.state.issued_access.add(token_fingerprint(token))
        return token

    def revoke_token(self, access_token: str) -> None:
        """Revoke a token (and its session, if it has one), as ``/revoke`` does."""
        with self.state.lock:
            self.state.revoke_access_token(access_token)

    # ------------------------------------------------------------------ keys
    def rotate_keys(self, keep_old: bool = True) -> str:
        """Sign with a new key (new UUID ``kid``, returned); old keys stay published if asked."""
        return self.state.keys.rotate(keep_old).kid

    @property
    def jwks(self) -> dict[str, Any]:
        """The key set served at ``/auth/v1/certs``."""
        return self.state.keys.jwks()

    @property
    def signing_kid(self) -> str:
        return self.state.keys.current.kid

    def public_key_pem(self, kid: str | None = None) -> str:
        """PEM public key of the signing key (or of ``kid``), for static-key mode."""
        return self.state.keys.get(kid).public_pem()

    # ------------------------------------------------------------------ clock
    def now(self) -> float:
        """The emulator clock (token ``iat``/``exp``, expiry checks)."""
        return self.state.clock()

    def set_time(self, t: float | None) -> None:
        """Freeze the emulator clock at ``t`` (``None``: back to the real clock)."""
        self.state.clock.set(t)

    def advance(self, seconds: float) -> None:
        """Move the emulator clock forward (frozen or not)."""
        self.state.clock.advance(seconds)

    # ------------------------------------------------------------------ switches
    def require_captcha(self, path: str = "/v1/verification", on: bool = True) -> None:
        """Make ``path`` (below ``/auth``) answer ``captcha_required`` without a captcha token."""
        paths = self.settings.captcha_paths
        if on:
            paths.add(path)
        else:
            paths.discard(path)

    def reset_counters(self) -> None:
        self.counters.reset()

    def reset(self) -> None:
        """Forget users, tokens, faults and counters; restore settings, clock and key set."""
        with self.state.lock:
            self.state.reset()
            for name, value in self._defaults.items():
                setattr(self.state.settings, name, value)
            self.state.settings.__post_init__()
            self.state.clock.set(None)
            self.state.keys.restore()
        self.faults.clear()
        self.counters.reset()

    def handle(
        self,
        method: str,
        path: str,
        query: str | Mapping[str, str] = "",
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> Result:
        """Call the pure handler directly (no HTTP, no faults, no counters)."""
        return handle(self.state, method, path, query, headers or {}, body)
