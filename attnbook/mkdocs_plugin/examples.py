"""Running the chapters' examples: loud, precise failures, and the serve loop's cache.

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
- a rebuild by ``mkdocs serve`` reuses what an example printed in the previous build
  when nothing it depends on changed: its code, the code run before it in its session,
  and the source of attnbook. An edit to a chapter's prose then rebuilds it without
  running any example; an edited example runs again, after the skipped examples before
  it in its session, so it sees the same state as in a full run. Each edition keeps its
  own outputs. A cold ``mkdocs build`` runs every example.
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
from pathlib import Path
from typing import Any

from markdown_exec import ExecutionError, code_block

from attnbook.mkdocs_plugin.blocks import ExecutedBlock, executed_blocks
from attnbook.mkdocs_plugin.compat import markdown_exec as compat

__all__ = ["Examples"]

log = logging.getLogger("mkdocs.plugins.attnbook.examples")

_BUILD_PACKAGE = __name__.rpartition(".")[0]  # attnbook.mkdocs_plugin, never re-imported


@dataclass(frozen=True)
class _Block:
    block: ExecutedBlock
    code: str  # as markdown-exec receives it: dedented, without blank lines around it


@dataclass
class _Outputs:
    """What the examples of one edition printed, from one build to the next."""

    previous: dict[str, str] = field(default_factory=dict)  # key → output, last build
    current: dict[str, str] = field(default_factory=dict)  # key → output, this build
    history: dict[str, str] = field(default_factory=dict)  # session → its last key
    skipped: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)
    package: str = ""  # a hash of attnbook's source


def package_hash() -> str:
    """Hash attnbook's source files, so that editing the package reruns every example."""
    spec = importlib.util.find_spec("attnbook")
    digest = hashlib.sha256()
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for path in sorted(Path(folder).rglob("*.py")):
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
        """Start with no page and no outputs."""
        self.path = "<unknown page>"
        self.blocks: tuple[_Block, ...] = ()
        self.cursor = 0
        self.editions: dict[str, _Outputs] = {}  # one per edition, built in turn
        self.outputs = _Outputs()

    def start_build(self, edition: str) -> None:
        """Before a build of ``edition``: fresh package and sessions, last build's outputs."""
        self.outputs = self.editions.setdefault(edition, _Outputs())
        for name in [
            name
            for name in sys.modules
            if (name == "attnbook" or name.startswith("attnbook."))
            and not (name == _BUILD_PACKAGE or name.startswith(f"{_BUILD_PACKAGE}."))
        ]:
            del sys.modules[name]
        compat.forget_sessions()
        outputs = self.outputs
        outputs.previous, outputs.current = outputs.current, {}
        outputs.history.clear()
        outputs.skipped.clear()
        outputs.package = package_hash()

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
        """Run an example, or reuse its output from the previous build if nothing changed."""
        outputs = self.outputs
        session = options.get("session") or None
        before = outputs.history.get(session, outputs.package) if session else outputs.package
        chain = hashlib.sha256("\0".join([before, str(session), code]).encode()).hexdigest()
        if session is not None:
            outputs.history[session] = chain
        if chain in outputs.previous:
            self._locate(code)  # keep the page's cursor in step
            if session is not None:  # a block without a session shares no state
                outputs.skipped.setdefault(session, []).append((code, options))
            outputs.current[chain] = outputs.previous[chain]
            return outputs.previous[chain]
        # Run what was skipped in this session first, so the example sees the same state.
        for skipped_code, skipped_options in outputs.skipped.pop(session, []) if session else []:
            self._run_located(skipped_code, replay=True, **skipped_options)
        output = self._run_located(code, **options)
        outputs.current[chain] = output
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
