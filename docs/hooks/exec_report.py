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
  edit to the package shows up in the pages it changes;
- a rebuild by ``mkdocs serve`` reuses what an example printed in the previous build
  when nothing it depends on changed: its code, the code run before it in its session,
  and the source of attnbook. An edit to a chapter's prose then rebuilds it without
  running any example; an edited example runs again, after the skipped examples before
  it in its session, so it sees the same state as in a full run. Each edition (the
  Chinese and the English build of mkdocs-static-i18n) keeps its own outputs. A cold
  ``mkdocs build`` runs every example.

It relies on markdown-exec internals (pinned in ``.ci/constraints.txt``); the tests in
``tests/test_build.py`` break loudly if those move.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import sys
import textwrap
import traceback
import warnings
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from markdown_exec._internal import main as exec_main
from markdown_exec._internal.formatters import python as exec_python
from markdown_exec._internal.formatters.base import ExecutionError, base_format
from markdown_exec._internal.rendering import code_block
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

from attnbook.mkdocs_plugin.blocks import ExecutedBlock, executed_blocks

log = logging.getLogger("mkdocs.hooks.exec_report")
_BUILD_PACKAGE = "attnbook.mkdocs_plugin"


@dataclass(frozen=True)
class _Block:
    block: ExecutedBlock
    code: str  # as markdown-exec receives it: dedented, without blank lines around it


@dataclass
class _PageState:
    path: str = "<unknown page>"
    blocks: tuple[_Block, ...] = ()
    cursor: int = 0


_state = _PageState()


@dataclass
class _Cache:
    """Outputs of the examples, kept from one build to the next within one process."""

    previous: dict[str, str] = field(default_factory=dict)  # key → output, last build
    current: dict[str, str] = field(default_factory=dict)  # key → output, this build
    history: dict[str, str] = field(default_factory=dict)  # session → its last key
    skipped: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    package: str = ""  # a hash of attnbook's source


# mkdocs loads a hook once per process, so the caches outlive a build; one per language,
# because mkdocs-static-i18n builds the editions one after the other.
_caches: dict[str, _Cache] = {}
_cache = _Cache()


def _package_hash() -> str:
    """Hash attnbook's source files, so that editing the package reruns every example."""
    spec = importlib.util.find_spec("attnbook")
    digest = hashlib.sha256()
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for path in sorted(Path(folder).rglob("*.py")):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _exec_blocks(source: str, path: str) -> tuple[_Block, ...]:
    """The executed Python blocks of a chapter, with the code markdown-exec will run."""
    return tuple(
        _Block(block=block, code=textwrap.dedent(block.code).strip("\n"))
        for block in executed_blocks(source, path)
    )


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
    where = block.block.where(_failing_line(error))
    log.error("%s: example failed with %s: %s", where, type(error).__name__, error)


def _run_cached(code: str, **kwargs: Any) -> str:
    """Run an example, or reuse its output from the previous build if nothing changed."""
    session = kwargs.get("session") or None
    before = _cache.history.get(session, _cache.package) if session else _cache.package
    chain = hashlib.sha256("\0".join([before, str(session), code]).encode()).hexdigest()
    if session is not None:
        _cache.history[session] = chain
    if chain in _cache.previous:
        _locate(code)  # keep the page's cursor in step
        if session is not None:  # a block without a session shares no state
            _cache.skipped.setdefault(session, []).append((code, kwargs))
        _cache.current[chain] = _cache.previous[chain]
        return _cache.previous[chain]
    # Run what was skipped in this session first, so the example sees the same state.
    for skipped_code, skipped_kwargs in _cache.skipped.pop(session, []) if session else []:
        _run_located(skipped_code, replay=True, **skipped_kwargs)
    output = _run_located(code, **kwargs)
    _cache.current[chain] = output
    return output


def _run_located(code: str, replay: bool = False, **kwargs: Any) -> str:
    block = None if replay else _locate(code)
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
    exec_main.formatters["python"] = partial(base_format, language="python", run=_run_cached)
    return config


def _language(config: MkDocsConfig) -> str:
    """The edition being built: mkdocs-material names it language, mkdocs's themes locale."""
    return str(config.theme.get("language") or config.theme.get("locale") or "")


def on_pre_build(config: MkDocsConfig) -> None:
    global _cache
    _cache = _caches.setdefault(_language(config), _Cache())
    # Examples see the package as it is now; the build's own modules stay as loaded.
    for name in [
        name
        for name in sys.modules
        if (name == "attnbook" or name.startswith("attnbook."))
        and not name.startswith(f"{_BUILD_PACKAGE}.")
        and name != _BUILD_PACKAGE
    ]:
        del sys.modules[name]
    exec_python._sessions_globals.clear()
    _cache.previous, _cache.current = _cache.current, {}
    _cache.history.clear()
    _cache.skipped.clear()
    _cache.package = _package_hash()


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, **kwargs: Any) -> str:
    source = Path(page.file.abs_src_path or "")
    config_dir = Path(config.config_file_path).parent
    _state.path = (
        str(source.relative_to(config_dir)) if source.is_relative_to(config_dir) else str(source)
    )
    _state.blocks = _exec_blocks(page.file.content_string, _state.path)
    _state.cursor = 0
    return markdown
