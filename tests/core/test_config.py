from __future__ import annotations

import pytest

from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.core.errors import ConfigurationError


def test_defaults_follow_the_reference() -> None:
    config = CloudBaseAuthConfig(env_id="my-env")
    assert config.api_base == "https://my-env.api.tcloudbasegateway.com/auth"
    assert config.effective_jwks_url == "https://my-env.api.tcloudbasegateway.com/auth/v1/certs"
    assert config.effective_client_id == "my-env"
    assert config.effective_audiences == {"my-env"}
    assert "http://my-env.ap-shanghai.tcb-api.tencentcloudapi.com" in config.effective_issuers
    assert "https://my-env.api.tcloudbasegateway.com" in config.effective_issuers
    assert config.algorithms == {"RS256"}
    assert config.token_locations == ("header",)


def test_cloud_api_and_explicit_origin() -> None:
    cloud = CloudBaseAuthConfig(env_id="e", endpoint_mode="cloud_api", region="ap-guangzhou")
    assert cloud.api_base == "https://e.ap-guangzhou.tcb-api.tencentcloudapi.com/auth"
    local = CloudBaseAuthConfig(env_id="e", base_url="http://127.0.0.1:8787/")
    assert local.api_base == "http://127.0.0.1:8787/auth"


def test_secrets_never_in_repr() -> None:
    config = CloudBaseAuthConfig(env_id="e", client_secret="s3cr3t-value", public_key=None)
    assert "s3cr3t-value" not in repr(config)
    assert "s3cr3t-value" not in str(config)


def test_from_env_coerces_and_filters() -> None:
    config = CloudBaseAuthConfig.from_env(
        {
            "CLOUDBASE_AUTH_ENV_ID": "x",
            "CLOUDBASE_AUTH_LEEWAY": "5",
            "CLOUDBASE_AUTH_ALLOW_ANONYMOUS": "false",
            "CLOUDBASE_AUTH_TOKEN_LOCATIONS": "header, cookie",
            "CLOUDBASE_AUTH_AUDIENCES": "a,b",
            "PATH": "/usr/bin",
        }
    )
    assert config.leeway == 5.0
    assert config.allow_anonymous is False
    assert config.token_locations == ("header", "cookie")
    assert config.audiences == {"a", "b"}


def test_from_mapping_without_prefix_is_case_insensitive() -> None:
    config = CloudBaseAuthConfig.from_mapping({"ENV_ID": "x", "verify_mode": "introspect"})
    assert config.verify_mode == "introspect"


def test_unknown_key_suggests_the_right_one() -> None:
    with pytest.raises(ConfigurationError, match="did you mean 'CLOUDBASE_AUTH_ENV_ID'"):
        CloudBaseAuthConfig.from_env({"CLOUDBASE_AUTH_ENVID": "x"})
    with pytest.raises(ConfigurationError, match="did you mean 'leeway'"):
        CloudBaseAuthConfig.from_mapping({"env_id": "x", "leway": 3})


@pytest.mark.parametrize(
    ("changes", "setting"),
    [
        ({"env_id": ""}, "env_id"),
        ({"algorithms": frozenset({"HS256"})}, "algorithms"),
        ({"algorithms": frozenset({"none"})}, "algorithms"),
        ({"leeway": 3600}, "leeway"),
        ({"verify_mode": "magic"}, "verify_mode"),
        ({"verify_mode": "static"}, "public_key"),
        ({"token_locations": ("header", "body")}, "token_locations"),
        ({"token_cache_size": 0}, "token_cache_size"),
        ({"base_url": "ftp://x"}, "base_url"),
    ],
)
def test_invalid_settings_name_the_setting(changes: dict[str, object], setting: str) -> None:
    values: dict[str, object] = {"env_id": "e", **changes}
    with pytest.raises(ConfigurationError, match=setting):
        CloudBaseAuthConfig(**values)  # type: ignore[arg-type]


def test_bad_string_value_is_named() -> None:
    with pytest.raises(ConfigurationError, match="leeway"):
        CloudBaseAuthConfig.from_env(
            {"CLOUDBASE_AUTH_ENV_ID": "x", "CLOUDBASE_AUTH_LEEWAY": "soon"}
        )


def test_missing_env_id_names_the_setting() -> None:
    with pytest.raises(ConfigurationError, match="CLOUDBASE_AUTH_ENV_ID"):
        CloudBaseAuthConfig.from_env({"CLOUDBASE_AUTH_LEEWAY": "5"})
    with pytest.raises(ConfigurationError, match="env_id"):
        CloudBaseAuthConfig.from_mapping({})


def test_admin_command_inputs_are_not_settings() -> None:
    config = CloudBaseAuthConfig.from_env(
        {"CLOUDBASE_AUTH_ENV_ID": "x", "CLOUDBASE_AUTH_TOKEN": "t", "CLOUDBASE_AUTH_PASSWORD": "p"}
    )
    assert config.env_id == "x"
