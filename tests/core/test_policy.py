from __future__ import annotations

import pytest

from cloudbase_auth_mw.core.config import CloudBaseAuthConfig
from cloudbase_auth_mw.core.policy import AccessRule
from cloudbase_auth_mw.guard import CloudBaseGuard, guard_for


def test_paths_match_whole_segments() -> None:
    rule = AccessRule.from_options(required_paths=["/api/"])
    assert rule.applies_to("/api") and rule.applies_to("/api/users")
    assert not rule.applies_to("/apis") and not rule.applies_to("/")


def test_root_path_covers_everything() -> None:
    assert AccessRule.from_options(required_paths=["/"]).applies_to("/anything")


def test_groups_alone_require_everywhere_and_never_go_unenforced() -> None:
    rule = AccessRule.from_options(groups=("admin",))
    assert rule.required and rule.applies_to("/any")
    scoped = AccessRule.from_options(groups=("admin",), required_paths=["/admin"])
    assert not scoped.required
    assert scoped.applies_to("/admin/x") and not scoped.applies_to("/public")


def test_nothing_required_by_default() -> None:
    assert not AccessRule.from_options().applies_to("/x")


def test_guard_for() -> None:
    config = CloudBaseAuthConfig(env_id="e")
    given = CloudBaseGuard(config)
    assert guard_for(given) is given
    assert guard_for(config=config, leeway=5).config.leeway == 5
    assert guard_for(env_id="from-kwargs").config.env_id == "from-kwargs"
    with pytest.raises(TypeError):
        guard_for(given, config)
    with pytest.raises(TypeError):
        guard_for(given, leeway=5)
