from __future__ import annotations

import json

import pytest

from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.core.errors import (
    InsufficientScope,
    InvalidRequest,
    MissingToken,
    ProviderUnavailable,
    TokenExpired,
    TokenTooLarge,
)
from cloudbase_auth_mw.core.rendering import render_error
from cloudbase_auth_mw.core.tokens import extract_token

CONFIG = CloudBaseAuthConfig(env_id="e")
EVERYWHERE = CONFIG.replace(token_locations=("header", "cookie", "query"))


def test_header_bearer_any_case() -> None:
    assert extract_token(CONFIG, authorization=["Bearer abc"]) == "abc"
    assert extract_token(CONFIG, authorization=["bearer   abc "]) == "abc"


def test_other_scheme_is_no_token() -> None:
    assert extract_token(CONFIG, authorization=["Basic dXNlcjpwYXNz"]) is None
    assert extract_token(CONFIG) is None


@pytest.mark.parametrize("value", ["Bearer", "Bearer ", "Bearer a b"])
def test_malformed_bearer_is_invalid_request(value: str) -> None:
    with pytest.raises(InvalidRequest):
        extract_token(CONFIG, authorization=[value])


def test_two_headers_is_invalid_request() -> None:
    with pytest.raises(InvalidRequest):
        extract_token(CONFIG, authorization=["Bearer a", "Bearer b"])


def test_cookie_and_query_only_when_enabled() -> None:
    assert (
        extract_token(CONFIG, cookies={"access_token": "c"}, query={"access_token": ["q"]}) is None
    )
    assert extract_token(EVERYWHERE, cookies={"access_token": "c"}) == "c"
    assert extract_token(EVERYWHERE, query={"access_token": ["q"]}) == "q"


def test_token_in_two_places_is_invalid_request() -> None:
    with pytest.raises(InvalidRequest):
        extract_token(EVERYWHERE, authorization=["Bearer a"], query={"access_token": ["q"]})
    with pytest.raises(InvalidRequest):
        extract_token(EVERYWHERE, query={"access_token": ["q", "r"]})


def test_oversize_token_is_refused_unread() -> None:
    with pytest.raises(TokenTooLarge):
        extract_token(CONFIG, authorization=["Bearer " + "a" * (CONFIG.max_token_bytes + 1)])


def test_challenge_without_token_has_no_error() -> None:
    answer = render_error(MissingToken(), realm="cloudbase")
    assert answer.status == 401
    assert dict(answer.headers)["WWW-Authenticate"] == 'Bearer realm="cloudbase"'
    assert json.loads(answer.body)["error"] == "unauthorized"


def test_invalid_token_challenge() -> None:
    answer = render_error(TokenExpired(), realm="cloudbase")
    challenge = dict(answer.headers)["WWW-Authenticate"]
    assert challenge.startswith(
        'Bearer realm="cloudbase", error="invalid_token", error_description="'
    )
    assert json.loads(answer.body) == {
        "error": "invalid_token",
        "error_description": "The access token expired.",
    }


def test_insufficient_scope_names_the_scope() -> None:
    answer = render_error(InsufficientScope(required=("admin",)), realm="r")
    assert answer.status == 403
    assert 'error="insufficient_scope"' in dict(answer.headers)["WWW-Authenticate"]
    assert 'scope="admin"' in dict(answer.headers)["WWW-Authenticate"]


def test_invalid_request_is_400() -> None:
    answer = render_error(InvalidRequest(), realm="r")
    assert answer.status == 400
    assert 'error="invalid_request"' in dict(answer.headers)["WWW-Authenticate"]


def test_provider_outage_is_503_with_retry_after() -> None:
    answer = render_error(ProviderUnavailable(retry_after=7), realm="r")
    headers = dict(answer.headers)
    assert answer.status == 503
    assert headers["Retry-After"] == "7"
    assert "WWW-Authenticate" not in headers
    assert json.loads(answer.body)["error"] == "temporarily_unavailable"


def test_joined_repeated_headers_are_malformed() -> None:
    """WSGI servers join a repeated header with ", ": that must not pass as one token."""
    from cloudbase_auth_mw.core.tokens import token_from_header

    with pytest.raises(InvalidRequest):
        token_from_header(CONFIG, "Bearer a, Bearer b")
    assert token_from_header(CONFIG, "Basic abc") is None
    with pytest.raises(TokenTooLarge):
        token_from_header(CONFIG, "Bearer " + "a" * (CONFIG.max_token_bytes + 1))
