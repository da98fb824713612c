"""The book's MkDocs plugin: every step the build adds to the themes and plugins it uses.

Listed last under ``plugins`` in ``mkdocs.yml`` (``- attnbook:``), so that at a given
priority it runs after the other plugins, and registered as the ``attnbook`` entry point
of ``mkdocs.plugins`` in ``pyproject.toml``. Each event hands its work to the module that
holds it; the order against other plugins is stated where it matters.
"""

from __future__ import annotations

import logging
import os
from functools import partial
from pathlib import Path
from typing import Literal

import jieba
from jinja2 import Environment
from markdown_exec import base_format, formatters
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from attnbook.mkdocs_plugin import editions, notebooks, serve
from attnbook.mkdocs_plugin.cache import NO_CACHE_VARIABLE, DiskCache
from attnbook.mkdocs_plugin.cjk import join_cjk_lines
from attnbook.mkdocs_plugin.compat import jieba as jieba_compat
from attnbook.mkdocs_plugin.config import BookConfig, EditionTexts
from attnbook.mkdocs_plugin.examples import Examples
from attnbook.mkdocs_plugin.figures import box_figures
from attnbook.mkdocs_plugin.mathml import typeset_arithmatex
from attnbook.mkdocs_plugin.names import break_names
from attnbook.mkdocs_plugin.notebook_pages import NotebookPages
from attnbook.mkdocs_plugin.rendered import RenderedPages
from attnbook.mkdocs_plugin.templates import CompiledTemplates, keep_compiled

__all__ = ["BookPlugin"]


def _language(config: MkDocsConfig) -> str:
    """The edition being built: mkdocs-material names it language, mkdocs's themes locale."""
    return str(config.theme.get("language") or config.theme.get("locale") or "")


class BookPlugin(BasePlugin[BookConfig]):
    """Examples that fail loudly, math as MathML, notebooks, and two editions kept apart.

    The plugin keeps its state across the rebuilds of ``mkdocs serve`` (MkDocs keeps a
    plugin with an ``on_startup`` event for the whole process).
    """

    def __init__(self) -> None:
        """Start with no build done."""
        self.examples = Examples()
        self.notebook_pages = NotebookPages()
        self.notebooks: dict[str, File] = {}  # a page's src_uri -> its notebook
        self.texts = EditionTexts()
        self.cache = DiskCache(None)
        self.templates = CompiledTemplates()  # for every build of the process
        self.rendered = RenderedPages()  # pages kept between the rebuilds of serve

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        """Once per process: the dev server's request log, and the editions' files."""
        if command == "serve":
            serve.quiet_request_log()
            self.rendered.enabled = os.environ.get(NO_CACHE_VARIABLE, "") in ("", "0")
        # jieba segments Chinese for search and announces loading its dictionary on
        # every build, which reads like a problem and is none.
        jieba.setLogLevel(logging.WARNING)
        editions.start()

    @event_priority(100)  # before every plugin: mkdocstrings picks its locale in its on_config
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """The edition's language and texts; the example runner; the notebook converter.

        Also keeps jieba's word frequencies the same from build to build (search).
        """
        editions.set_language(config)
        language = _language(config)
        if language not in self.config.editions:
            raise PluginError(
                f"{Path(config.config_file_path).name}: plugins: attnbook: editions has no "
                f"texts for the language {language!r}"
            )
        self.texts = self.config.editions[language]
        editions.set_markdown_texts(config, self.texts)
        bypass = os.environ.get(NO_CACHE_VARIABLE, "") not in ("", "0")
        folder = Path(config.config_file_path).parent / self.config.cache_dir
        self.cache = DiskCache(None if bypass or not self.config.cache else folder)
        # markdown-exec's public table of formatters: python blocks run through our runner.
        runner = partial(base_format, language="python", run=self.examples.run)
        formatters["python"] = runner  # type: ignore[assignment]
        self.notebook_pages.configure(config, self.config.cell_timeout)
        # mkdocs-material's search loads its jieba user dictionary again in its on_config,
        # after this one: what the last load added is taken back first (compat/jieba.py).
        search = config.plugins.get("material/search")
        user_words = search.config.get("jieba_dict_user") if search is not None else None
        if user_words and Path(user_words).is_file():
            jieba_compat.forget_user_words(Path(user_words))
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Fresh sessions and package for the examples; the cache and texts of the edition.

        Also hands mkdocstrings' Python handler the compiled templates (``templates.py``).
        """
        edition = _language(config)
        self.examples.start_build(edition, self.cache)
        pages = self.notebook_pages
        pages.figure_alt = self.texts.figure_alt
        pages.cache = self.cache
        pages.namespace = f"notebooks-{edition or 'default'}"
        pages.depends_on = f"{self.examples.package} {self.examples.environment}"
        # mkdocstrings made its handlers in its on_config; the API pages are read after this.
        api = config.plugins.get("mkdocstrings")
        if api is not None:
            keep_compiled(api.get_handler("python").env, self.templates)

    @event_priority(-200)  # after mkdocs-static-i18n (-100) has picked this edition's files
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        """Each chapter's notebook, and the zip of all, in the edition's folder.

        Then what every page depends on, for reusing pages under serve (``rendered.py``).
        """
        files = notebooks.add_notebooks(files, config, self.texts.notebook_credit, self.notebooks)
        edition, package = _language(config), self.examples.package
        self.rendered.start_build(config, files, edition, package)
        return files

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        """The theme's templates, compiled once for the whole process (``templates.py``)."""
        keep_compiled(env, self.templates)
        return env

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        """Find the page's executed blocks, so a failure names its file and line.

        A page unchanged since an earlier build of this serve process gets no Markdown to
        convert: its earlier HTML is put back in ``on_page_content``.
        """
        if self.rendered.start_page(page, markdown, self.cache):
            return ""
        source = Path(page.file.abs_src_path or "")
        config_dir = Path(config.config_file_path).parent
        inside = source.is_relative_to(config_dir)
        path = str(source.relative_to(config_dir)) if inside else str(source)
        self.examples.start_page(page.file.content_string, path)
        return markdown

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Math, Chinese lines, the notebook link, notebook pages, figures, long names.

        Math becomes MathML, Chinese lines are joined, figures get their boxes, and the
        API pages' long names get places to break.

        Or, for a page reused under serve, the HTML its earlier rendering gave.
        """
        if self.rendered.reusing(page):
            return self.rendered.reuse(page, config, files, self.cache)
        html = join_cjk_lines(typeset_arithmatex(html))
        notebook = self.notebooks.get(page.file.src_uri)
        html = notebooks.link_notebook(html, page, notebook, self.texts.notebook_link)
        html = break_names(box_figures(self.notebook_pages.page_content(html, page, config)))
        self.rendered.keep(page, html, config, self.cache)
        return html

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Point an edition's pages at the edition's own root (search index, sitemap)."""
        return editions.rebase(output, page, config)

    @event_priority(100)  # before mkdocs-static-i18n (-100) builds the next edition
    def _finish_cache(self, *, config: MkDocsConfig) -> None:
        """This edition's cache: prune what the build did not use; report bad entries."""
        self.cache.finish((self.examples.namespace, self.notebook_pages.namespace))

    @event_priority(-200)  # after mkdocs-static-i18n has merged the editions' search entries
    def _split_search(self, *, config: MkDocsConfig) -> None:
        """Split the search index by edition, and give each edition its own sitemap."""
        editions.split_search(config)

    on_post_build = CombinedEvent(_finish_cache, _split_search)
