"""Under ``mkdocs serve``, a page nothing changed for is not rendered again.

A rebuild after a one-sentence edit used to turn every page's Markdown into HTML again:
the API pages (mkdocstrings loads the package with griffe and renders every docstring,
half of the rebuild) and each chapter, in both editions. :class:`RenderedPages` keeps,
for the life of the serve process, what each Markdown page's rendering produced: its
HTML after the book's own steps, its table of contents and anchors, the anchors it
registered with autorefs and the items it added to mkdocstrings' inventory, and which
entries of the examples' cache it used. A rebuild whose page is unchanged hands the page
an empty Markdown (nothing to convert) and puts all of that back.

A page is reused only if its Markdown, the package's source, ``mkdocs.yml``, the edition
and the site's list of files are all what they were, and if rendering it logged no
warning (a warning is logged again on every rebuild, as for a fresh page). A plain
``mkdocs build`` never reuses, and neither does ``mkdocs serve`` with
``ATTNBOOK_NO_CACHE=1``. Notebook pages are mkdocs-jupyter's and are not kept here.

Order of events within the plugin: :meth:`RenderedPages.start_build` in ``on_files``,
:meth:`~RenderedPages.start_page` in ``on_page_markdown`` (whose result decides whether
the Markdown is emptied), then :meth:`~RenderedPages.reuse` or
:meth:`~RenderedPages.keep` in ``on_page_content``.

>>> pages = RenderedPages()
>>> pages.enabled
False
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import TableOfContents

from attnbook.mkdocs_plugin.cache import DiskCache
from attnbook.mkdocs_plugin.compat import mkdocs_autorefs

__all__ = ["RenderedPages"]


class _Warnings(logging.Handler):
    """Counts the warnings logged under ``mkdocs`` (the logger strict mode counts on)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@dataclass(frozen=True)
class _Rendered:
    """What rendering one page produced, beyond the page's own HTML."""

    key: str
    html: str
    title: str | None
    toc: TableOfContents
    present_anchor_ids: frozenset[str] | None
    links_to_anchors: dict[str, dict[str, str]] | None  # by the linked page's src_uri
    anchors: tuple[mkdocs_autorefs.Anchor, ...]
    inventory: tuple[Any, ...]  # mkdocstrings.InventoryItem
    cache_keys: dict[str, frozenset[str]]  # namespace -> keys of the examples' cache


@dataclass
class _Current:
    """The page being rendered: its key, what it reuses, and the state before it."""

    page: Page
    key: str
    reused: _Rendered | None
    warnings: int
    cache_keys: dict[str, frozenset[str]] = field(default_factory=dict)


class RenderedPages:
    """Markdown pages rendered by earlier builds of this process, and their reuse."""

    def __init__(self) -> None:
        """Keep nothing, reuse nothing, until :attr:`enabled` is set (under serve)."""
        self.enabled = False
        """Whether pages are kept and reused: set under ``mkdocs serve``."""
        self.reused: dict[str, list[str]] = {}
        """Per edition, the src_uris of the pages its last build reused."""
        self._pages: dict[tuple[str, str], _Rendered] = {}  # (edition, src_uri) -> kept
        self._context = ""
        self._edition = ""
        self._current: _Current | None = None
        self._warnings = _Warnings()

    def start_build(self, config: MkDocsConfig, files: Files, edition: str, package: str) -> None:
        """Before an edition's pages render: what every page of this build depends on.

        Args:
            config: The build's configuration (its file's text is part of the key).
            files: Every file of the site (a link's target must still exist).
            edition: The edition being built.
            package: A hash of the package's source (``Examples.package``).
        """
        self.reused[edition] = []
        self._edition = edition
        if not self.enabled:
            return
        logger = logging.getLogger("mkdocs")
        if self._warnings not in logger.handlers:
            logger.addHandler(self._warnings)
        config_text = Path(config.config_file_path).read_text(encoding="utf-8")
        listing = "\n".join(sorted(f"{file.src_uri} {file.url}" for file in files))
        self._context = _digest(edition, package, config_text, listing)

    def start_page(self, page: Page, markdown: str, cache: DiskCache) -> bool:
        """Before ``page`` renders: whether it can be reused (then render empty Markdown)."""
        self._current = None
        if not self.enabled or not page.file.src_uri.endswith(".md"):
            return False
        key = _digest(self._context, page.file.src_uri, markdown)
        kept = self._pages.get((self._edition, page.file.src_uri))
        reused = kept if kept is not None and kept.key == key else None
        self._current = _Current(page, key, reused, self._warnings.count)
        if reused is None:
            self._current.cache_keys = {
                namespace: frozenset(keys) for namespace, keys in cache.used.items()
            }
        return reused is not None

    def reusing(self, page: Page) -> bool:
        """Whether ``page`` is being reused (``start_page`` said so)."""
        current = self._current
        return current is not None and current.page is page and current.reused is not None

    def reuse(self, page: Page, config: MkDocsConfig, files: Files, cache: DiskCache) -> str:
        """Give ``page`` what its earlier rendering produced; its HTML is returned.

        Raises:
            RuntimeError: If ``page`` is not being reused (``start_page`` said no).
        """
        if not self.reusing(page):
            raise RuntimeError(f"{page.file.src_uri} is not being reused")
        assert self._current is not None and self._current.reused is not None
        kept = self._current.reused
        if kept.title is not None:
            page.title = kept.title
        page.toc = kept.toc
        anchor_ids = kept.present_anchor_ids
        page.present_anchor_ids = None if anchor_ids is None else set(anchor_ids)
        if kept.links_to_anchors is not None:
            page.links_to_anchors = {
                linked: dict(anchors)
                for src_uri, anchors in kept.links_to_anchors.items()
                if (linked := files.get_file_from_path(src_uri)) is not None
            }
        autorefs = config.plugins.get("autorefs")
        if autorefs is not None:
            mkdocs_autorefs.register(autorefs, page, kept.anchors)
        inventory = _inventory(config)
        if inventory is not None:
            for item in kept.inventory:
                inventory[item.name] = item
        for namespace, keys in kept.cache_keys.items():
            cache.used.setdefault(namespace, set()).update(keys)
        self.reused[self._edition].append(page.file.src_uri)
        self._current = None
        return kept.html

    def keep(self, page: Page, html: str, config: MkDocsConfig, cache: DiskCache) -> None:
        """After ``page`` rendered afresh into ``html``: keep it, unless it logged a warning."""
        current = self._current
        self._current = None
        if current is None or current.page is not page or current.reused is not None:
            return
        slot = (self._edition, page.file.src_uri)
        if self._warnings.count != current.warnings or page.toc is None:
            self._pages.pop(slot, None)
            return
        autorefs = config.plugins.get("autorefs")
        anchors = mkdocs_autorefs.anchors_on(autorefs, page.url) if autorefs else ()
        inventory = _inventory(config)
        prefix = f"{page.url}#"
        items = tuple(
            item for item in (inventory or {}).values() if str(item.uri).startswith(prefix)
        )
        links, anchor_ids = page.links_to_anchors, page.present_anchor_ids
        self._pages[slot] = _Rendered(
            key=current.key,
            html=html,
            title=page.title,
            toc=page.toc,
            present_anchor_ids=None if anchor_ids is None else frozenset(anchor_ids),
            links_to_anchors=None
            if links is None
            else {linked.src_uri: dict(anchors) for linked, anchors in links.items()},
            anchors=anchors,
            inventory=items,
            cache_keys={
                namespace: frozenset(keys - current.cache_keys.get(namespace, frozenset()))
                for namespace, keys in cache.used.items()
            },
        )


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _inventory(config: MkDocsConfig) -> Any:
    """The inventory mkdocstrings fills with the objects it documents, if it is used."""
    api = config.plugins.get("mkdocstrings")
    return None if api is None else api.handlers.inventory
