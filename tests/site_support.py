"""Building the site and reading its pages, shared by the tests that check the build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]


def mkdocs_build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """Build ``config`` strictly into ``site``, capturing what mkdocs printed."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        capture_output=True,
        text=True,
        cwd=config.parent,
        timeout=600,
    )


def page(site: Path, name: str) -> BeautifulSoup:
    """The whole built page ``name`` (a folder of the site, e.g. ``01-attention-cues``)."""
    return BeautifulSoup((site / name / "index.html").read_text(encoding="utf-8"), "html.parser")


def article(site: Path, name: str) -> BeautifulSoup:
    """The page's content: its ``<article>``, without navigation and footer."""
    found = page(site, name).find("article")
    assert found is not None
    return found
