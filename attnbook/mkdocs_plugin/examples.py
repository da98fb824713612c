"""Running the chapters' examples: loud, precise failures, and outputs from the cache.

markdown-exec runs every ``exec="1"`` block of a chapter while the page renders. On its
own it reports a failing block without its page or line, and a block that raises
``SystemExit`` escapes its ``except Exception`` and ends the whole build without a word.
``Examples`` is the runner the build puts behind ``python`` blocks, so that:

- a failing block logs ``docs/<chapter>.md:<line>: <error>`` with the line of the
  chapter that raised, which fails a strict build;
- ``SystemExit`` in a block is an ordinary failure of that block;
- a warning raised by an example is an error, as in the test suite;
- every build re-imports attnbook and starts fresh sessions, so an edit to the package
  shows up in the pages it changes under ``mkdocs serve``;
- an example whose output is in the on-disk cache (``cache.py``) is not run: its key is
  a hash of its code, the code run before it in its session, the source of attnbook,
  the edition and the environment (``cache.fingerprint``). So a second ``mkdocs serve``
  or ``mkdocs build``, or a rebuild after an edit to a chapter's prose, runs no example;
  an edited example runs again, after the skipped examples before it in its session, so
  it sees the same state as in a full run; an edit to the package runs every example.
  With the cache bypassed (``ATTNBOOK_NO_CACHE=1``) every example runs on every build.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import sys
import textwrap
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown_exec import ExecutionError, code_block

from attnbook.mkdocs_plugin import cache as disk
from attnbook.mkdocs_plugin.blocks import ExecutedBlock, executed_blocks
from attnbook.mkdocs_plugin.cache import DiskCache
from attnbook.mkdocs_plugin.compat import markdown_exec as compat

__all__ = ["Examples"]

log = logging.getLogger("mkdocs.plugins.attnbook.examples")

_BUILD_PACKAGE = __name__.rpartition(".")[0]  # attnbook.mkdocs_plugin, never re-imported


@dataclass(frozen=True)
class _Block:
    block: ExecutedBlock
    code: str  # as markdown-exec receives it: dedented, without blank lines around it


def package_hash() -> str:
    """Hash attnbook's source files, so that editing the package reruns every example.

    The Python modules and ``views.js``, the script that figures' HTML outputs embed.
    """
    spec = importlib.util.find_spec("attnbook")
    digest = hashlib.sha256()
    for folder in (spec.submodule_search_locations or []) if spec else []:
        sources = [*Path(folder).rglob("*.py"), *Path(folder).rglob("*.js")]
        for path in sorted(sources):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


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


class Examples:
    """The runner of the examples, with what it keeps between the builds of one process."""

    def __init__(self) -> None:
        """Start with no page and no cache."""
        self.path = "<unknown page>"
        self.blocks: tuple[_Block, ...] = ()
        self.cursor = 0
        self.cache = DiskCache(None)
        self.namespace = "examples"
        self.package = ""  # a hash of attnbook's source
        self.environment = ""  # cache.fingerprint(), when the cache is used
        self.history: dict[str, str] = {}  # session -> the key of its last block
        self.skipped: dict[str, list[tuple[str, dict[str, Any]]]] = {}  # not run, by session

    def start_build(self, edition: str, cache: DiskCache) -> None:
        """Before a build of ``edition``: fresh package and sessions; the cache to use."""
        for name in [
            name
            for name in sys.modules
            if (name == "attnbook" or name.startswith("attnbook."))
            and not (name == _BUILD_PACKAGE or name.startswith(f"{_BUILD_PACKAGE}."))
        ]:
            del sys.modules[name]
        compat.forget_sessions()
        self.cache = cache
        self.namespace = f"examples-{edition or 'default'}"
        self.package = package_hash()
        self.environment = disk.fingerprint() if cache.enabled else ""
        self.history.clear()
        self.skipped.clear()

    def start_page(self, source: str, path: str) -> None:
        """Before a chapter renders: its blocks, named by ``path`` in messages."""
        self.path = path
        self.blocks = tuple(
            _Block(block=block, code=textwrap.dedent(block.code).strip("\n"))
            for block in executed_blocks(source, path)
        )
        self.cursor = 0

    def _locate(self, code: str) -> _Block | None:
        """Match the code markdown-exec is about to run with a block of the current page."""
        wanted = code.strip("\n")
        for index in range(self.cursor, len(self.blocks)):
            if self.blocks[index].code == wanted:
                self.cursor = index + 1
                return self.blocks[index]
        return None

    def _report(self, block: _Block | None, error: BaseException) -> None:
        if block is None:
            log.error("%s: an example failed with %s: %s", self.path, type(error).__name__, error)
            return
        where = block.block.where(_failing_line(error))
        log.error("%s: example failed with %s: %s", where, type(error).__name__, error)

    def run(self, code: str, **options: Any) -> str:
        """Run an example, or take its output from the cache if nothing it needs changed."""
        session = options.get("session") or None
        before = self.history.get(session, self.package) if session else self.package
        chain = hashlib.sha256("\0".join([before, str(session), code]).encode()).hexdigest()
        if session is not None:
            self.history[session] = chain
        key = hashlib.sha256("\0".join([chain, self.namespace, self.environment]).encode())
        cached = self.cache.get(self.namespace, key.hexdigest())
        if cached is not None:
            self._locate(code)  # keep the page's cursor in step
            if session is not None:  # a block without a session shares no state
                self.skipped.setdefault(session, []).append((code, options))
            return cached
        # Run what was skipped in this session first, so the example sees the same state.
        for skipped_code, skipped_options in self.skipped.pop(session, []) if session else []:
            self._run_located(skipped_code, replay=True, **skipped_options)
        output = self._run_located(code, **options)
        self.cache.put(self.namespace, key.hexdigest(), output)
        return output

    def _run_located(self, code: str, replay: bool = False, **options: Any) -> str:
        block = None if replay else self._locate(code)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                return compat.run_python(code, **options)
        except ExecutionError as error:
            self._report(block, error.__cause__ or error)
            raise
        except SystemExit as error:
            # markdown-exec catches Exception only; without this the build would stop silently.
            self._report(block, error)
            trace = traceback.TracebackException.from_exception(error)
            trace.stack = traceback.StackSummary.from_list(
                [frame for frame in trace.stack if frame.filename.startswith("<code block: ")]
            )
            raise ExecutionError(code_block("python", "".join(trace.format()))) from error
