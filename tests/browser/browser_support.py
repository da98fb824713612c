"""What the browser tests share: Chromium, Lighthouse, the pages, and a visited page.

The site they read is the session's one build (``tests/conftest.py``, ``tests/support.py``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.support import DOCS, EDITIONS, ROOT, SITE_URL, page_sources, url_path

__all__ = [
    "ARTIFACTS",
    "CHROMIUM",
    "CHROMIUM_FLAGS",
    "DOCS",
    "EDITIONS",
    "LIGHTHOUSE",
    "PAGES",
    "SITE_URL",
    "Visit",
    "draw_every_figure",
    "full_page_screenshot",
    "source_of",
    "stem",
]

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = Path(os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
LIGHTHOUSE = ROOT / "tests" / "browser" / "node_modules" / ".bin" / "lighthouse"
# Without the networking flags Chromium keeps calling Google's hosts, which this machine
# (and a private site's tests) must not reach.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def draw_every_figure(page: Any) -> None:
    """Draw every figure of the page now, not only those near where the reader is.

    A figure's box has ``content-visibility: auto``: the browser lays a figure out as a
    reader scrolls near it, and until then its texts have no size and its box no overflow.
    A full-page capture does not scroll, and neither do checks that measure figures.
    """
    page.add_style_tag(content=".attnbook-figure { content-visibility: visible !important; }")


def full_page_screenshot(page: Any, path: Path | str) -> None:
    """A screenshot of the whole page, every figure drawn."""
    draw_every_figure(page)
    page.screenshot(path=str(path), full_page=True)


def _name(prefix: str, source: Path) -> str:
    return prefix + (url_path(source).rstrip("/") or "index")


#: Every page of the site in both editions, by name (``api``, ``en/api/views``: for test
#: ids and screenshots), as a path on the server. Every page exists in both editions
#: (tests/test_editions.py).
PAGES = {
    _name(prefix, source): prefix + url_path(source)
    for prefix in EDITIONS.values()
    for source in page_sources()
}
_SOURCES = {  # docs/api/views.md, or its counterpart docs/api/views.en.md
    _name(prefix, source): source.with_suffix(f".{prefix.rstrip('/')}{source.suffix}")
    if prefix
    else source
    for prefix in EDITIONS.values()
    for source in page_sources()
}


def stem(name: str) -> str:
    """The page a name stands for, in whichever edition: ``en/api/views`` -> ``api/views``."""
    for prefix in EDITIONS.values():
        if prefix and name.startswith(prefix):
            return name[len(prefix) :]
    return name


def source_of(name: str) -> Path:
    """The source file of a page of ``PAGES``: ``docs/api/views.md`` or ``docs/api/views.en.md``."""
    return _SOURCES[name]


@dataclass
class Visit:
    """A page in a fresh browser context, with what it logged and requested."""

    page: Any
    base: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def goto(self, path: str) -> None:
        self.page.goto(self.base + path, wait_until="networkidle")

    def foreign_requests(self) -> list[str]:
        """Requests to anything but the local server (data: and blob: URLs are local)."""
        local = urlsplit(self.base).netloc
        return [
            url
            for url in self.requests
            if not url.startswith(("data:", "blob:", "about:")) and urlsplit(url).netloc != local
        ]
