"""Typed HTTP clients for the CloudBase Auth v2 API: sync (requests) and async (httpx).

Both are one-line shims over the flows of :mod:`cloudbase_auth_mw.core.api`, so the two can
never drift; a parity test compares their signatures. ::

    from cloudbase_auth_mw.client import CloudBaseAuthClient

    with CloudBaseAuthClient(env_id="my-env") as client:
        tokens = client.sign_in_with_password("alice", "s3cret")
        profile = client.get_user(tokens.access_token)

Each client keeps one ``x-device-id`` (32 hex, generated once unless given) and sends a fresh
``x-request-id`` with every call. Every failure raises an
:class:`~cloudbase_auth_mw.core.errors.ApiError`: the service's own error as a typed subclass
(``InvalidPassword``, ``InvalidGrant``, ``Unauthenticated``...), a broken answer as
``ServiceError`` and no answer at all as ``ServiceUnreachable``. Only ``GET`` calls are retried
(once, after a connection failure); sign-in and refresh never are.
"""

from __future__ import annotations

import uuid
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from .core import api
from .core.api import ApiContext, VerificationTarget
from .core.config import CloudBaseAuthConfig
from .core.http import Flow
from .core.identity import UserProfile
from .core.models import (
    REFRESH_MARGIN,
    CaptchaData,
    CaptchaToken,
    IntrospectionResult,
    ProviderList,
    ProviderToken,
    SudoToken,
    TokenResponse,
    VerificationSent,
    VerificationToken,
)
from .transport import AsyncRunner, SyncRunner
from .transport.base import AsyncTransport, SyncTransport
from .transport.defaults import async_transport_for, sync_transport_for

if TYPE_CHECKING:
    from typing_extensions import Self

T = TypeVar("T")


def _context(
    config: CloudBaseAuthConfig | None, device_id: str | None, config_kwargs: dict[str, Any]
) -> ApiContext:
    if config is None:
        config = CloudBaseAuthConfig(**config_kwargs)
    elif config_kwargs:
        config = config.replace(**config_kwargs)
    return ApiContext(config=config, device_id=device_id or config.device_id or uuid.uuid4().hex)


class _ClientBase:
    """What both clients share: the settings and the persisted device id."""

    def __init__(
        self,
        config: CloudBaseAuthConfig | None,
        device_id: str | None,
        config_kwargs: dict[str, Any],
    ) -> None:
        self._ctx = _context(config, device_id, config_kwargs)

    @property
    def config(self) -> CloudBaseAuthConfig:
        """The settings this client calls CloudBase with."""
        return self._ctx.config

    @property
    def device_id(self) -> str:
        """The ``x-device-id`` sent with every call (it fixes the anonymous user)."""
        return self._ctx.device_id

    def __repr__(self) -> str:
        cfg = self.config
        return f"{type(self).__name__}(env_id={cfg.env_id!r}, api_base={cfg.api_base!r})"


class CloudBaseAuthClient(_ClientBase):
    """Synchronous Auth v2 client on ``requests`` (thread-safe).

    ``CloudBaseAuthClient(env_id="x", base_url="http://127.0.0.1:8787")`` or
    ``CloudBaseAuthClient(config)``; keyword settings override the config's. A ``transport``
    you pass stays yours: :meth:`close` only closes the transport the client created.
    """

    def __init__(
        self,
        config: CloudBaseAuthConfig | None = None,
        *,
        transport: SyncTransport | None = None,
        device_id: str | None = None,
        **config_kwargs: Any,
    ) -> None:
        super().__init__(config, device_id, config_kwargs)
        self._owns_transport = transport is None
        self._runner = SyncRunner(transport or sync_transport_for(self.config))

    def _run(self, flow: Flow[T]) -> T:
        return self._runner.run(flow)

    def close(self) -> None:
        """Close the connection pool (if the client created it)."""
        if self._owns_transport:
            self._runner.transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -------------------------------------------------------------- sign-in and sign-up
    def sign_in_with_password(
        self, username: str, password: str, *, captcha_token: str | None = None
    ) -> TokenResponse:
        """Sign in with a user name, email or ``"+86 ..."`` phone number and a password."""
        return self._run(
            api.sign_in_with_password(self._ctx, username, password, captcha_token=captcha_token)
        )

    def sign_in_with_verification(
        self, verification_token: str, *, username: str | None = None
    ) -> TokenResponse:
        """Sign in with the ``verification_token`` of :meth:`verify`."""
        return self._run(
            api.sign_in_with_verification(self._ctx, verification_token, username=username)
        )

    def sign_in_anonymously(self, *, provider_token: str | None = None) -> TokenResponse:
        """Sign in as this device's anonymous user."""
        return self._run(api.sign_in_anonymously(self._ctx, provider_token=provider_token))

    def sign_in_with_provider(
        self, provider_token: str, *, provider_id: str | None = None
    ) -> TokenResponse:
        """Sign in with a third-party ``provider_token``."""
        return self._run(
            api.sign_in_with_provider(self._ctx, provider_token, provider_id=provider_id)
        )

    def sign_up(
        self,
        *,
        phone_number: str | None = None,
        email: str | None = None,
        verification_token: str | None = None,
        verification_code: str | None = None,
        username: str | None = None,
        password: str | None = None,
        name: str | None = None,
        anonymous_token: str | None = None,
        provider_token: str | None = None,
    ) -> TokenResponse:
        """Create a user from a verified phone/email (or a provider token) and sign it in."""
        return self._run(
            api.sign_up(
                self._ctx,
                phone_number=phone_number,
                email=email,
                verification_token=verification_token,
                verification_code=verification_code,
                username=username,
                password=password,
                name=name,
                anonymous_token=anonymous_token,
                provider_token=provider_token,
            )
        )

    # -------------------------------------------------------------- verification codes
    def send_verification(
        self,
        *,
        phone_number: str | None = None,
        email: str | None = None,
        target: VerificationTarget = "ANY",
        usage: str | None = None,
        locale: str | None = None,
        email_redirect_to: str | None = None,
        access_token: str | None = None,
        captcha_token: str | None = None,
    ) -> VerificationSent:
        """Send a code to one phone number or email; ``is_user`` says sign in or sign up."""
        return self._run(
            api.send_verification(
                self._ctx,
                phone_number=phone_number,
                email=email,
                target=target,
                usage=usage,
                locale=locale,
                email_redirect_to=email_redirect_to,
                access_token=access_token,
                captcha_token=captcha_token,
            )
        )

    def verify(self, verification_id: str, verification_code: str) -> VerificationToken:
        """Check a code; returns the ``verification_token`` for sign-in or sign-up."""
        return self._run(api.verify(self._ctx, verification_id, verification_code))

    # -------------------------------------------------------------- tokens
    def refresh(self, refresh_token: str) -> TokenResponse:
        """Exchange a refresh token; keep the new one (the old one is now invalid)."""
        return self._run(api.refresh(self._ctx, refresh_token))

    def ensure_fresh(
        self, tokens: TokenResponse, *, margin: float = REFRESH_MARGIN
    ) -> TokenResponse:
        """``tokens`` if fresh, else refreshed ones (keep them: the refresh token rotated)."""
        return self._run(api.ensure_fresh(self._ctx, tokens, margin=margin))

    def password_grant(
        self, username: str, password: str, *, scope: str | None = None
    ) -> TokenResponse:
        """``/token`` with ``grant_type=password``."""
        return self._run(api.password_grant(self._ctx, username, password, scope=scope))

    def client_credentials(
        self,
        *,
        secret_id: str | None = None,
        secret_key: str | None = None,
        scope: str | None = None,
    ) -> TokenResponse:
        """Administrator token with Basic ``secret_id:secret_key`` (no refresh token)."""
        return self._run(
            api.client_credentials(
                self._ctx, secret_id=secret_id, secret_key=secret_key, scope=scope
            )
        )

    def introspect(self, access_token: str) -> IntrospectionResult:
        """Ask CloudBase whether a token is active (``active`` is False for ``{}``)."""
        return self._run(api.introspect(self._ctx, access_token))

    def revoke(self, access_token: str) -> None:
        """Sign out: revoke the access token (and its session)."""
        return self._run(api.revoke(self._ctx, access_token))

    # -------------------------------------------------------------- the signed-in user
    def get_user(self, access_token: str) -> UserProfile:
        """The user's profile (``GET /user/me``)."""
        return self._run(api.get_user(self._ctx, access_token))

    def sudo(
        self,
        access_token: str,
        *,
        password: str | None = None,
        verification_token: str | None = None,
    ) -> SudoToken:
        """Get a sudo token (900 s) with the password or a ``verification_token``."""
        return self._run(
            api.sudo(
                self._ctx, access_token, password=password, verification_token=verification_token
            )
        )

    def change_password(self, access_token: str, sudo_token: str, new_password: str) -> None:
        """Set a new password (needs a sudo token)."""
        return self._run(api.change_password(self._ctx, access_token, sudo_token, new_password))

    def delete_me(self, access_token: str, sudo_token: str) -> None:
        """Delete the signed-in user (needs a sudo token)."""
        return self._run(api.delete_me(self._ctx, access_token, sudo_token))

    # -------------------------------------------------------------- providers
    def grant_provider_token(
        self,
        provider_id: str,
        *,
        provider_code: str | None = None,
        provider_access_token: str | None = None,
        provider_id_token: str | None = None,
        provider_redirect_uri: str | None = None,
    ) -> ProviderToken:
        """Trade a third-party credential for a ``provider_token``."""
        return self._run(
            api.grant_provider_token(
                self._ctx,
                provider_id,
                provider_code=provider_code,
                provider_access_token=provider_access_token,
                provider_id_token=provider_id_token,
                provider_redirect_uri=provider_redirect_uri,
            )
        )

    def list_providers(self, access_token: str) -> ProviderList:
        """The identity providers and whether each is bound to the user."""
        return self._run(api.list_providers(self._ctx, access_token))

    def bind_provider(self, access_token: str, provider_token: str) -> None:
        """Bind a third-party identity (``provider_token``) to the user."""
        return self._run(api.bind_provider(self._ctx, access_token, provider_token))

    def unbind_provider(self, access_token: str, provider_id: str) -> None:
        """Unbind the provider ``provider_id`` from the user."""
        return self._run(api.unbind_provider(self._ctx, access_token, provider_id))

    # -------------------------------------------------------------- captcha
    def get_captcha_data(self, state: str, *, redirect_uri: str = "") -> CaptchaData:
        """Fetch a captcha image for the refused call ``state`` (``"POST:/v1/verification"``)."""
        return self._run(api.get_captcha_data(self._ctx, state, redirect_uri=redirect_uri))

    def verify_captcha(self, token: str, key: str) -> CaptchaToken:
        """Check the user's answer ``key``; pass the result's ``captcha_token`` to the retry."""
        return self._run(api.verify_captcha(self._ctx, token, key))


class AsyncCloudBaseAuthClient(_ClientBase):
    """Asynchronous Auth v2 client on ``httpx`` (the ``async`` extra).

    Same methods and signatures as :class:`CloudBaseAuthClient`, as coroutines.
    """

    def __init__(
        self,
        config: CloudBaseAuthConfig | None = None,
        *,
        transport: AsyncTransport | None = None,
        device_id: str | None = None,
        **config_kwargs: Any,
    ) -> None:
        super().__init__(config, device_id, config_kwargs)
        self._owns_transport = transport is None
        self._runner = AsyncRunner(transport or async_transport_for(self.config))

    async def _run(self, flow: Flow[T]) -> T:
        return await self._runner.run(flow)

    async def aclose(self) -> None:
        """Close the connection pool of the running loop (if the client created it)."""
        if self._owns_transport:
            await self._runner.transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -------------------------------------------------------------- sign-in and sign-up
    async def sign_in_with_password(
        self, username: str, password: str, *, captcha_token: str | None = None
    ) -> TokenResponse:
        """Sign in with a user name, email or ``"+86 ..."`` phone number and a password."""
        return await self._run(
            api.sign_in_with_password(self._ctx, username, password, captcha_token=captcha_token)
        )

    async def sign_in_with_verification(
        self, verification_token: str, *, username: str | None = None
    ) -> TokenResponse:
        """Sign in with the ``verification_token`` of :meth:`verify`."""
        return await self._run(
            api.sign_in_with_verification(self._ctx, verification_token, username=username)
        )

    async def sign_in_anonymously(self, *, provider_token: str | None = None) -> TokenResponse:
        """Sign in as this device's anonymous user."""
        return await self._run(api.sign_in_anonymously(self._ctx, provider_token=provider_token))

    async def sign_in_with_provider(
        self, provider_token: str, *, provider_id: str | None = None
    ) -> TokenResponse:
        """Sign in with a third-party ``provider_token``."""
        return await self._run(
            api.sign_in_with_provider(self._ctx, provider_token, provider_id=provider_id)
        )

    async def sign_up(
        self,
        *,
        phone_number: str | None = None,
        email: str | None = None,
        verification_token: str | None = None,
        verification_code: str | None = None,
        username: str | None = None,
        password: str | None = None,
        name: str | None = None,
        anonymous_token: str | None = None,
        provider_token: str | None = None,
    ) -> TokenResponse:
        """Create a user from a verified phone/email (or a provider token) and sign it in."""
        return await self._run(
            api.sign_up(
                self._ctx,
                phone_number=phone_number,
                email=email,
                verification_token=verification_token,
                verification_code=verification_code,
                username=username,
                password=password,
                name=name,
                anonymous_token=anonymous_token,
                provider_token=provider_token,
            )
        )

    # -------------------------------------------------------------- verification codes
    async def send_verification(
        self,
        *,
        phone_number: str | None = None,
        email: str | None = None,
        target: VerificationTarget = "ANY",
        usage: str | None = None,
        locale: str | None = None,
        email_redirect_to: str | None = None,
        access_token: str | None = None,
        captcha_token: str | None = None,
    ) -> VerificationSent:
        """Send a code to one phone number or email; ``is_user`` says sign in or sign up."""
        return await self._run(
            api.send_verification(
                self._ctx,
                phone_number=phone_number,
                email=email,
                target=target,
                usage=usage,
                locale=locale,
                email_redirect_to=email_redirect_to,
                access_token=access_token,
                captcha_token=captcha_token,
            )
        )

    async def verify(self, verification_id: str, verification_code: str) -> VerificationToken:
        """Check a code; returns the ``verification_token`` for sign-in or sign-up."""
        return await self._run(api.verify(self._ctx, verification_id, verification_code))

    # -------------------------------------------------------------- tokens
    async def refresh(self, refresh_token: str) -> TokenResponse:
        """Exchange a refresh token; keep the new one (the old one is now invalid)."""
        return await self._run(api.refresh(self._ctx, refresh_token))

    async def ensure_fresh(
        self, tokens: TokenResponse, *, margin: float = REFRESH_MARGIN
    ) -> TokenResponse:
        """``tokens`` if fresh, else refreshed ones (keep them: the refresh token rotated)."""
        return await self._run(api.ensure_fresh(self._ctx, tokens, margin=margin))

    async def password_grant(
        self, username: str, password: str, *, scope: str | None = None
    ) -> TokenResponse:
        """``/token`` with ``grant_type=password``."""
        return await self._run(api.password_grant(self._ctx, username, password, scope=scope))

    async def client_credentials(
        self,
        *,
        secret_id: str | None = None,
        secret_key: str | None = None,
        scope: str | None = None,
    ) -> TokenResponse:
        """Administrator token with Basic ``secret_id:secret_key`` (no refresh token)."""
        return await self._run(
            api.client_credentials(
                self._ctx, secret_id=secret_id, secret_key=secret_key, scope=scope
            )
        )

    async def introspect(self, access_token: str) -> IntrospectionResult:
        """Ask CloudBase whether a token is active (``active`` is False for ``{}``)."""
        return await self._run(api.introspect(self._ctx, access_token))

    async def revoke(self, access_token: str) -> None:
        """Sign out: revoke the access token (and its session)."""
        return await self._run(api.revoke(self._ctx, access_token))

    # -------------------------------------------------------------- the signed-in user
    async def get_user(self, access_token: str) -> UserProfile:
        """The user's profile (``GET /user/me``)."""
        return await self._run(api.get_user(self._ctx, access_token))

    async def sudo(
        self,
        access_token: str,
        *,
        password: str | None = None,
        verification_token: str | None = None,
    ) -> SudoToken:
        """Get a sudo token (900 s) with the password or a ``verification_token``."""
        return await self._run(
            api.sudo(
                self._ctx, access_token, password=password, verification_token=verification_token
            )
        )

    async def change_password(self, access_token: str, sudo_token: str, new_password: str) -> None:
        """Set a new password (needs a sudo token)."""
        return await self._run(
            api.change_password(self._ctx, access_token, sudo_token, new_password)
        )

    async def delete_me(self, access_token: str, sudo_token: str) -> None:
        """Delete the signed-in user (needs a sudo token)."""
        return await self._run(api.delete_me(self._ctx, access_token, sudo_token))

    # -------------------------------------------------------------- providers
    async def grant_provider_token(
        self,
        provider_id: str,
        *,
        provider_code: str | None = None,
        provider_access_token: str | None = None,
        provider_id_token: str | None = None,
        provider_redirect_uri: str | None = None,
    ) -> ProviderToken:
        """Trade a third-party credential for a ``provider_token``."""
        return await self._run(
            api.grant_provider_token(
                self._ctx,
                provider_id,
                provider_code=provider_code,
                provider_access_token=provider_access_token,
                provider_id_token=provider_id_token,
                provider_redirect_uri=provider_redirect_uri,
            )
        )

    async def list_providers(self, access_token: str) -> ProviderList:
        """The identity providers and whether each is bound to the user."""
        return await self._run(api.list_providers(self._ctx, access_token))

    async def bind_provider(self, access_token: str, provider_token: str) -> None:
        """Bind a third-party identity (``provider_token``) to the user."""
        return await self._run(api.bind_provider(self._ctx, access_token, provider_token))

    async def unbind_provider(self, access_token: str, provider_id: str) -> None:
        """Unbind the provider ``provider_id`` from the user."""
        return await self._run(api.unbind_provider(self._ctx, access_token, provider_id))

    # -------------------------------------------------------------- captcha
    async def get_captcha_data(self, state: str, *, redirect_uri: str = "") -> CaptchaData:
        """Fetch a captcha image for the refused call ``state`` (``"POST:/v1/verification"``)."""
        return await self._run(api.get_captcha_data(self._ctx, state, redirect_uri=redirect_uri))

    async def verify_captcha(self, token: str, key: str) -> CaptchaToken:
        """Check the user's answer ``key``; pass the result's ``captcha_token`` to the retry."""
        return await self._run(api.verify_captcha(self._ctx, token, key))


__all__ = ["AsyncCloudBaseAuthClient", "CloudBaseAuthClient"]
