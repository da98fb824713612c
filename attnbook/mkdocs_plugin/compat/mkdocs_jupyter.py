"""mkdocs-jupyter internals: its nbconvert exporter and converter, and its notebook pages.

mkdocs-jupyter has no option for a template of one's own, for failing loudly on a bad
cell, or for keeping a page when another plugin recreates its file; these reach in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mkdocs.structure.files import File
from mkdocs_jupyter import convert as _convert
from mkdocs_jupyter import nbconvert2 as _nbconvert2
from mkdocs_jupyter.plugin import NotebookFile

from attnbook.mkdocs_plugin.compat import Contract

__all__ = ["CONTRACT", "notebook_page_like", "wrap_converter"]

CONTRACT = Contract(
    "mkdocs-jupyter",
    "0.26.3",
    (
        "mkdocs_jupyter.nbconvert2:HTMLExporter",
        "mkdocs_jupyter.nbconvert2:nb2html",
        "mkdocs_jupyter.convert:nb2html",
        "mkdocs_jupyter.plugin:NotebookFile",
    ),
)

_ORIGINALS: dict[str, Any] = {}  # mkdocs-jupyter's own, kept from the first wrapping


def wrap_converter(
    exporter: Callable[[type[Any]], Callable[..., Any]],
    converter: Callable[[Callable[..., str]], Callable[..., str]],
) -> None:
    """Put ``exporter(HTMLExporter)`` and ``converter(nb2html)`` in mkdocs-jupyter's place.

    Each call wraps mkdocs-jupyter's own functions afresh, replacing an earlier wrapping
    (``mkdocs serve`` configures the plugins again on every rebuild).
    """
    original_exporter = _ORIGINALS.setdefault("HTMLExporter", _nbconvert2.HTMLExporter)
    original_converter = _ORIGINALS.setdefault("nb2html", _nbconvert2.nb2html)
    _nbconvert2.HTMLExporter = exporter(original_exporter)
    wrapped = converter(original_converter)
    _nbconvert2.nb2html = wrapped
    _convert.nb2html = wrapped  # mkdocs_jupyter.plugin calls it as convert.nb2html


def notebook_page_like(original: File, file: File) -> File:
    """``file`` as a notebook page if ``original`` was one, at ``file``'s address."""
    if not isinstance(original, NotebookFile):
        return file
    page: Any = object.__new__(NotebookFile)
    page.file = file
    page.dest_path = file.dest_path
    page.abs_dest_path = file.abs_dest_path
    page.url = file.url
    result: File = page
    return result
