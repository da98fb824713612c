"""Fixtures shared by the test modules: one strict build of the site for all of them."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_support import ROOT, mkdocs_build


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built once, strictly, from the repository's mkdocs.yml."""
    site = tmp_path_factory.mktemp("site")
    result = mkdocs_build(ROOT / "mkdocs.yml", site)
    assert result.returncode == 0, result.stderr
    return site
