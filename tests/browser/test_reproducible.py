"""Two clean builds of the same commit give the same bytes, and need no network.

Both builds run with the same ``SOURCE_DATE_EPOCH`` (the only date in the site is the
sitemap's ``lastmod``, which mkdocs takes from it; the GitHub Pages workflow sets it to
the commit's time), different ``PYTHONHASHSEED`` values (so set and dict ordering cannot
leak into the output), and HTTP(S) proxies pointing at a closed port (so a build step
that reached for the network would fail).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.support import build_site

pytestmark = pytest.mark.slow


def digests(site: Path) -> dict[str, str]:
    return {
        path.relative_to(site).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def test_two_clean_builds_are_byte_identical(site: Path, tmp_path: Path) -> None:
    # The session's build (PYTHONHASHSEED=1) against the one extra build of the suite.
    second = tmp_path / "site"
    result = build_site(second, PYTHONHASHSEED="2")
    assert result.returncode == 0, result.stderr[-5000:]
    first_files, second_files = digests(site), digests(second)
    assert sorted(first_files) == sorted(second_files)
    differing = [name for name in first_files if first_files[name] != second_files[name]]
    assert not differing, f"the builds differ in {differing}"


def test_sitemap_date_comes_from_source_date_epoch(site: Path) -> None:
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "<lastmod>2024-01-01</lastmod>" in sitemap
