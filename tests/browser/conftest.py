"""Fixtures for the browser tests: the session's one build served on 127.0.0.1, and Chromium.

The tests drive Debian's Chromium (``/usr/bin/chromium``, or ``CHROME_PATH``) with
Playwright's Python package, and Lighthouse from ``tests/browser/node_modules``
(``npm ci --prefix tests/browser``). Without them the tests are skipped with the reason,
except when ``CI=true``: there a missing browser fails the run instead of hiding it.
"""

from __future__ import annotations

import functools
import gzip
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.browser_support import CHROMIUM, CHROMIUM_FLAGS, LIGHTHOUSE, SITE_URL, Visit


def require(available: bool, reason: str) -> None:
    """Skip the test when a browser tool is missing; fail instead when ``CI=true``."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the browser tests must run, not be skipped)")
    pytest.skip(reason)


#: What GitHub Pages sends gzip-compressed to a browser that accepts it: text, not images.
COMPRESSED_TYPES = (
    "text/",
    "application/javascript",
    "application/json",
    "application/xml",
    "image/svg+xml",
)


class _SiteHandler(SimpleHTTPRequestHandler):
    """Serves the site under the path of ``site_url`` (``/attnbook/``), as GitHub Pages does.

    Text (HTML, CSS, JavaScript, JSON, XML, SVG) is gzip-compressed for a client that
    accepts it, as GitHub Pages serves it: Lighthouse measures the pages as the published
    site delivers them.

    The sitemaps (the site's and the English edition's) name pages by ``site_url``;
    mkdocs-material's instant navigation only intercepts links to pages in them, so they
    are served with the local origin, as ``mkdocs serve`` does by rebuilding with
    ``site_url`` set to its own address.
    """

    prefix = urlsplit(SITE_URL).path

    def do_GET(self) -> None:
        if not self.path.startswith(self.prefix):
            self.send_error(404)
            return
        self.path = "/" + self.path[len(self.prefix) :]
        found = Path(self.translate_path(self.path))
        if found.is_dir() and self.path.endswith("/"):
            found = found / "index.html"
        if not found.is_file():
            super().do_GET()  # a folder without its slash (a redirect), or a 404
            return
        body = found.read_bytes()
        if found.name == "sitemap.xml":  # one per edition
            host, port = self.server.server_address[:2]
            body = body.replace(SITE_URL.encode(), f"http://{host}:{port}{self.prefix}".encode())
        kind = self.guess_type(str(found))
        self.send_response(200)
        self.send_header("Content-Type", kind)
        accepts = self.headers.get("Accept-Encoding", "")
        if kind.startswith(COMPRESSED_TYPES) and "gzip" in accepts:
            body = _gzipped(body)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@functools.lru_cache(maxsize=256)
def _gzipped(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=6, mtime=0)


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[str]:
    """Serve the built site on 127.0.0.1 on a free port; yields the site's local URL."""
    handler = functools.partial(_SiteHandler, directory=str(site))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}{_SiteHandler.prefix}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require(CHROMIUM.exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in the test extra
        require(False, "the playwright Python package is not installed")
        raise
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def lighthouse() -> Path:
    require(CHROMIUM.exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    require(
        LIGHTHOUSE.exists() and shutil.which("node") is not None,
        "Lighthouse is not installed (npm ci --prefix tests/browser)",
    )
    return LIGHTHOUSE


@pytest.fixture
def visit(browser: Any, server: str) -> Iterator[Visit]:
    """A fresh context (light colour scheme, no stored palette) on the served site."""
    context = browser.new_context(
        color_scheme="light", viewport={"width": 1280, "height": 800}, locale="zh-CN"
    )
    page = context.new_page()
    visit = Visit(page=page, base=server)
    page.on(
        "console",
        lambda message: (
            visit.errors.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: visit.errors.append(f"page error: {error}"))
    context.on("request", lambda request: visit.requests.append(request.url))
    try:
        yield visit
    finally:
        context.close()
