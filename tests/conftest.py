"""The one build of the site that every test reading it shares."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import build_site


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book built once per session: strictly, offline, with the fixed build date.

    What the build printed is kept beside the site, in ``build.log``.
    """
    site = tmp_path_factory.mktemp("site") / "site"
    result = build_site(site, PYTHONHASHSEED="1")
    assert result.returncode == 0, result.stderr[-5000:]
    (site.parent / "build.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    return site
