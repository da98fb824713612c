"""MkDocs hook: notebook pages (mkdocs-jupyter) that meet the bar of the Markdown pages.

mkdocs-jupyter turns ``docs/*.ipynb`` into pages and executes them at build time
(``execute: true`` in ``mkdocs.yml``). Out of the box it falls short; this hook fixes it:

- **Chinese headings get empty ids** (its slugify is ASCII-only) and its table of contents
  uses another slugify again. Here every heading of a notebook page gets its id from the
  site's own ``toc`` slugify (unique on the page, as Python-Markdown does) and the page's
  table of contents is rebuilt from those headings, so each TOC link has its target.
- **A failing cell passes a strict build** when ``allow_errors`` is true (its default).
  The hook refuses that setting and ``cache: true`` (whose key ignores the attnbook
  package, so outputs would go stale when it changes: every build executes afresh, like
  the chapters' examples). A failing, hanging or crashing cell, or one that writes to
  stderr (a warning), fails the build with ``docs/<notebook>.ipynb: cell N …``.
- **575 KB of JupyterLab CSS per page, MathJax and mermaid from CDNs.** The hook swaps
  mkdocs-jupyter's nbconvert template for ``notebook_page.html.j2`` beside it: no CSS,
  no script, material's own code-block markup (so the light/dark toggle applies), prose
  at the top level of the page, code and outputs excluded from search. Math in Markdown
  cells is typeset as MathML by the typesetter the chapters use; a page that
  would still load anything from another host fails the build.

The kernel must be this Python's, so a notebook runs against the attnbook installed
next to mkdocs; the hook checks that the kernel spec resolves to it.

It patches two names in mkdocs-jupyter's ``nbconvert2`` module (pinned in
``.ci/constraints.txt``); ``tests/test_notebooks.py`` fails loudly if they move.
"""

from __future__ import annotations

import html
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from markdown.extensions.toc import nest_toc_tokens, unique
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs_jupyter import nbconvert2
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from attnbook.mkdocs_plugin.mathml import typeset

TEMPLATE = Path(__file__).with_name("notebook_page.html.j2")
CELL_TIMEOUT = 300  # seconds; a hanging cell fails the build instead of hanging it

_HEADING = re.compile(r"<h(?P<level>[1-6])\b[^>]*>(?P<inner>.*?)</h(?P=level)>", re.DOTALL)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_CHARREF = re.compile(r"&#(\d+);")
_TRAILING_STYLE = re.compile(r"\s*<style>.*?</style>\s*\Z", re.DOTALL)
_STDERR = re.compile(r'<div class="highlight attnbook-stderr"[^>]*>(.*?)</div>', re.DOTALL)
_EXTERNAL = re.compile(
    r"<(?:script|link|img|iframe|source|video|audio|embed|object|track)\b[^>]*?"
    r"\b(?:src|href|data|srcset)\s*=\s*[\"']?(?:https?:)?//"
    r"|@import|url\(\s*[\"']?(?:https?:)?//",
    re.IGNORECASE,
)
_CODE_OR_PRE = re.compile(r"<pre\b.*?</pre>|<code\b.*?</code>", re.DOTALL)
_DISPLAY_MATH = re.compile(r"\$\$(?P<tex>.+?)\$\$", re.DOTALL)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?P<tex>[^$\n]+?)\$(?!\$)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

# The alt text of a figure in a cell's output, in the edition's language.
FIGURE_ALT = {"zh": "上面的代码画出的图", "en": "The figure drawn by the code above"}

_state: dict[str, Any] = {"config_dir": Path.cwd(), "slugify": None, "language": "zh"}


def _relative(path: str | Path) -> str:
    path = Path(path)
    config_dir = _state["config_dir"]
    return str(path.relative_to(config_dir)) if path.is_relative_to(config_dir) else str(path)


# --- nbconvert: our template, material's code markup, loud failures ----------------------


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


def _exporter(original: type[Any]) -> Callable[..., Any]:
    def make(**kwargs: Any) -> Any:
        kwargs["template_file"] = TEMPLATE.name
        kwargs["extra_template_paths"] = [str(TEMPLATE.parent), *kwargs["extra_template_paths"]]
        kwargs["filters"] = {
            **kwargs.get("filters", {}),
            "highlight_code": _highlight_code,
            "figure_alt": lambda output: FIGURE_ALT[_state["language"]],
        }
        kwargs["config"]["ExecutePreprocessor"]["timeout"] = CELL_TIMEOUT
        return original(**kwargs)

    return make


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


def _nb2html(original: Callable[..., str]) -> Callable[..., str]:
    def convert(nb_path: str, *args: Any, **kwargs: Any) -> str:
        where = _relative(nb_path)
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
            raise PluginError(f"{where}: {type(error).__name__}: {error}") from None
        # nb2html appends the Pygments CSS for its own class names; material styles ours.
        content = _TRAILING_STYLE.sub("\n", content)
        stderr = _STDERR.search(content)
        if stderr:
            text = html.unescape(_TAG.sub("", stderr[1])).strip()
            raise PluginError(f"{where}: a cell wrote to stderr (a warning is an error):\n{text}")
        return content

    return convert


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


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    _state["config_dir"] = Path(config.config_file_path).parent
    _state["slugify"] = config.mdx_configs.get("toc", {}).get("slugify")
    plugin = config.plugins.get("mkdocs-jupyter")
    if plugin is None:
        return config
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
    # Patch once: mkdocs serve calls on_config again on every rebuild.
    if not getattr(nbconvert2.nb2html, "attnbook", False):
        nbconvert2.HTMLExporter = _exporter(nbconvert2.HTMLExporter)
        convert = _nb2html(nbconvert2.nb2html)
        convert.attnbook = True  # type: ignore[attr-defined]
        nbconvert2.nb2html = convert
        # mkdocs_jupyter.plugin calls it as convert.nb2html (a re-export).
        from mkdocs_jupyter import convert as convert_module

        convert_module.nb2html = convert
    return config


def on_pre_build(config: MkDocsConfig) -> None:
    # The edition being built: docs/hooks/languages.py sets it before any on_config runs.
    _state["language"] = str(config.theme["language"])


# --- the rendered page: heading ids, table of contents, math, no other host ----------------


def _slugify(text: str) -> str:
    slugify = _state["slugify"]
    if slugify is None:
        from pymdownx.slugs import slugify as make_slugify

        slugify = _state["slugify"] = make_slugify(case="lower")
    return str(slugify(text, "-"))


def _headings(content: str, toc_depth: int) -> tuple[str, list[dict[str, Any]]]:
    """Give each heading the site's id and permalink; return the page and its TOC tokens."""
    ids: set[str] = set()
    tokens: list[dict[str, Any]] = []

    def rewrite(match: re.Match[str]) -> str:
        level = int(match["level"])
        inner = _ANCHOR_LINK.sub("", match["inner"])
        inner = _CHARREF.sub(lambda ref: chr(int(ref[1])), inner).strip()
        text = html.unescape(_TAG.sub("", inner)).strip()
        anchor = unique(_slugify(text), ids)
        if level <= toc_depth:
            name = html.escape(text, quote=False)
            tokens.append({"level": level, "id": anchor, "name": name, "children": []})
        return (
            f'<h{level} id="{anchor}">{inner}<a class="headerlink" href="#{anchor}" '
            f'title="Permanent link">&para;</a></h{level}>'
        )

    return _HEADING.sub(rewrite, content), nest_toc_tokens(tokens)


def _math(content: str) -> str:
    """Typeset $…$ and $$…$$ left by nbconvert in prose (not in code) as MathML."""

    def typeset_prose(prose: str) -> str:
        prose = _DISPLAY_MATH.sub(lambda m: typeset(m["tex"], "block"), prose)
        return _INLINE_MATH.sub(lambda m: typeset(m["tex"], "inline"), prose)

    pieces, last = [], 0
    for code in _CODE_OR_PRE.finditer(content):
        pieces += [typeset_prose(content[last : code.start()]), code[0]]
        last = code.end()
    return "".join([*pieces, typeset_prose(content[last:])])


def on_page_content(
    content: str, page: Page, config: MkDocsConfig, files: Files, **kwargs: Any
) -> str:
    if not page.file.src_uri.endswith(".ipynb"):
        return content
    plugin = config.plugins.get("mkdocs-jupyter")
    toc_depth = plugin.config["toc_depth"] if plugin is not None else 6
    content, tokens = _headings(content, toc_depth)
    page.toc = get_toc(tokens)
    content = _math(content)
    external = _EXTERNAL.search(content)
    if external:
        raise PluginError(
            f"docs/{page.file.src_uri}: the page would load from another host: {external[0][:120]}"
        )
    return content
