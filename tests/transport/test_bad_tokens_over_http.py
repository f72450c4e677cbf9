"""Every forged or broken token, against keys served by the emulator over real HTTP: each gets
its specific 401 (never another exception), and none is cached as valid."""

from __future__ import annotations

import pytest

from cloudbase_auth_mw.core import errors
from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.emulator import Emulator
from cloudbase_auth_mw.guard import CloudBaseGuard
from cloudbase_auth_mw.testing.tokens import BAD_TOKEN_CASES, forge

EXPECTED: dict[str, type[errors.InvalidToken]] = {
    "alg_none": errors.UnsupportedAlgorithm,
    "hs256_public_key": errors.UnsupportedAlgorithm,
    "tampered_payload": errors.InvalidSignature,
    "tampered_groups": errors.InvalidSignature,
    "foreign_key": errors.InvalidSignature,
    "unknown_kid": errors.UnknownKeyId,
    "oversize": errors.TokenTooLarge,
    "expired": errors.TokenExpired,
    "not_yet_valid": errors.TokenNotYetValid,
    "wrong_issuer": errors.InvalidIssuer,
    "wrong_audience": errors.InvalidAudience,
    "wrong_project_id": errors.WrongEnvironment,
    "missing_exp": errors.InvalidClaims,
    "missing_sub": errors.InvalidClaims,
}


def test_every_case_has_an_expectation() -> None:
    """A new forger must get a line in EXPECTED (only the garbage strings share one)."""
    unlisted = {case for case in BAD_TOKEN_CASES if case not in EXPECTED}
    assert all(case.startswith("garbage_") for case in unlisted), unlisted
    assert set(EXPECTED) <= set(BAD_TOKEN_CASES)


@pytest.mark.parametrize("case", BAD_TOKEN_CASES)
def test_bad_token_gets_its_specific_401(case: str, emulator: Emulator) -> None:
    guard = CloudBaseGuard(CloudBaseAuthConfig(env_id=emulator.env_id, base_url=emulator.base_url))
    guard.authenticate(emulator.mint_access_token("warm-up"))  # keys fetched over HTTP
    token = forge(emulator, case)
    expected = EXPECTED.get(case, errors.MalformedToken)  # the garbage strings
    with pytest.raises(expected) as caught:
        guard.authenticate(token)
    assert caught.value.status == 401
    assert guard.authenticator.cached(token) is None
    rendered = guard.render_error(caught.value)
    assert 'error="invalid_token"' in dict(rendered.headers)["WWW-Authenticate"]
    assert token not in rendered.body.decode()
