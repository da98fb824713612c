"""mkdocs-static-i18n internals: the function that recreates every file for an edition.

It recreates each file as a plain ``File``, which would turn mkdocs-jupyter's notebook
pages back into JSON files; the build wraps it so that notebook pages stay pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mkdocs.structure.files import File
from mkdocs_static_i18n import suffix as _suffix

from attnbook.mkdocs_plugin.compat import Contract

__all__ = ["CONTRACT", "wrap_file_creation"]

CONTRACT = Contract(
    "mkdocs-static-i18n",
    "1.3.1",
    ("mkdocs_static_i18n.suffix:create_i18n_file",),
)

_ORIGINALS: dict[str, Any] = {}  # mkdocs-static-i18n's own, kept from the first wrapping


def wrap_file_creation(keep: Callable[[File, File], File]) -> None:
    """Pass every file mkdocs-static-i18n creates through ``keep(original, created)``.

    Each call wraps mkdocs-static-i18n's own function afresh, replacing an earlier wrapping.
    """
    create = _ORIGINALS.setdefault("create_i18n_file", _suffix.create_i18n_file)

    def create_i18n_file(file: File, *args: Any, **kwargs: Any) -> File:
        return keep(file, create(file, *args, **kwargs))

    _suffix.create_i18n_file = create_i18n_file
