"""Request headers for tests."""

from __future__ import annotations


def bearer(token: str) -> dict[str, str]:
    """``{"Authorization": "Bearer <token>"}``: the headers argument of a test client call."""
    return {"Authorization": f"Bearer {token}"}
