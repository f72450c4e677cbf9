"""``CloudBaseAuthConfig``: every setting in one frozen, validated object.

Load it from keyword arguments, from a mapping with an optional prefix (Flask's
``app.config["CLOUDBASE_AUTH_*"]``, Django's ``settings.CLOUDBASE_AUTH``) or from
``CLOUDBASE_AUTH_*`` environment variables. One table-driven loader coerces strings, rejects
unknown keys with a "did you mean" and names the setting to fix. Secrets never appear in
``repr``.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, get_args

from .errors import ConfigurationError

VerifyMode = Literal["jwks", "introspect", "jwks+introspect", "static"]
EndpointMode = Literal["gateway", "gateway-intl", "cloud_api"]
TokenLocation = Literal["header", "cookie", "query"]

ENV_PREFIX = "CLOUDBASE_AUTH_"
#: ``CLOUDBASE_AUTH_*`` names that are inputs of the admin commands, not settings: the loaders
#: skip them, so a shell that exports them can still start an app.
COMMAND_INPUTS = frozenset({"TOKEN", "REFRESH_TOKEN", "USERNAME", "PASSWORD"})
#: Asymmetric algorithms only: ``none`` and HS* can never be allowed (a public key is no secret).
SUPPORTED_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
MAX_LEEWAY = 300.0
_SECRET_FIELDS = frozenset({"client_secret"})


@dataclass(frozen=True, kw_only=True)
class CloudBaseAuthConfig:
    """Settings for validating CloudBase Auth v2 tokens and calling the Auth v2 API.

    Only ``env_id`` is required. Every default says why in the comment beside it.
    """

    #: The CloudBase environment id, e.g. ``my-env-1a2b3c``.
    env_id: str
    #: Region of the CLOUD_API host; ``ap-shanghai`` is CloudBase's default region.
    region: str = "ap-shanghai"
    #: ``gateway`` is what the official SDK uses at run time (``.d.ts`` says otherwise).
    endpoint_mode: EndpointMode = "gateway"
    #: An explicit origin (emulator, private endpoint); overrides ``endpoint_mode``/``region``.
    base_url: str | None = None
    #: Path prefix of the Auth API; the SDK's ``apiPath`` default.
    api_path: str = "/auth"
    #: OAuth client id; CloudBase defaults it to the env id.
    client_id: str | None = None
    #: Client secret; ``""`` for public clients, as the SDK sends.
    client_secret: str = field(default="", repr=False)
    #: ``jwks``: local RS256 (fast, no call per request); ``introspect``: remote and official;
    #: ``jwks+introspect``: local, then a remote re-check at most every ``recheck_interval``;
    #: ``static``: local RS256 against ``public_key``.
    verify_mode: VerifyMode = "jwks"
    #: Key-set URL; the path is unconfirmed by CloudBase, so it is configurable.
    jwks_url: str | None = None
    #: PEM public key for ``static`` mode.
    public_key: str | None = field(default=None, repr=False)
    #: Accepted ``iss`` values; default: the gateway and regional CLOUD_API forms for the env.
    issuers: frozenset[str] = frozenset()
    #: Accepted ``aud`` values; default: the client id (the env id).
    audiences: frozenset[str] = frozenset()
    #: Reject tokens whose ``project_id`` claim names another env (when the claim is present).
    check_project_id: bool = True
    #: Clock skew tolerated for exp/nbf/iat, in seconds (bounded by ``MAX_LEEWAY``).
    leeway: float = 30.0
    #: RS256 is what CloudBase signs with; others only if you know you need them.
    algorithms: frozenset[str] = frozenset({"RS256"})
    #: Where to look for the token; cookies and query strings leak into logs, so opt in (and a
    #: cookie is sent by browsers on their own: enable it only behind CSRF protection).
    token_locations: tuple[TokenLocation, ...] = ("header",)
    cookie_name: str = "access_token"
    query_param: str = "access_token"
    #: CloudBase documents access tokens up to 4096 characters; twice that is refused unread.
    max_token_bytes: int = 8192
    #: Whether anonymous CloudBase users (``scope == "anonymous"``) count as signed in.
    allow_anonymous: bool = True
    #: Realm in ``WWW-Authenticate`` challenges.
    realm: str = "cloudbase"
    #: Verified tokens remembered (bounded), and for how long at most (expiry is re-checked).
    token_cache_size: int = 10_000
    token_cache_ttl: float = 600.0
    #: Profiles from ``/user/me`` remembered per ``sub``.
    profile_cache_size: int = 10_000
    profile_cache_ttl: float = 60.0
    #: Introspection answers remembered per token hash (never past the token's own expiry).
    introspection_cache_size: int = 10_000
    introspection_cache_ttl: float = 30.0
    #: ``jwks+introspect``: how stale a remote re-check may be for one token.
    recheck_interval: float = 60.0
    #: Key set freshness; CloudBase rotates rarely.
    jwks_cache_ttl: float = 3600.0
    #: At most one key-set refresh per this many seconds when a token names an unknown ``kid``.
    jwks_refresh_cooldown: float = 30.0
    #: Unknown kids are remembered this long so chosen kids cannot make us hammer the provider.
    unknown_kid_ttl: float = 300.0
    #: Keep serving the last good keys this long when the key set cannot be fetched; then 503.
    jwks_stale_grace: float = 3600.0
    #: HTTP timeouts (seconds) for calls to CloudBase.
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    #: Retry-After (seconds) sent with 503 answers.
    retry_after: int = 5
    #: ``x-device-id`` sent on server-side calls; the SDK persists one per device.
    device_id: str | None = None

    def __post_init__(self) -> None:
        _validate(self)

    # ---------------------------------------------------------------- derived values
    @cached_property
    def effective_client_id(self) -> str:
        """The client id sent to CloudBase: ``client_id`` or, by default, the env id."""
        return self.client_id or self.env_id

    @cached_property
    def api_origin(self) -> str:
        """Scheme and host of the Auth API, without a trailing slash."""
        if self.base_url:
            return self.base_url.rstrip("/")
        if self.endpoint_mode == "cloud_api":
            return f"https://{self.env_id}.{self.region}.tcb-api.tencentcloudapi.com"
        if self.endpoint_mode == "gateway-intl":
            return f"https://{self.env_id}.api.intl.tcloudbasegateway.com"
        return f"https://{self.env_id}.api.tcloudbasegateway.com"

    @cached_property
    def api_base(self) -> str:
        """``{origin}{api_path}``: prefix of every ``/v1/...`` endpoint."""
        return (
            self.api_origin + "/" + self.api_path.strip("/")
            if self.api_path.strip("/")
            else self.api_origin
        )

    @cached_property
    def effective_jwks_url(self) -> str:
        return self.jwks_url or f"{self.api_base}/v1/certs"

    @cached_property
    def effective_issuers(self) -> frozenset[str]:
        if self.issuers:
            return self.issuers
        env, region = self.env_id, self.region
        regional = f"{env}.{region}.tcb-api.tencentcloudapi.com"
        return frozenset(
            {
                f"https://{env}.api.tcloudbasegateway.com",
                f"https://{env}.api.intl.tcloudbasegateway.com",
                f"http://{regional}",
                f"https://{regional}",
            }
        )

    @cached_property
    def effective_audiences(self) -> frozenset[str]:
        return self.audiences or frozenset({self.effective_client_id})

    def replace(self, **changes: Any) -> CloudBaseAuthConfig:
        """A copy with some settings changed (validated again)."""
        return dataclasses.replace(self, **changes)

    # ---------------------------------------------------------------- loaders
    @classmethod
    def from_mapping(
        cls, mapping: Mapping[str, Any], *, prefix: str = "", **overrides: Any
    ) -> CloudBaseAuthConfig:
        """Load from a mapping; with ``prefix`` only keys starting with it are read.

        Keys are matched case-insensitively (``ENV_ID`` or ``env_id``); values may be strings
        (``"true"``, ``"30"``, ``"a,b"``) and are coerced. Unknown keys are rejected.
        """
        values: dict[str, Any] = {}
        for raw_key, value in mapping.items():
            if prefix:
                if not raw_key.upper().startswith(prefix.upper()):
                    continue
                raw_key = raw_key[len(prefix) :]
                if raw_key.upper() in COMMAND_INPUTS:
                    continue
            values[_field_name(raw_key, prefix)] = value
        values.update(overrides)
        if not values.get("env_id"):
            name = f"{prefix}ENV_ID" if prefix else "env_id"
            raise ConfigurationError(
                f"CloudBase auth setting {name!r}: the environment id is required"
            )
        return cls(**{name: _coerce(name, value) for name, value in values.items()})

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> CloudBaseAuthConfig:
        """Load from ``CLOUDBASE_AUTH_*`` environment variables (``CLOUDBASE_AUTH_ENV_ID``...)."""
        return cls.from_mapping(
            os.environ if environ is None else environ, prefix=ENV_PREFIX, **overrides
        )


# -------------------------------------------------------------------- loading helpers
_FIELDS = {f.name: f for f in dataclasses.fields(CloudBaseAuthConfig)}


def _field_name(key: str, prefix: str) -> str:
    name = key.strip().lower()
    if name in _FIELDS:
        return name
    close = difflib.get_close_matches(name, list(_FIELDS), n=1)
    hint = (
        f"; did you mean {(prefix + close[0]).upper() if prefix else close[0]!r}?" if close else ""
    )
    raise ConfigurationError(f"unknown CloudBase auth setting {prefix + key!r}{hint}")


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _coerce(name: str, value: Any) -> Any:
    """Turn a loader value (often a string) into the field's type, naming the field on error."""
    kind = str(_FIELDS[name].type)
    try:
        if isinstance(value, str):
            if kind == "bool":
                low = value.strip().lower()
                if low not in _TRUE | _FALSE:
                    raise ValueError(value)
                return low in _TRUE
            if kind == "int":
                return int(value)
            if kind == "float":
                return float(value)
            if kind.startswith("frozenset"):
                return frozenset(_split(value))
            if kind.startswith("tuple"):
                return tuple(_split(value))
            if kind.endswith("| None") and not value.strip():
                return None
            return value
        if kind.startswith("frozenset") and isinstance(value, Iterable):
            return frozenset(value)
        if kind.startswith("tuple") and isinstance(value, Iterable):
            return tuple(value)
    except ValueError:
        raise ConfigurationError(f"CloudBase auth setting {name!r} has an invalid value") from None
    return value


def _validate(config: CloudBaseAuthConfig) -> None:
    def fail(setting: str, why: str) -> None:
        raise ConfigurationError(f"CloudBase auth setting {setting!r}: {why}")

    if not config.env_id or not isinstance(config.env_id, str):
        fail("env_id", "the CloudBase environment id is required")
    if config.verify_mode not in get_args(VerifyMode):
        fail("verify_mode", f"must be one of {', '.join(get_args(VerifyMode))}")
    if config.endpoint_mode not in get_args(EndpointMode):
        fail("endpoint_mode", f"must be one of {', '.join(get_args(EndpointMode))}")
    if config.verify_mode == "static" and not config.public_key:
        fail("public_key", "a PEM public key is required when verify_mode is 'static'")
    if config.base_url and not config.base_url.startswith(("http://", "https://")):
        fail("base_url", "must start with http:// or https://")
    bad_algs = set(config.algorithms) - SUPPORTED_ALGORITHMS
    if bad_algs or not config.algorithms:
        fail(
            "algorithms", f"only asymmetric algorithms are allowed: {sorted(SUPPORTED_ALGORITHMS)}"
        )
    if not 0 <= config.leeway <= MAX_LEEWAY:
        fail("leeway", f"must be between 0 and {MAX_LEEWAY:g} seconds")
    for loc in config.token_locations:
        if loc not in get_args(TokenLocation):
            fail("token_locations", f"unknown location {loc!r}")
    if not config.token_locations:
        fail("token_locations", "name at least one of header, cookie, query")
    for name in (
        "max_token_bytes",
        "token_cache_size",
        "profile_cache_size",
        "introspection_cache_size",
    ):
        if getattr(config, name) < 1:
            fail(name, "must be a positive number")
    for name in ("connect_timeout", "read_timeout", "jwks_cache_ttl", "jwks_stale_grace"):
        if getattr(config, name) <= 0:
            fail(name, "must be positive")
    for name in ("token_cache_ttl", "profile_cache_ttl", "introspection_cache_ttl"):
        if getattr(config, name) < 0:
            fail(name, "must not be negative")
