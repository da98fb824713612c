"""What the tests share: the site's settings, how the site is built, and reading its pages.

Every test that reads the built site uses the one session build of ``tests/conftest.py``
(``build_site``: strict, offline, with a fixed build date); only the reproducibility check
builds the site once more. Small books made by a test are built with ``mkdocs_build``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from bs4 import BeautifulSoup

__all__ = [
    "API_PAGES",
    "DEFAULT_LANGUAGE",
    "DOCS",
    "EDITIONS",
    "FRESH",
    "LABELS",
    "NO_NETWORK",
    "PLUGIN_OPTIONS",
    "ROOT",
    "SITE_URL",
    "SOURCE_DATE_EPOCH",
    "article",
    "baseline_heatmaps",
    "build_site",
    "d2l_figsize",
    "mkdocs_build",
    "page",
    "page_sources",
    "plugin_config",
    "url_path",
]

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


class _ConfigLoader(yaml.SafeLoader):
    """Reads ``mkdocs.yml`` as data: its ``!!python/...`` tags become None."""


_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *args: None)
_CONFIG: dict[str, Any] = yaml.load((ROOT / "mkdocs.yml").read_text("utf-8"), _ConfigLoader)

SITE_URL: str = _CONFIG["site_url"]
#: The options of the book's plugin (``plugins: - attnbook:``) in mkdocs.yml.
PLUGIN_OPTIONS: dict[str, Any] = next(
    plugin["attnbook"]
    for plugin in _CONFIG["plugins"]
    if isinstance(plugin, dict) and "attnbook" in plugin
)


def _i18n_languages() -> list[dict[str, Any]]:
    for plugin in _CONFIG.get("plugins", []):
        if isinstance(plugin, dict) and "i18n" in plugin:
            languages: list[dict[str, Any]] = plugin["i18n"]["languages"]
            return languages
    return []


#: The editions, by language, and where each lives in the site: the default at the root.
EDITIONS: dict[str, str] = {
    language["locale"]: "" if language.get("default") else f"{language['locale']}/"
    for language in _i18n_languages()
}
DEFAULT_LANGUAGE = next(locale for locale, prefix in EDITIONS.items() if not prefix)


def page_sources() -> list[Path]:
    """The default edition's pages: every page source without a language suffix.

    ``docs/index.md``, the chapters, the playground notebook, and the API reference's
    pages in ``docs/api/``; each has its counterpart in the other edition beside it.
    """
    sources = [*DOCS.rglob("*.md"), *DOCS.rglob("*.ipynb")]
    return sorted(path for path in sources if len(path.suffixes) == 1)


def url_path(source: Path) -> str:
    """Where a page source is built, in its edition: ``api/views.md`` -> ``api/views/``.

    An ``index`` page is its folder's page (``index.md`` -> ``""``, ``api/index.md`` ->
    ``api/``); a language suffix does not count (``api/views.en.md`` -> ``api/views/``).
    """
    parts = [*source.relative_to(DOCS).parent.parts, source.name.split(".")[0]]
    if parts[-1] == "index":
        parts.pop()
    return "".join(f"{part}/" for part in parts)


#: The API reference's pages, as built in each edition: ``api/`` and one page per part
#: of the package (``api/views/``).
API_PAGES = [url_path(source) for source in page_sources() if source.parent.name == "api"]

# A fixed build date (2024-01-01), so two builds give the same bytes (sitemap dates too).
SOURCE_DATE_EPOCH = "1704067200"
# Any HTTP(S) request the build makes goes to a closed local port and fails.
_DEAD_PROXY = "http://127.0.0.1:9"
NO_NETWORK = {
    **dict.fromkeys(("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"), _DEAD_PROXY),
    **dict.fromkeys(("http_proxy", "https_proxy", "all_proxy"), _DEAD_PROXY),
    **dict.fromkeys(("NO_PROXY", "no_proxy"), ""),
}


# The build is the test of the book: every example runs, none comes from the cache.
FRESH = {"ATTNBOOK_NO_CACHE": "1"}


#: mkdocs.yml of a one-chapter test book: markdown-exec and the attnbook plugin, whose
#: options ``plugin_config`` writes in place of ``{plugin}``.
SMALL_BOOK_CONFIG = """\
site_name: cache
docs_dir: docs
plugins:
  - markdown-exec
{plugin}markdown_extensions:
  - pymdownx.superfences
"""


def build_site(site: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Build the book strictly into ``site``: offline, uncached, with the fixed build date."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
        env={**os.environ, **FRESH, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, **NO_NETWORK, **env},
        check=False,
    )


def mkdocs_build(config: Path, site: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """Build a small book of a test strictly: ``config`` is its ``mkdocs.yml``."""
    return subprocess.run(
        [
            *[sys.executable, "-m", "mkdocs", "build", "--strict"],
            *["-f", str(config), "-d", str(site), *options],
        ],
        capture_output=True,
        text=True,
        cwd=config.parent,
        timeout=600,
        check=False,
    )


def page(site: Path, name: str) -> BeautifulSoup:
    """The built page ``name`` (``api``, ``en/api``, ``.`` for the home page)."""
    return BeautifulSoup((site / name / "index.html").read_text(encoding="utf-8"), "html.parser")


def article(site: Path, name: str) -> BeautifulSoup:
    """The ``<article>`` of a built page: what the page says, without the theme."""
    found = page(site, name).find("article")
    assert found is not None, f"{name} has no <article>"
    return found


def plugin_config(*languages: str) -> str:
    """The ``plugins`` entry of the book's plugin for a small book, texts for ``languages``."""
    lines = ["  - attnbook:", "      editions:"]
    for language in languages:
        lines += [
            f"        {language}:",
            f"          notebook_link: notebook ({language})",
            f"          figure_alt: figure ({language})",
            f"          permalink_title: link ({language})",
            f"          footnote_backlink: back to {{}} ({language})",
            f'          notebook_credit: "> {{title}} from {{url}}, home {{home}} ({language})"',
        ]
    return "\n".join(lines) + "\n"


# --- the benchmark's baseline, which tests/test_heatmaps.py checks against ---------------

#: The axis labels of the baseline's figures.
LABELS = {"xlabel": "Keys", "ylabel": "Queries"}


def d2l_figsize(shape: tuple[int, ...]) -> tuple[float, float]:
    """The whole-figure ``figsize`` a d2l reader passes for a grid: 2.5 inches a panel."""
    n_rows, n_cols = shape[:2]
    return 2.5 * n_cols + 0.5, 2.5 * n_rows


def baseline_heatmaps(weights: Any, figsize: tuple[float, float] | None = None) -> Any:
    """The straightforward ``show_heatmaps``: one axes per panel, ``imshow`` each.

    As d2l's function does (``figsize`` is the whole figure, by default
    ``d2l_figsize``), with one change so that it means what attnbook's figure means:
    every panel shares one colour scale. Never shipped in the package.
    """
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure

    n_rows, n_cols = weights.shape[:2]
    norm = Normalize(float(weights.min()), float(weights.max()))
    fig = Figure(figsize=figsize or d2l_figsize(weights.shape), layout="constrained")
    axes = fig.subplots(n_rows, n_cols, sharex=True, sharey=True, squeeze=False)
    for i in range(n_rows):
        for j in range(n_cols):
            ax = axes[i, j]
            image = ax.imshow(weights[i, j], cmap="Reds", norm=norm)
            if i == n_rows - 1:
                ax.set_xlabel(LABELS["xlabel"])
            if j == 0:
                ax.set_ylabel(LABELS["ylabel"])
            if i == 0:
                ax.set_title(f"Head {j + 1}")
    fig.colorbar(image, ax=axes, shrink=0.6)
    return fig
