"""Where a middleware needs a signed-in user, and what that user needs there.

The plain WSGI and ASGI middlewares take the same options; this is their one reading of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AccessRule:
    """``required`` everywhere, or under ``paths`` (whole segments); then groups/scopes."""

    required: bool = False
    paths: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    allow_anonymous: bool | None = None

    @classmethod
    def from_options(
        cls,
        *,
        required: bool = False,
        required_paths: Iterable[str] = (),
        groups: Sequence[str] = (),
        scopes: Sequence[str] = (),
        allow_anonymous: bool | None = None,
    ) -> AccessRule:
        """Read middleware options; ``groups``/``scopes`` alone mean "required everywhere".

        With ``required_paths`` they apply under those paths only: naming a group never leaves
        it unenforced, and never widens the protected paths either.
        """
        paths = tuple("/" + p.strip("/") for p in required_paths)
        everywhere = required or (bool(groups or scopes) and not paths)
        return cls(everywhere, paths, tuple(groups), tuple(scopes), allow_anonymous)

    def applies_to(self, path: str) -> bool:
        """Whether a request for ``path`` needs a signed-in user."""
        if self.required:
            return True
        return any(path == p or path.startswith(p.rstrip("/") + "/") for p in self.paths)
