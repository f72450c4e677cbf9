"""Building Auth v2 requests and reading their answers: the wire conventions, once.

What the official client does (reference §2): ``x-request-id`` (32 hex) on every call,
``x-device-id`` (persisted per device), ``?client_id=`` only on calls without a bearer,
``Authorization: Bearer <token>`` on user calls. Answers are judged like the official client
does, by the body rather than the status: a truthy top-level ``error``/``code`` is an error.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from .config import CloudBaseAuthConfig
from .errors import ApiError, ServiceError, api_error_from_body
from .http import HttpRequest, HttpResponse


def new_request_id() -> str:
    """A fresh ``x-request-id``: 32 lowercase hex digits, like the SDK's."""
    return uuid.uuid4().hex


def api_request(
    config: CloudBaseAuthConfig,
    method: str,
    path: str,
    *,
    bearer: str | None = None,
    json_body: Any = None,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    device_id: str | None = None,
    coalesce_key: str | None = None,
) -> HttpRequest:
    """Describe a call to ``{api_base}{path}`` (``path`` starts with ``/v1/``)."""
    query = dict(params or {})
    all_headers = {"accept": "application/json", "x-request-id": new_request_id()}
    device = device_id or config.device_id
    if device:
        all_headers["x-device-id"] = device
    if bearer:
        all_headers["authorization"] = f"Bearer {bearer}"
    else:
        query.setdefault("client_id", config.effective_client_id)
    all_headers.update(headers or {})
    return HttpRequest(
        method=method,
        url=config.api_base + path,
        headers=all_headers,
        params=query,
        json_body=json_body,
        coalesce_key=coalesce_key,
        idempotent=method in ("GET", "HEAD"),
    )


def read_json(response: HttpResponse) -> dict[str, Any]:
    """The JSON object of an answer, or raise its typed :class:`ApiError`.

    A body that is not a JSON object is a :class:`ServiceError` (the SDK calls it
    ``unreachable``); an empty body on a 2xx answer counts as ``{}``.
    """
    request_id = response.headers.get("x-request-id")
    if not response.body.strip() and 200 <= response.status < 300:
        return {}
    try:
        data = json.loads(response.body)
    except ValueError:
        raise ServiceError(
            "unreachable",
            f"the provider answered HTTP {response.status} with a body that is not JSON",
            status=response.status,
            request_id=request_id,
        ) from None
    if not isinstance(data, dict):
        raise ServiceError(
            "unreachable",
            "the provider answered JSON that is not an object",
            status=response.status,
        )
    error = api_error_from_body(data, status=response.status, request_id=request_id)
    if error is not None:
        raise error
    if response.status >= 500:
        raise ServiceError(
            "internal", f"the provider answered HTTP {response.status}", status=response.status
        )
    return data


__all__ = ["ApiError", "api_request", "new_request_id", "read_json"]
