"""Helpers shared by the client tests (a module name no other test folder uses)."""

from __future__ import annotations

import inspect

from cloudbase_auth_mw.client import AsyncCloudBaseAuthClient, CloudBaseAuthClient

AnyClient = CloudBaseAuthClient | AsyncCloudBaseAuthClient


async def call(client: AnyClient, method: str, *args: object, **kwargs: object) -> object:
    """Call ``method`` on a sync or async client alike."""
    result = getattr(client, method)(*args, **kwargs)
    return await result if inspect.isawaitable(result) else result
