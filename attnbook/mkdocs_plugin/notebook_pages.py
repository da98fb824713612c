"""Notebook pages (mkdocs-jupyter) that meet the bar of the Markdown pages.

mkdocs-jupyter turns ``docs/*.ipynb`` into pages and executes them at build time
(``execute: true`` in ``mkdocs.yml``). Out of the box it falls short; ``NotebookPages``
fixes it:

- **Chinese headings get empty ids** (its slugify is ASCII-only) and its table of contents
  uses another slugify again. Here every heading of a notebook page gets its id from the
  site's own ``toc`` slugify (unique on the page, as Python-Markdown does) and the page's
  table of contents is rebuilt from those headings, so each TOC link has its target.
- **A failing cell passes a strict build** when ``allow_errors`` is true (its default).
  The build refuses that setting and mkdocs-jupyter's ``cache: true`` (whose key ignores
  the attnbook package, so outputs would go stale when it changes); the page's HTML is
  kept in the book's own cache instead (``cache.py``), keyed on the notebook, the
  package, the environment and the options, like the chapters' examples. A failing,
  hanging or crashing cell, or one that writes to stderr (a warning), fails the build
  with ``docs/<notebook>.ipynb: cell N …``.
- **575 KB of JupyterLab CSS per page, MathJax and mermaid from CDNs.** The build swaps
  mkdocs-jupyter's nbconvert template for ``notebook_page.html.j2`` beside it: no CSS,
  no script, material's own code-block markup (so the light/dark toggle applies), prose
  at the top level of the page, code and outputs excluded from search. Math in Markdown
  cells is typeset as MathML by the typesetter the chapters use; a page that
  would still load anything from another host fails the build.

The kernel must be this Python's, so a notebook runs against the attnbook installed
next to mkdocs; the build checks that the kernel spec resolves to it. The build talks to
it over Unix sockets in a private temporary folder (jupyter_client's ``ipc`` transport),
not over TCP on 127.0.0.1: no other local user can reach the kernel, and ipykernel does
not warn that TCP runs unencrypted. The kernel's own log (its process's stderr, not a
cell's output) goes to a file in that folder, not to the build's terminal: ipykernel 7.4
sometimes logs a harmless ``ERROR … ZMQError`` as it shuts down, which reads like a real
problem. ``mkdocs build --verbose`` shows the log, and so does the error of a notebook
whose kernel dies or times out.

The converter and exporter are put in mkdocs-jupyter's place through
``compat/mkdocs_jupyter.py``, the one module that knows those internals.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote

from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from jupyter_client.manager import AsyncKernelManager
from markdown.extensions.toc import TocExtension, nest_toc_tokens, unique
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound
from traitlets import Unicode

from attnbook.mkdocs_plugin.cache import DiskCache
from attnbook.mkdocs_plugin.compat import mkdocs_jupyter as compat
from attnbook.mkdocs_plugin.mathml import typeset_dollars

__all__ = ["TEMPLATE", "KernelWithItsOwnLog", "NotebookPages"]

log = logging.getLogger("mkdocs.plugins.attnbook")

TEMPLATE = Path(__file__).with_name("notebook_page.html.j2")

#: The ¶ link's title where the site's toc settings give none: toc's own default.
_TOC_PERMALINK_TITLE = TocExtension().getConfig("permalink_title")
_HEADING = re.compile(r"<h(?P<level>[1-6])\b[^>]*>(?P<inner>.*?)</h(?P=level)>", re.DOTALL)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_CHARREF = re.compile(r"&#(\d+);")
# The last <style> block only: an output (an inline SVG figure) may hold <style> too.
_TRAILING_STYLE = re.compile(r"\s*<style>(?:(?!<style>).)*</style>\s*\Z", re.DOTALL)
_STDERR = re.compile(r'<div class="highlight attnbook-stderr"[^>]*>(.*?)</div>', re.DOTALL)
_EXTERNAL = re.compile(
    r"<(?:script|link|img|iframe|source|video|audio|embed|object|track)\b[^>]*?"
    r"\b(?:src|href|data|srcset)\s*=\s*[\"']?(?:https?:)?//"
    r"|@import|url\(\s*[\"']?(?:https?:)?//",
    re.IGNORECASE,
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# A figure's output carries attnbook's views script for Jupyter (views._script_tag).
_DATA_SCRIPT = re.compile(r'<script src="data:text/javascript,([^"]+)"></script>')


# --- nbconvert: our template, material's code markup, loud failures ----------------------


class KernelWithItsOwnLog(AsyncKernelManager):
    """A kernel manager that sends the kernel process's stderr to ``log_file``.

    nbclient makes its kernel manager from the ``kernel_manager_class`` it is configured
    with, and ``start_kernel`` passes Popen's keyword arguments on to the kernel process.
    """

    log_file = Unicode("", help="The file the kernel's stderr goes to ('': inherited).").tag(
        config=True
    )

    # AsyncKernelManager's start_kernel is a coroutine, typed as KernelManager's sync one.
    async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
        """Start the kernel with its stderr appended to ``log_file``."""
        if not self.log_file or "stderr" in kw:
            await super().start_kernel(**kw)
            return
        with open(self.log_file, "ab") as stderr:  # the kernel process holds its own copy
            await super().start_kernel(stderr=stderr, **kw)


def _highlight_code(source: str, language: str | None = None, metadata: Any = None) -> str:
    """Highlight a code cell as pymdownx.highlight does for the chapters' blocks."""
    try:
        lexer = get_lexer_by_name(language or "python")
    except ClassNotFound:
        lexer = get_lexer_by_name("text")
    formatter = HtmlFormatter(cssclass="highlight", wrapcode=True)
    return highlight(source, lexer, formatter).replace(
        '<div class="highlight">', '<div class="highlight" data-search-exclude>', 1
    )


def _failing_cell(nb_path: str, error: CellExecutionError) -> str:
    """'cell N' for the cell whose source the error message quotes, if it can be found."""
    quoted = str(error).split("------------------\n")
    if len(quoted) < 2:
        return "a cell"
    source = quoted[1].rstrip("\n")
    cells = json.loads(Path(nb_path).read_text(encoding="utf-8"))["cells"]
    for number, cell in enumerate(cells, start=1):
        text = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if cell["cell_type"] == "code" and text.rstrip("\n") == source:
            return f"cell {number}"
    return "a cell"


def _check_kernel(kernel_name: str) -> None:
    """The kernel must run this Python, so notebooks see the attnbook installed here."""
    name = kernel_name or "python3"
    try:
        argv = KernelSpecManager().get_kernel_spec(name).argv
    except NoSuchKernel:
        raise PluginError(
            f"no Jupyter kernel {name!r}; install one: {sys.executable} -m ipykernel install "
            "--sys-prefix"
        ) from None
    # jupyter_client runs a bare "python" as sys.executable.
    if (
        argv[0] not in {"python", "python3"}
        and Path(argv[0]).absolute() != Path(sys.executable).absolute()
    ):
        raise PluginError(
            f"the Jupyter kernel {name!r} runs {argv[0]}, not this Python ({sys.executable}); "
            f"reinstall it: {sys.executable} -m ipykernel install --sys-prefix"
        )


def _headings(
    content: str, toc_depth: int, slugify: Callable[[str], str], permalink_title: str
) -> tuple[str, list[dict[str, Any]]]:
    """Give each heading the site's id and permalink; return the page and its TOC tokens."""
    title = html.escape(permalink_title)
    ids: set[str] = set()
    tokens: list[dict[str, Any]] = []

    def rewrite(match: re.Match[str]) -> str:
        level = int(match["level"])
        inner = _ANCHOR_LINK.sub("", match["inner"])
        inner = _CHARREF.sub(lambda ref: chr(int(ref[1])), inner).strip()
        text = html.unescape(_TAG.sub("", inner)).strip()
        anchor = unique(slugify(text), ids)
        if level <= toc_depth:
            name = html.escape(text, quote=False)
            tokens.append({"level": level, "id": anchor, "name": name, "children": []})
        return (
            f'<h{level} id="{anchor}">{inner}<a class="headerlink" href="#{anchor}" '
            f'title="{title}">&para;</a></h{level}>'
        )

    return _HEADING.sub(rewrite, content), nest_toc_tokens(tokens)


def _without_views_scripts(content: str) -> str:
    """The page without its outputs' copies of attnbook's views script.

    Each copy would run while the page is parsed, and the page loads the script once
    already (``extra_javascript``): the copies are only what a notebook in Jupyter needs.
    """

    def drop(match: re.Match[str]) -> str:
        return "" if "attnbookViews" in unquote(match[1]) else match[0]

    return _DATA_SCRIPT.sub(drop, content)


class NotebookPages:
    """What the notebook pages need from one build to the next: the site's settings."""

    def __init__(self) -> None:
        """Start with the defaults of a site without ``toc`` options."""
        self.config_dir = Path.cwd()
        self.toc_slugify: Any = None
        self.permalink_title = _TOC_PERMALINK_TITLE
        self.figure_alt = ""
        self.cell_timeout = 300
        self.cache = DiskCache(None)
        self.namespace = "notebooks"
        self.depends_on = ""  # the package's and the environment's hashes, for the cache
        self._socket_folder: tempfile.TemporaryDirectory[str] | None = None

    def configure(self, config: MkDocsConfig, cell_timeout: int) -> None:
        """Check mkdocs-jupyter's settings and put the book's converter in its place."""
        self.config_dir = Path(config.config_file_path).parent
        self.toc_slugify = config.mdx_configs.get("toc", {}).get("slugify")
        self.permalink_title = config.mdx_configs.get("toc", {}).get(
            "permalink_title", _TOC_PERMALINK_TITLE
        )
        self.cell_timeout = cell_timeout
        plugin = config.plugins.get("mkdocs-jupyter")
        if plugin is None:
            return
        options = plugin.config
        if options["allow_errors"]:
            raise PluginError("mkdocs-jupyter: set allow_errors: false, so a failing cell fails")
        if options["cache"]:
            raise PluginError(
                "mkdocs-jupyter: set cache: false; its cache key ignores attnbook, "
                "so cached outputs would go stale when the package changes"
            )
        if options["execute"]:
            _check_kernel(options["kernel_name"])
        compat.wrap_converter(self._exporter, self._converter)

    def _relative(self, path: str | Path) -> str:
        path = Path(path)
        inside = path.is_relative_to(self.config_dir)
        return str(path.relative_to(self.config_dir)) if inside else str(path)

    def _sockets(self) -> str:
        """The path prefix of the kernel's sockets, in a folder only this process uses."""
        if self._socket_folder is None:
            self._socket_folder = tempfile.TemporaryDirectory(prefix="attnbook-kernel-")
        return str(Path(self._socket_folder.name) / "kernel")

    def _kernel_log(self) -> str:
        """The file the notebooks' kernels write their own log to (not the cells' output)."""
        return str(Path(self._sockets()).with_name("kernel.log"))

    def _read_kernel_log(self, where: str) -> str:
        """What the kernel logged while ``where`` ran, shown by ``--verbose``; emptied."""
        path = Path(self._kernel_log())
        if not path.exists():
            return ""
        text = _ANSI.sub("", path.read_text(encoding="utf-8", errors="replace")).strip()
        path.unlink()
        if text:
            log.debug("%s: the kernel logged:\n%s", where, text)
        return text

    def _exporter(self, original: type[Any]) -> Callable[..., Any]:
        def make(**kwargs: Any) -> Any:
            kwargs["template_file"] = TEMPLATE.name
            kwargs["extra_template_paths"] = [
                str(TEMPLATE.parent),
                *kwargs["extra_template_paths"],
            ]
            kwargs["filters"] = {
                **kwargs.get("filters", {}),
                "highlight_code": _highlight_code,
                "figure_alt": lambda output: self.figure_alt,
            }
            kwargs["config"]["ExecutePreprocessor"]["timeout"] = self.cell_timeout
            # nbclient makes the kernel's manager with the exporter's configuration.
            kwargs["config"]["KernelManager"].transport = "ipc"
            kwargs["config"]["KernelManager"].ip = self._sockets()
            kwargs["config"]["NotebookClient"].kernel_manager_class = KernelWithItsOwnLog
            kwargs["config"]["KernelWithItsOwnLog"].log_file = self._kernel_log()
            return original(**kwargs)

        return make

    def _converter(self, original: Callable[..., str]) -> Callable[..., str]:
        def convert(nb_path: str, *args: Any, **kwargs: Any) -> str:
            where = self._relative(nb_path)
            key = self._key(nb_path, args, kwargs)
            cached = self.cache.get(self.namespace, key)
            if cached is not None:
                return cached
            try:
                content = original(nb_path, *args, **kwargs)
            except CellExecutionError as error:
                # The innermost frame in the cell, as IPython names it: "Cell In[3], line 2".
                lines = re.findall(r"Cell In\[\d+\], line (\d+)", _ANSI.sub("", str(error)))
                line = f", line {lines[-1]}" if lines else ""
                raise PluginError(
                    f"{where}: {_failing_cell(nb_path, error)}{line} failed with "
                    f"{error.ename}: {_ANSI.sub('', error.evalue)}"
                ) from None
            except (CellTimeoutError, DeadKernelError) as error:
                kernel = self._read_kernel_log(where)
                said = f"\nThe kernel logged:\n{kernel}" if kernel else ""
                raise PluginError(f"{where}: {type(error).__name__}: {error}{said}") from None
            finally:
                self._read_kernel_log(where)
            # nb2html appends the Pygments CSS for its own class names; material styles ours.
            content = _TRAILING_STYLE.sub("\n", content)
            stderr = _STDERR.search(content)
            if stderr:
                text = html.unescape(_TAG.sub("", stderr[1])).strip()
                raise PluginError(
                    f"{where}: a cell wrote to stderr (a warning is an error):\n{text}"
                )
            self.cache.put(self.namespace, key, content)
            return content

        return convert

    def _key(self, nb_path: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
        """The cache key of a notebook page's HTML: everything the HTML depends on."""
        digest = hashlib.sha256(Path(nb_path).read_bytes())
        for part in (
            repr(args),
            repr(sorted(kwargs.items())),
            self.depends_on,
            self.namespace,
            self.figure_alt,
            str(self.cell_timeout),
        ):
            digest.update(b"\0" + part.encode())
        digest.update(TEMPLATE.read_bytes())
        return digest.hexdigest()

    def _slugify(self, text: str) -> str:
        if self.toc_slugify is None:
            from pymdownx.slugs import slugify as make_slugify

            self.toc_slugify = make_slugify(case="lower")
        return str(self.toc_slugify(text, "-"))

    def page_content(self, content: str, page: Page, config: MkDocsConfig) -> str:
        """A notebook page's HTML with the site's heading ids, its TOC, and MathML."""
        if not page.file.src_uri.endswith(".ipynb"):
            return content
        plugin = config.plugins.get("mkdocs-jupyter")
        toc_depth = plugin.config["toc_depth"] if plugin is not None else 6
        content, tokens = _headings(content, toc_depth, self._slugify, self.permalink_title)
        page.toc = get_toc(cast(Any, tokens))
        content = _without_views_scripts(typeset_dollars(content))
        external = _EXTERNAL.search(content)
        if external:
            raise PluginError(
                f"docs/{page.file.src_uri}: the page would load from another host: "
                f"{external[0][:120]}"
            )
        return content
