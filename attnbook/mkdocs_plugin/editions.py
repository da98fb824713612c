"""The Chinese and the English edition, each a whole site of its own.

mkdocs-static-i18n builds the Chinese edition (the default) at the site's root and the
English one under ``en/``, from ``page.md`` and ``page.en.md``. Out of the box the two
editions share one search index, one ``base`` and one instant-navigation sitemap, so a
search on an English page finds Chinese pages and a click on the language selector loads
the other edition inside this one's header. These functions keep them apart:

- **Search per edition.** The search index is split by edition: ``search/`` holds the
  Chinese pages and ``en/search/`` the English ones, each with its own language for the
  search engine (Chinese is segmented by jieba, English stemmed).
- **A base per edition.** English pages tell mkdocs-material that their site starts at
  ``en/`` (the ``base`` of ``__config``), so they load the English index and instant
  navigation stays within ``en/sitemap.xml``, which lists the English pages.
- **The language selector goes to the same page in the other edition**, with a full
  page load. ``docs/assets/languages.js`` keeps its links right after instant
  navigation; mkdocs-static-i18n's warning that the two do not mix is silenced for that
  reason only.
- **No alternate links in the head.** mkdocs-material takes each
  ``<link rel="alternate" hreflang>`` for the root of another site and fetches its
  ``sitemap.xml``; for a page's counterpart that is a 404 and a console error. The
  sitemap already names every page's counterpart (``xhtml:link hreflang``), which is
  what search engines read, so the head links are dropped.
- **The edition's language from the start of its build**, so that mkdocstrings (the
  API pages' "Parameters") and the rest of the build see it in their ``on_config``.
- **Notebook pages stay notebook pages.** mkdocs-static-i18n recreates every file as a
  plain ``File``, which would turn mkdocs-jupyter's pages back into JSON files; they are
  wrapped again, keeping the edition's address (through the compat modules).

On a site of one language (no ``i18n`` plugin) every function here does nothing.
"""

from __future__ import annotations

import html
import json
import logging
import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page

from attnbook.mkdocs_plugin.compat import mkdocs_jupyter as jupyter_compat
from attnbook.mkdocs_plugin.compat import mkdocs_static_i18n as i18n_compat
from attnbook.mkdocs_plugin.config import EditionTexts

__all__ = ["rebase", "set_language", "set_markdown_texts", "split_search", "start"]

_CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.DOTALL)
_HEAD_ALTERNATE = re.compile(r'[ \t]*<link rel="alternate" href="[^"]*" hreflang="[^"]*">\n?')
_SITEMAP_URL = re.compile(r"[ \t]*<url>.*?</url>\n?", re.DOTALL)
_LOC = re.compile(r"<loc>(.*?)</loc>")


class _SelectorIsKeptRight(logging.Filter):
    """Drop the one warning that ``docs/assets/languages.js`` answers."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "not compatible with theme.features = navigation.instant" not in record.getMessage()


def _i18n(config: MkDocsConfig) -> Any:
    """mkdocs-static-i18n, or None on a site of one language (then this hook does nothing)."""
    return config.plugins.get("i18n")


def _prefix(plugin: Any, locale: str) -> str:
    """Where an edition lives in the site: "" for the default language, else "en/"."""
    return "" if locale == plugin.default_language else f"{locale}/"


def start() -> None:
    """At start-up: silence the warning the selector script answers; keep notebook pages."""
    logger = logging.getLogger("mkdocs.plugins.mkdocs_static_i18n.reconfigure")
    if not any(isinstance(found, _SelectorIsKeptRight) for found in logger.filters):
        logger.addFilter(_SelectorIsKeptRight())
    i18n_compat.wrap_file_creation(jupyter_compat.notebook_page_like)


def set_language(config: MkDocsConfig) -> None:
    """Give the edition being built its language from the start of its build."""
    plugin = _i18n(config)
    if plugin is None:
        return
    if plugin.config.docs_structure != "suffix":
        raise PluginError("i18n: the editions use the suffix layout (page.en.md)")
    # mkdocs-static-i18n sets the edition's language late (its on_config runs last), so
    # the plugins configured before it would see the previous edition's language.
    config.theme["language"] = plugin.current_language or plugin.default_language


def set_markdown_texts(config: MkDocsConfig, texts: EditionTexts) -> None:
    """Give the tooltips that Markdown's extensions write the edition's language.

    ``toc``'s ¶ link and ``footnotes``' link back to the text take one title for the
    whole site, English unless set; each edition's build sets its own from its texts
    before any page is rendered.
    """
    config.mdx_configs.setdefault("toc", {})["permalink_title"] = texts.permalink_title
    footnotes = config.mdx_configs.setdefault("footnotes", {})
    footnotes["BACKLINK_TITLE"] = texts.footnote_backlink


def rebase(output: str, page: Page, config: MkDocsConfig) -> str:
    """Point an edition's pages at the edition's own root (mkdocs-material's settings)."""
    output = _HEAD_ALTERNATE.sub("", output)
    plugin = _i18n(config)
    prefix = _prefix(plugin, plugin.current_language) if plugin else ""
    if not prefix:
        return output

    def rebase(found: re.Match[str]) -> str:
        settings = json.loads(html.unescape(found[2]))
        settings["base"] = posixpath.join(settings["base"], prefix)
        return found[1] + json.dumps(settings, separators=(",", ":")) + found[3]

    rebased, count = _CONFIG.subn(rebase, output, count=1)
    if not count and config.theme.name == "material":  # other themes have no __config
        raise PluginError(f"{page.file.src_uri}: the theme's __config script is missing")
    return rebased


def split_search(config: MkDocsConfig) -> None:
    """Split the search index by edition, and give each edition its own sitemap."""
    plugin = _i18n(config)
    site = Path(config.site_dir)
    index_path = site / "search" / "search_index.json"
    if plugin is None or not index_path.exists():
        return
    index = json.loads(index_path.read_text(encoding="utf-8"))
    prefixes = {locale: _prefix(plugin, locale) for locale in plugin.build_languages}

    def edition_of(location: str) -> str:
        return next(
            (
                locale
                for locale, prefix in prefixes.items()
                if prefix and location.startswith(prefix)
            ),
            plugin.default_language,
        )

    for locale, prefix in prefixes.items():
        docs = [
            {**doc, "location": doc["location"][len(prefix) :]}
            for doc in index["docs"]
            if edition_of(doc["location"]) == locale
        ]
        edition = {**index, "config": {**index["config"], "lang": [locale]}, "docs": docs}
        target = site / prefix / "search" / "search_index.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(edition, ensure_ascii=False, separators=(",", ":")), "utf-8")
        if prefix:
            _write_sitemap(site / "sitemap.xml", site / prefix / "sitemap.xml", config, prefix)


def _loc(url: str) -> str:
    found = _LOC.search(url)
    return found[1] if found else ""


def _write_sitemap(whole: Path, target: Path, config: MkDocsConfig, prefix: str) -> None:
    """The edition's own sitemap: its pages only, as instant navigation expects at its base."""
    text = whole.read_text(encoding="utf-8")
    root = (config.site_url or "") + prefix
    urls = [url for url in _SITEMAP_URL.findall(text) if _loc(url).startswith(root)]
    start = text.index("<url>") if "<url>" in text else len(text)
    head = text[: text.rfind("\n", 0, start) + 1]
    target.write_text(head + "".join(urls) + "</urlset>\n", encoding="utf-8")
