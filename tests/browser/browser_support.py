"""What the browser tests share: the pages, how the site is built, and a visited page.

Kept out of ``conftest.py`` so that test modules can import it by a name of its own.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
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
# A fixed build date (2024-01-01), so two builds give the same bytes (sitemap dates too).
SOURCE_DATE_EPOCH = "1704067200"
# Any HTTP(S) request the build makes goes to a closed local port and fails.
_DEAD_PROXY = "http://127.0.0.1:9"
NO_NETWORK = {
    **dict.fromkeys(("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"), _DEAD_PROXY),
    **dict.fromkeys(("http_proxy", "https_proxy", "all_proxy"), _DEAD_PROXY),
    **dict.fromkeys(("NO_PROXY", "no_proxy"), ""),
}


#: The editions and where each lives in the site: Chinese (the default) at the root.
EDITIONS = {"zh": "", "en": "en/"}


def _page_path(source: Path) -> str:
    return "" if source.stem == "index" else f"{source.stem}/"


def stem(name: str) -> str:
    """The page a name stands for, in whichever edition: ``en/api`` -> ``api``."""
    return name.rpartition("/")[2]


def source_of(name: str) -> Path:
    """The source file of a page of ``PAGES``: ``docs/api.md`` or ``docs/api.en.md``."""
    prefix, _, page = name.rpartition("/")
    wanted = [f".{prefix}"] if prefix else []
    return next(path for path in DOCS.glob(f"{page}.*") if path.suffixes[:-1] == wanted)


#: Every page of the site in both editions, by name (``api``, ``en/api``: for test ids
#: and screenshots), as a path on the server. Every page exists in both editions
#: (tests/test_editions.py).
PAGES = {
    f"{prefix}{source.stem}": prefix + _page_path(source)
    for prefix in EDITIONS.values()
    for source in sorted([*DOCS.glob("*.md"), *DOCS.glob("*.ipynb")])
    if len(source.suffixes) == 1
}


SITE_URL = re.search(r"^site_url: *(\S+)", (ROOT / "mkdocs.yml").read_text(), re.MULTILINE)[1]


def build_site(site: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Build the site strictly into ``site``, offline, with the fixed build date."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
        env={**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, **NO_NETWORK, **env},
    )


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
