"""The sync and async clients expose the same API: same names, same signatures.

Both are shims over :mod:`cloudbase_auth_mw.core.api`; this test keeps the shims honest.
"""

from __future__ import annotations

import inspect

from cloudbase_auth_mw.client import AsyncCloudBaseAuthClient, CloudBaseAuthClient
from cloudbase_auth_mw.core import api

#: Lifecycle methods that differ by design (``close``/``__exit__`` vs ``aclose``/``__aexit__``).
LIFECYCLE = {"close", "aclose"}


def public_methods(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_") and name not in LIFECYCLE
    }


def test_same_method_names_and_signatures() -> None:
    sync, async_ = public_methods(CloudBaseAuthClient), public_methods(AsyncCloudBaseAuthClient)
    assert sorted(sync) == sorted(async_)
    for name, signature in sync.items():
        assert signature == async_[name], name


def test_async_methods_are_coroutines_and_sync_are_not() -> None:
    for name in public_methods(CloudBaseAuthClient):
        assert not inspect.iscoroutinefunction(getattr(CloudBaseAuthClient, name)), name
        assert inspect.iscoroutinefunction(getattr(AsyncCloudBaseAuthClient, name)), name


def test_same_constructor() -> None:
    assert inspect.signature(CloudBaseAuthClient.__init__).parameters.keys() == (
        inspect.signature(AsyncCloudBaseAuthClient.__init__).parameters.keys()
    )


def test_every_endpoint_flow_has_a_method() -> None:
    """Each flow of core.api is a client method with the same parameters (minus ``ctx``)."""
    flows = {name for name in api.__all__ if inspect.isfunction(getattr(api, name))}
    flows -= {"format_phone"}
    methods = public_methods(CloudBaseAuthClient)
    assert flows == set(methods)
    for name in flows:
        flow_params = list(inspect.signature(getattr(api, name)).parameters.values())[1:]
        method_params = list(methods[name].parameters.values())[1:]
        assert [(p.name, p.kind, p.default) for p in flow_params] == [
            (p.name, p.kind, p.default) for p in method_params
        ], name


def test_context_managers() -> None:
    assert hasattr(CloudBaseAuthClient, "__enter__") and hasattr(CloudBaseAuthClient, "__exit__")
    assert hasattr(AsyncCloudBaseAuthClient, "__aenter__")
    assert hasattr(AsyncCloudBaseAuthClient, "__aexit__")
