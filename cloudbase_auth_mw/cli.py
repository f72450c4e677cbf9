"""Admin commands: ``cloudbase-auth signin|signin-anonymous|refresh|introspect|revoke|me``.

Each command makes one call with :class:`~cloudbase_auth_mw.client.CloudBaseAuthClient` and
prints the answer as JSON on stdout (tokens included: it is the caller's own command). On
failure it prints one line on stderr, without any token, and exits non-zero (1: the service
refused or failed, 2: bad usage or settings).

Every flag can also come from the environment: the settings ``CLOUDBASE_AUTH_ENV_ID``,
``CLOUDBASE_AUTH_BASE_URL``, ``CLOUDBASE_AUTH_CLIENT_ID``... (anything
:meth:`CloudBaseAuthConfig.from_env` knows) and the inputs ``CLOUDBASE_AUTH_TOKEN``,
``CLOUDBASE_AUTH_REFRESH_TOKEN``, ``CLOUDBASE_AUTH_USERNAME``, ``CLOUDBASE_AUTH_PASSWORD``.
Flags win over the environment.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .client import CloudBaseAuthClient
from .core.config import ENV_PREFIX, CloudBaseAuthConfig
from .core.errors import ApiError, ConfigurationError

#: Inputs read from the environment by the commands, not settings of CloudBaseAuthConfig.
INPUT_VARIABLES = {
    "token": ENV_PREFIX + "TOKEN",
    "refresh_token": ENV_PREFIX + "REFRESH_TOKEN",
    "username": ENV_PREFIX + "USERNAME",
    "password": ENV_PREFIX + "PASSWORD",
}
#: Setting flags shared by every command (flag name = config field).
SETTING_FLAGS = ("base_url", "env_id", "client_id", "client_secret", "device_id")


class UsageError(Exception):
    """A missing input or bad flag; the message says which."""


def _needed(args: argparse.Namespace, name: str, env: Mapping[str, str]) -> str:
    """A command input from its flag or its environment variable; a password may be typed."""
    value = getattr(args, name, None) or env.get(INPUT_VARIABLES[name])
    if not value and name == "password" and sys.stdin.isatty():
        value = getpass.getpass("password: ")
    if not value:
        flag = "--" + name.replace("_", "-")
        raise UsageError(f"{flag} is required (or set {INPUT_VARIABLES[name]})")
    return value


Command = Callable[[CloudBaseAuthClient, argparse.Namespace, Mapping[str, str]], Any]


def _signin(client: CloudBaseAuthClient, args: argparse.Namespace, env: Mapping[str, str]) -> Any:
    username, password = _needed(args, "username", env), _needed(args, "password", env)
    return client.sign_in_with_password(username, password).to_dict()


def _signin_anonymous(
    client: CloudBaseAuthClient, _: argparse.Namespace, __: Mapping[str, str]
) -> Any:
    return client.sign_in_anonymously().to_dict()


def _refresh(client: CloudBaseAuthClient, args: argparse.Namespace, env: Mapping[str, str]) -> Any:
    return client.refresh(_needed(args, "refresh_token", env)).to_dict()


def _introspect(
    client: CloudBaseAuthClient, args: argparse.Namespace, env: Mapping[str, str]
) -> Any:
    result = client.introspect(_needed(args, "token", env))
    return {"active": result.active, **result.raw}


def _revoke(client: CloudBaseAuthClient, args: argparse.Namespace, env: Mapping[str, str]) -> Any:
    client.revoke(_needed(args, "token", env))
    return {"revoked": True}


def _me(client: CloudBaseAuthClient, args: argparse.Namespace, env: Mapping[str, str]) -> Any:
    return dict(client.get_user(_needed(args, "token", env)).raw)


#: command -> (help, input flags, action)
_COMMANDS: dict[str, tuple[str, tuple[str, ...], Command]] = {
    "signin": ("sign in with a user name and password", ("username", "password"), _signin),
    "signin-anonymous": ("sign in as this device's anonymous user", (), _signin_anonymous),
    "refresh": ("exchange a refresh token (it rotates)", ("refresh_token",), _refresh),
    "introspect": ("ask whether an access token is active", ("token",), _introspect),
    "revoke": ("revoke an access token (sign out)", ("token",), _revoke),
    "me": ("print the user's profile (GET /user/me)", ("token",), _me),
}
COMMANDS = frozenset(_COMMANDS)


def _parser(command: str) -> argparse.ArgumentParser:
    help_text, inputs, _ = _COMMANDS[command]
    parser = argparse.ArgumentParser(prog=f"cloudbase-auth {command}", description=help_text)
    for name in SETTING_FLAGS:
        env_name = ENV_PREFIX + name.upper()
        parser.add_argument("--" + name.replace("_", "-"), dest=name, help=f"default: ${env_name}")
    for name in inputs:
        parser.add_argument(
            "--" + name.replace("_", "-"), dest=name, help=f"default: ${INPUT_VARIABLES[name]}"
        )
    return parser


def _config(args: argparse.Namespace, env: Mapping[str, str]) -> CloudBaseAuthConfig:
    """Settings from ``CLOUDBASE_AUTH_*`` (minus the command inputs), overridden by flags."""
    inputs = set(INPUT_VARIABLES.values())
    settings = {k: v for k, v in env.items() if k.upper() not in inputs}
    flags = {name: getattr(args, name) for name in SETTING_FLAGS if getattr(args, name)}
    if not flags.get("env_id") and not settings.get(ENV_PREFIX + "ENV_ID"):
        raise UsageError(f"--env-id is required (or set {ENV_PREFIX}ENV_ID)")
    return CloudBaseAuthConfig.from_env(settings, **flags)


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def main(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> int:
    """Run ``argv[0]`` (one of :data:`COMMANDS`) with its flags; returns the exit code."""
    env = os.environ if environ is None else environ
    if not argv or argv[0] not in COMMANDS:
        return _fail(f"unknown command; choose one of {', '.join(sorted(COMMANDS))}", 2)
    command = argv[0]
    try:
        args = _parser(command).parse_args(list(argv[1:]))
    except SystemExit as exit_:  # --help, or a bad flag (argparse printed why)
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        with CloudBaseAuthClient(_config(args, env)) as client:
            result = _COMMANDS[command][2](client, args, env)
    except (UsageError, ConfigurationError) as exc:
        return _fail(str(exc), 2)
    except ApiError as exc:
        return _fail(str(exc), 1)
    print(json.dumps(result, indent=2, ensure_ascii=False, sort_keys=True))
    return 0


__all__ = ["COMMANDS", "INPUT_VARIABLES", "main"]
