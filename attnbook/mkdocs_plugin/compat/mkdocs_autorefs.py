"""mkdocs-autorefs internals: the anchors one page registered.

A page registers its anchors (its headings, and each object mkdocstrings documents on it)
through autorefs' public ``register_anchor`` while it renders. When a rebuild of
``mkdocs serve`` reuses a page rendered earlier (``rendered.py``), it registers the same
anchors again through that method; autorefs has no public way to list them, so they are
read here from its maps of identifiers to URLs.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from mkdocs.structure.pages import Page

from attnbook.mkdocs_plugin.compat import Contract

__all__ = ["CONTRACT", "Anchor", "anchors_on", "register"]

CONTRACT = Contract(
    "mkdocs-autorefs",
    "1.4.5",
    (
        "mkdocs_autorefs:AutorefsPlugin()._primary_url_map",
        "mkdocs_autorefs:AutorefsPlugin()._secondary_url_map",
        "mkdocs_autorefs:AutorefsPlugin()._title_map",
        "mkdocs_autorefs:AutorefsPlugin.register_anchor",
    ),
)


class Anchor(NamedTuple):
    """One ``register_anchor`` call: ``identifier`` links to ``#anchor`` of the page."""

    identifier: str
    anchor: str
    title: str | None
    primary: bool


def anchors_on(autorefs: Any, url: str) -> tuple[Anchor, ...]:
    """The anchors registered so far for the page at ``url``, in the order registered."""
    prefix = f"{url}#"
    found = []
    maps = ((True, autorefs._primary_url_map), (False, autorefs._secondary_url_map))
    for primary, url_map in maps:
        for identifier, urls in url_map.items():
            for target in urls:
                if target.startswith(prefix):
                    anchor = target[len(prefix) :]
                    title = autorefs._title_map.get(target)
                    found.append(Anchor(identifier, anchor, title, primary))
    return tuple(found)


def register(autorefs: Any, page: Page, anchors: tuple[Anchor, ...]) -> None:
    """Register ``anchors`` for ``page`` again, through autorefs' public method."""
    for anchor in anchors:
        autorefs.register_anchor(
            page, anchor.identifier, anchor.anchor, title=anchor.title, primary=anchor.primary
        )
