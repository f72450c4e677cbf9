"""Typed results: parsing, computed fields, and no secret in any repr."""

from __future__ import annotations

import pytest

from cloudbase_auth_mw.core.errors import ServiceError
from cloudbase_auth_mw.core.models import (
    CaptchaData,
    CaptchaToken,
    IntrospectionResult,
    ProviderList,
    SudoToken,
    TokenResponse,
    VerificationSent,
    VerificationToken,
)

SECRET = "s3cr3t-value"
ANSWER = {
    "token_type": "Bearer",
    "access_token": "at-" + SECRET,
    "refresh_token": "rt-" + SECRET,
    "id_token": "id-" + SECRET,
    "expires_in": 7200,
    "scope": "user sso",
    "sub": "1849755119840497664",
    "groups": ["user", "admin", 3],
    "need_weda_resource": False,
}


def test_token_response_fields() -> None:
    tokens = TokenResponse.from_json(ANSWER, received_at=100.0)
    assert tokens.groups == ("user", "admin")
    assert tokens.expires_at == 7300.0
    assert not tokens.is_anonymous
    assert tokens.authorization == "Bearer at-" + SECRET
    assert dict(tokens.raw) == {"need_weda_resource": False}
    assert tokens.needs_refresh(7270.0) and not tokens.needs_refresh(7269.0)


def test_token_response_repr_hides_tokens() -> None:
    tokens = TokenResponse.from_json(ANSWER)
    assert SECRET not in repr(tokens)
    assert "1849755119840497664" in repr(tokens)


def test_token_response_is_read_only() -> None:
    tokens = TokenResponse.from_json(ANSWER)
    with pytest.raises(TypeError):
        tokens.raw["x"] = 1  # type: ignore[index]
    with pytest.raises(AttributeError):
        tokens.scope = "admin"  # type: ignore[misc]


def test_token_response_to_dict_round_trip() -> None:
    data = TokenResponse.from_json(ANSWER, received_at=5.0).to_dict()
    assert data["refresh_token"] == "rt-" + SECRET
    assert data["expires_at"] == 7205.0
    assert data["need_weda_resource"] is False
    assert TokenResponse.from_json(data, received_at=5.0).expires_at == 7205.0


def test_anonymous_tokens_without_refresh() -> None:
    tokens = TokenResponse.from_json({"access_token": "a", "scope": "anonymous"})
    assert tokens.is_anonymous and tokens.refresh_token is None and tokens.token_type == "Bearer"
    assert "refresh_token" not in tokens.to_dict()


def test_token_response_needs_access_token() -> None:
    with pytest.raises(ServiceError, match="access_token"):
        TokenResponse.from_json({"token_type": "Bearer"})


@pytest.mark.parametrize(
    "result",
    [
        VerificationSent.from_json({"verification_id": SECRET, "expires_in": 600}),
        VerificationToken.from_json({"verification_token": SECRET, "expires_in": 600}),
        SudoToken.from_json({"sudo_token": SECRET, "expires_in": 900}),
        CaptchaData.from_json({"data": SECRET, "token": SECRET}),
        CaptchaToken.from_json({"captcha_token": SECRET}),
        IntrospectionResult.from_json({"sub": "1", "token": SECRET}),
    ],
)
def test_short_lived_tokens_hidden(result: object) -> None:
    assert SECRET not in repr(result)


def test_introspection_shapes() -> None:
    assert not IntrospectionResult.from_json({}).active
    assert not IntrospectionResult.from_json({"sub": "1", "active": False}).active
    result = IntrospectionResult.from_json(
        {"token_type": "Bearer", "client_id": "env", "sub": "1", "scope": "user sso"}
    )
    assert result.active and result.client_id == "env" and not result.is_anonymous


def test_provider_list_tolerates_junk() -> None:
    providers = ProviderList.from_json({"data": [{"id": "wx", "bind": True}, "junk"]})
    assert providers.total == 1 and providers.bound[0].id == "wx"
    assert ProviderList.from_json({}).providers == ()


def test_numbers_as_strings() -> None:
    assert (
        VerificationSent.from_json({"verification_id": "v", "expires_in": "600"}).expires_in == 600
    )
    assert SudoToken.from_json({"sudo_token": "s", "expires_in": "soon"}).expires_in == 0
