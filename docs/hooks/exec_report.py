"""MkDocs hook: make a failing example in a chapter loud and precise.

markdown-exec runs every ``exec="1"`` block of a chapter while the page renders. On its
own it reports a failing block without its page or line, and a block that raises
``SystemExit`` escapes its ``except Exception`` and ends the whole build without a word.
This hook wraps markdown-exec's Python runner so that:

- a failing block logs ``docs/<chapter>.md:<line>: <error>`` with the line of the
  chapter that raised, which fails ``mkdocs build --strict``;
- ``SystemExit`` in a block is an ordinary failure of that block;
- a warning raised by an example is an error, as in the test suite;
- ``mkdocs serve`` re-imports attnbook and starts fresh sessions on every rebuild, so an
  edit to the package shows up in the pages it changes.

It relies on markdown-exec internals (pinned in ``.ci/constraints.txt``); the tests in
``tests/test_build.py`` break loudly if those move.
"""

from __future__ import annotations

import logging
import re
import sys
import textwrap
import traceback
import warnings
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from markdown_exec._internal import main as exec_main
from markdown_exec._internal.formatters import python as exec_python
from markdown_exec._internal.formatters.base import ExecutionError, base_format
from markdown_exec._internal.rendering import code_block
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.hooks.exec_report")

_OPENING = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*\{?[ \t]*\.?python\b(?P<attrs>.*)$"
)
_EXEC_ON = re.compile(r"""\bexec=["']?(1|on|true|yes)\b""", re.IGNORECASE)


@dataclass
class _Block:
    line: int  # 1-based line of the opening fence in the chapter file
    code: str


@dataclass
class _PageState:
    path: str = "<unknown page>"
    blocks: tuple[_Block, ...] = ()
    cursor: int = 0


_state = _PageState()


def _exec_blocks(source: str) -> tuple[_Block, ...]:
    """Find the executed Python blocks of a chapter with the line of their opening fence."""
    lines = source.splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        opening = _OPENING.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        end = i + 1
        while end < len(lines) and not lines[end].strip().startswith(fence):
            end += 1
        if _EXEC_ON.search(opening["attrs"]):
            body = [
                line[len(indent) :] if line.startswith(indent) else line
                for line in lines[i + 1 : end]
            ]
            blocks.append(_Block(line=i + 1, code=textwrap.dedent("\n".join(body)).strip("\n")))
        i = end + 1
    return tuple(blocks)


def _locate(code: str) -> _Block | None:
    """Match the code markdown-exec is about to run with a block of the current page."""
    wanted = code.strip("\n")
    for index in range(_state.cursor, len(_state.blocks)):
        if _state.blocks[index].code == wanted:
            _state.cursor = index + 1
            return _state.blocks[index]
    return None


def _failing_line(error: BaseException) -> int | None:
    """The line, within the block, of the innermost frame that belongs to the block."""
    line = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.startswith("<code block: "):
            line = frame.lineno
    if (
        line is None
        and isinstance(error, SyntaxError)
        and str(error.filename).startswith("<code block: ")
    ):
        line = error.lineno
    return line


def _report(block: _Block | None, error: BaseException) -> None:
    if block is None:
        log.error("%s: an example failed with %s: %s", _state.path, type(error).__name__, error)
        return
    inner = _failing_line(error)
    line = block.line + inner if inner is not None else block.line
    log.error("%s:%d: example failed with %s: %s", _state.path, line, type(error).__name__, error)


def _run_located(code: str, **kwargs: Any) -> str:
    block = _locate(code)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return exec_python._run_python(code, **kwargs)
    except ExecutionError as error:
        _report(block, error.__cause__ or error)
        raise
    except SystemExit as error:
        # markdown-exec catches Exception only; without this the build would stop silently.
        _report(block, error)
        trace = traceback.TracebackException.from_exception(error)
        trace.stack = traceback.StackSummary.from_list(
            [frame for frame in trace.stack if frame.filename.startswith("<code block: ")]
        )
        raise ExecutionError(code_block("python", "".join(trace.format()))) from error


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    exec_main.formatters["python"] = partial(base_format, language="python", run=_run_located)
    return config


def on_pre_build(config: MkDocsConfig) -> None:
    for name in [
        name for name in sys.modules if name == "attnbook" or name.startswith("attnbook.")
    ]:
        del sys.modules[name]
    exec_python._sessions_globals.clear()


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, **kwargs: Any) -> str:
    source = Path(page.file.abs_src_path or "")
    config_dir = Path(config.config_file_path).parent
    _state.path = (
        str(source.relative_to(config_dir)) if source.is_relative_to(config_dir) else str(source)
    )
    _state.blocks = _exec_blocks(page.file.content_string)
    _state.cursor = 0
    return markdown
