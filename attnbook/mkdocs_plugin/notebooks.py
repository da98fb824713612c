"""Every chapter as a Jupyter notebook, generated from its Markdown at build time.

One source of truth: a chapter's notebook is made from the chapter's Markdown on every
build, never committed. For each page with executed ``python exec="1"`` blocks, the build
writes ``notebooks/<chapter>.ipynb`` into the site:

- a first Markdown cell credits d2l.ai (CC BY-SA 4.0) and links the chapter's page;
- prose becomes Markdown cells and each executed block a code cell, in order. The
  chapter's first block (its imports) is the first cell;
- a build-only line ``print(to_svg(NAME, ...))  # markdown-exec: hide`` (or, for an
  interactive view, ``print(NAME.to_html(...))``) becomes ``NAME`` at the end of its
  cell (``display(NAME)`` elsewhere), so Jupyter shows the figure;
  other ``# markdown-exec: hide`` lines are dropped, and so is an import of ``to_svg``
  that nothing uses any more;
- admonitions become a bold title and their dedented text (executed blocks inside them
  become code cells in order); ``==highlights==`` become ``<mark>``; footnotes become
  numbered ``<sup>`` marks with their notes kept in place; links to other pages point
  to the site (``site_url``); ``$math$`` and non-executed code blocks stay as they are.

Notebook pages (``docs/*.ipynb``, rendered by mkdocs-jupyter) are offered as they are
committed (without outputs). All notebooks are also zipped, with fixed timestamps so two
builds give the same bytes, into ``notebooks/attnbook-notebooks.zip``, which the home page
links. Every page with a notebook gets a download link under its title.

Each edition (mkdocs-static-i18n) gets its own: the English pages' notebooks, zip and
links are under ``en/notebooks/``. The credit and the link's text are the edition's, from
``mkdocs.yml`` (``plugins: attnbook: editions``).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import nbformat
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils.meta import get_data
from mkdocs.utils.yaml import yaml_load

from attnbook.mkdocs_plugin.blocks import (
    exec_options,
    executed_blocks,
    fence_end,
    fenced_runs,
    opening_fence,
)

__all__ = [
    "NOTEBOOK_DIR",
    "ZIP_URI",
    "add_notebooks",
    "chapter_notebook",
    "link_notebook",
    "published_url",
]

NOTEBOOK_DIR = "notebooks"
ZIP_URI = f"{NOTEBOOK_DIR}/attnbook-notebooks.zip"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold: no build timestamp
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

_CELL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # what nbformat accepts as a cell id
_ADMONITION = re.compile(
    r"^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]+(?P<kind>[\w-]+)"
    r'(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$'
)
_H1 = re.compile(r"^#[ \t]+(?P<title>.+?)[ \t#]*$", re.MULTILINE)
_FOOTNOTE_DEFINITION = re.compile(r"^\[\^(?P<label>[^\]]+)\]:[ \t]?(?P<text>.*)$")
_FOOTNOTE_REFERENCE = re.compile(r"\[\^(?P<label>[^\]]+)\](?!:)")
_MARK = re.compile(r"==(?=\S)(?P<text>(?:(?!\n[ \t]*\n).)+?)(?<=\S)==", re.DOTALL)
_LINK = re.compile(r"(?P<head>!?\[[^\]\n]*\]\()(?P<target>[^)\s]+)(?P<tail>[^)]*\))")
_INLINE_CODE = re.compile(r"(?P<ticks>`+).+?(?P=ticks)", re.DOTALL)
_SHOWN_FIGURE = re.compile(
    r"^(?P<indent>[ \t]*)print\(\s*(?:to_svg\(\s*(?P<name>[A-Za-z_]\w*)\b"
    r"|(?P<view>[A-Za-z_]\w*)\.to_html\()"  # a figure, or an interactive view
    r".*#\s*markdown-exec:\s*hide\s*$"
)
_HIDDEN = re.compile(r"#\s*markdown-exec:\s*hide\s*$")
_ATTNBOOK_IMPORT = re.compile(
    r"^(?P<head>[ \t]*from attnbook import )(?:\((?P<group>[^()]*)\)|(?P<names>[^()\n]+))$", re.M
)


# --- Markdown chapter -> notebook ---------------------------------------------------------


def _fenced(lines: list[str]) -> list[tuple[bool, list[str]]]:
    """Split lines into runs of prose and of fenced code blocks: (is_code, lines)."""
    return [(is_code, run) for _, is_code, run in fenced_runs(lines)]


def _flatten_admonitions(lines: list[str]) -> list[str]:
    """Turn ``!!! kind "title"`` blocks into a bold title line and their dedented body."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        if opening_fence(lines[i]):
            end = fence_end(lines, i)
            out += lines[i : end + 1]
            i = end + 1
            continue
        admonition = _ADMONITION.match(lines[i])
        if admonition is None:
            out.append(lines[i])
            i += 1
            continue
        indent = admonition["indent"]
        body_indent = indent + "    "
        body: list[str] = []
        i += 1
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith(body_indent)):
            body.append(lines[i][len(body_indent) :] if lines[i].strip() else "")
            i += 1
        while body and not body[-1]:
            body.pop()
        title = admonition["title"]
        if title is None:
            title = admonition["kind"].capitalize()
        body = ([f"**{title}**", ""] if title else []) + _flatten_admonitions(body)
        # A side note without examples reads best as a quote; one with examples cannot be
        # (its code cells would split the quote), so it keeps a bold title.
        quote = "> " if not any(is_code for is_code, _ in _fenced(body)) else ""
        out += [f"{indent}{quote}{line}".rstrip() if line or quote else "" for line in body]
        out.append("")
    return out


def _outside_code(text: str, change: Callable[[str], str], *, spans: bool = True) -> str:
    """Apply ``change`` to the prose of a Markdown text, not to code blocks (nor spans)."""
    pieces = []
    for is_code, run in _fenced(text.split("\n")):
        chunk = "\n".join(run)
        if is_code or not spans:
            pieces.append(chunk if is_code else change(chunk))
            continue
        last, parts = 0, []
        for code in _INLINE_CODE.finditer(chunk):
            parts += [change(chunk[last : code.start()]), code[0]]
            last = code.end()
        pieces.append("".join([*parts, change(chunk[last:])]))
    return "\n".join(pieces)


def _footnotes(lines: list[str]) -> list[str]:
    """Number footnotes as the site does (in order of definition) and keep them readable."""
    numbers: dict[str, int] = {}
    for is_code, run in _fenced(lines):
        for line in [] if is_code else run:
            definition = _FOOTNOTE_DEFINITION.match(line)
            if definition:
                numbers.setdefault(definition["label"], len(numbers) + 1)
    if not numbers:
        return lines

    def reference(found: re.Match[str]) -> str:
        return f"<sup>{numbers.get(found['label'], '?')}</sup>"

    out: list[str] = []
    for is_code, run in _fenced(lines):
        if is_code:
            out += run
            continue
        i = 0
        while i < len(run):
            definition = _FOOTNOTE_DEFINITION.match(run[i])
            if definition is None:
                out.append(_outside_code(run[i], partial(_FOOTNOTE_REFERENCE.sub, reference)))
                i += 1
                continue
            text = [definition["text"].strip()]
            i += 1
            while i < len(run) and run[i].startswith("    "):
                text.append(run[i].strip())
                i += 1
            out += [f"<sup>{numbers[definition['label']]}</sup> {' '.join(text)}", ""]
    return out


def _prose(text: str, link: Callable[[str], str]) -> str:
    def relink(prose: str) -> str:  # a link's text may hold code: `[`f`](api.md#f)`
        return _LINK.sub(lambda found: found["head"] + link(found["target"]) + found["tail"], prose)

    def mark(prose: str) -> str:
        return _MARK.sub(lambda found: f"<mark>{found['text']}</mark>", prose)

    return _outside_code(_outside_code(text, relink, spans=False), mark).strip("\n")


def _notebook_code(code: str) -> str:
    """What a notebook reader would write instead of the build-only hidden lines."""
    lines: list[str] = []
    figures: dict[int, tuple[str, str]] = {}
    for line in code.split("\n"):
        shown = _SHOWN_FIGURE.match(line)
        if shown:
            figures[len(lines)] = (shown["indent"], shown["name"] or shown["view"])
            lines.append("")
        elif not _HIDDEN.search(line):
            lines.append(line)
    while lines and not lines[-1].strip() and len(lines) - 1 not in figures:
        lines.pop()
    for index, (indent, name) in figures.items():
        last = index == len(lines) - 1 and not indent
        lines[index] = f"{indent}{name}" if last else f"{indent}display({name})"
    return "\n".join(lines).strip("\n")


def _drop_unused_to_svg(cells: list[Any]) -> None:
    """The notebook shows figures itself: drop ``to_svg`` from imports if unused."""
    code = [cell for cell in cells if cell.cell_type == "code"]
    uses = sum(
        len(re.findall(r"\bto_svg\b", _ATTNBOOK_IMPORT.sub("", cell.source))) for cell in code
    )
    if uses:
        return

    def without(found: re.Match[str]) -> str:
        names = [name.strip() for name in (found["group"] or found["names"]).split(",")]
        kept = [name for name in names if name and name != "to_svg"]
        if not kept:
            return ""
        if found["group"] is not None:  # one name a line, as written
            return found["head"] + "(\n" + "".join(f"    {name},\n" for name in kept) + ")"
        return found["head"] + ", ".join(kept)

    for cell in code:
        cell.source = _ATTNBOOK_IMPORT.sub(without, cell.source).strip("\n")


def chapter_notebook(
    markdown: str,
    *,
    page_url: str,
    home_url: str,
    link: Callable[[str], str],
    credit: str,
) -> nbformat.NotebookNode:
    """Make the notebook of a chapter from its Markdown (front matter removed).

    Args:
        markdown: The chapter's Markdown.
        page_url: The URL of the chapter's page, for the credit cell.
        home_url: The URL of the home page, which says how to install attnbook.
        link: Maps a link target of the chapter (e.g. ``api.md#x``) to one that works
            from a notebook.
        credit: The first cell, in the edition's language: a template of ``{title}``
            (the chapter's), ``{url}`` (its page) and ``{home}`` (the home page).

    Returns:
        The notebook, in nbformat 4 with deterministic cell ids.
    """
    heading = _H1.search(markdown)
    title = heading["title"] if heading else ""
    lines = _footnotes(_flatten_admonitions(markdown.split("\n")))
    v4 = nbformat.v4
    cells = [v4.new_markdown_cell(credit.format(title=title, url=page_url, home=home_url))]
    used_ids: set[str] = set()

    def cell_id(wanted: str | None) -> str:
        candidate = wanted or f"cell-{len(cells)}"
        if candidate in used_ids:
            candidate = f"cell-{len(cells)}"
        used_ids.add(candidate)
        return candidate

    cells[0].id = cell_id("credit")
    prose: list[str] = []

    def flush() -> None:
        text = _prose("\n".join(prose), link)
        prose.clear()
        if text.strip():
            cells.append(v4.new_markdown_cell(text, id=cell_id(None)))

    for is_code, run in _fenced(lines):
        opening = opening_fence(run[0]) if is_code else None
        options = exec_options(opening["info"]) if opening else None
        if opening is None or options is None:
            prose += run
            continue
        flush()
        indent = opening["indent"]
        body = [line[len(indent) :] if line.startswith(indent) else line for line in run[1:-1]]
        block_id = options.get("id", "")
        source = _notebook_code("\n".join(body))
        cells.append(
            v4.new_code_cell(source, id=cell_id(block_id if _CELL_ID.match(block_id) else None))
        )
    flush()
    _drop_unused_to_svg(cells)
    notebook = v4.new_notebook(
        cells=cells, metadata={"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    )
    nbformat.validate(notebook)
    return notebook


# --- MkDocs events --------------------------------------------------------------------------


def _has_examples(markdown: str) -> bool:
    return bool(executed_blocks(markdown, ""))


def _linker(page: File, files: Files, site_url: str) -> Callable[[str], str]:
    def link(target: str) -> str:
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:|#|/)", target, re.IGNORECASE) or not site_url:
            return target
        path, _, fragment = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page.src_uri), path))
        found = files.get_file_from_path(resolved)
        if found is None:
            return target
        return site_url + found.url + (f"#{fragment}" if fragment else "")

    return link


def _zip(notebooks: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(notebooks):
            info = zipfile.ZipInfo(f"attnbook-notebooks/{name}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, notebooks[name])
    return buffer.getvalue()


def published_url(site_url: str, config_file: str | None) -> str:
    """The edition's address on the published site, also when ``mkdocs serve`` builds it.

    ``mkdocs serve`` sets ``site_url`` to its own address (``http://127.0.0.1:8000``) with
    the published path; a notebook downloaded from it keeps linking to the published
    book, whose host is the one ``mkdocs.yml`` declares.

    Args:
        site_url: The build's ``site_url`` (an edition's, e.g. ending in ``en/``).
        config_file: The ``mkdocs.yml`` that declares the published ``site_url``.

    Returns:
        ``site_url`` with the declared scheme and host, when their paths agree.

    Examples:
        >>> import tempfile, pathlib
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "mkdocs.yml").write_text("site_url: https://a.io/book/")
        >>> published_url("http://127.0.0.1:8000/book/en/", str(folder / "mkdocs.yml"))
        'https://a.io/book/en/'
        >>> published_url("https://a.io/book/", str(folder / "mkdocs.yml"))
        'https://a.io/book/'
    """
    if not site_url or not config_file:
        return site_url
    with open(config_file, "rb") as file:
        declared = str(yaml_load(file).get("site_url") or "")
    built, published = urlsplit(site_url), urlsplit(declared)
    if not published.netloc or not built.path.startswith(published.path.rstrip("/")):
        return site_url
    return urlunsplit((published.scheme, published.netloc, *built[2:]))


def add_notebooks(
    files: Files, config: MkDocsConfig, credit: str, notebooks: dict[str, File]
) -> Files:
    """Add the edition's notebooks and their zip to ``files``.

    Args:
        files: The edition's files (after mkdocs-static-i18n has picked them).
        config: The edition's configuration.
        credit: The credit cell's template (see ``chapter_notebook``).
        notebooks: Filled with each page's notebook file, by the page's ``src_uri``.

    Returns:
        ``files``, with the notebooks added.
    """
    notebooks.clear()
    site_url = published_url(config.site_url or "", config.config_file_path)
    if site_url and not site_url.endswith("/"):
        site_url += "/"
    home = files.get_file_from_path("index.md")
    home_url = site_url + (home.url.removeprefix("./") if home else "")  # "./" at the root
    # An edition's notebooks sit beside its home page: notebooks/ or en/notebooks/.
    edition = posixpath.dirname(home.dest_uri) if home else ""
    contents: dict[str, bytes] = {}
    for file in list(files):
        if not file.inclusion.is_included() or file.generated_by:
            continue
        # mkdocs-static-i18n names 01-attention-cues.en.md's edition-free source here.
        source = PurePosixPath(getattr(file, "norm_src_uri", file.src_uri))
        name = str(source.with_suffix(".ipynb"))
        if source.suffix == ".ipynb" and file.abs_src_path:
            contents[name] = Path(file.abs_src_path).read_bytes()
        elif source.suffix == ".md" and file.is_documentation_page():
            markdown, _ = get_data(file.content_string)
            if not _has_examples(markdown):
                continue
            notebook = chapter_notebook(
                markdown,
                page_url=site_url + file.url if site_url else file.url,
                home_url=home_url,
                link=_linker(file, files, site_url),
                credit=credit,
            )
            contents[name] = nbformat.writes(notebook).encode("utf-8") + b"\n"
        else:
            continue
        generated = _generated(config, f"{NOTEBOOK_DIR}/{name}", edition, contents[name])
        files.append(generated)
        notebooks[file.src_uri] = generated
    if contents:
        files.append(_generated(config, ZIP_URI, edition, _zip(contents)))
    return files


def _generated(config: MkDocsConfig, src_uri: str, edition: str, content: bytes) -> File:
    """A file of the build, at ``src_uri`` for links from the pages, in the edition's folder."""
    file = File.generated(config, src_uri, content=content)
    file.dest_uri = posixpath.join(edition, src_uri)
    return file


def link_notebook(html: str, page: Page, notebook: File | None, text: str) -> str:
    """Put a download link to the page's notebook under its title, if it has one."""
    if notebook is None:
        return html
    name = PurePosixPath(notebook.src_uri).name
    link = (
        f'<p><a href="{notebook.url_relative_to(page.file)}" download="{name}" '
        f'title="{name}">{text}</a></p>'
    )
    title_end = html.find("</h1>")
    if title_end < 0:
        return link + "\n" + html
    title_end += len("</h1>")
    return html[:title_end] + "\n" + link + html[title_end:]
