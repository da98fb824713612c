"""markdown-exec internals: running a Python block, and its sessions.

markdown-exec's public ``formatters`` table, ``base_format`` and ``ExecutionError`` let
the build put its own runner behind ``python exec="1"`` blocks; running the code in a
session and forgetting the sessions between two builds of one ``mkdocs serve`` have no
public seam, so they are reached here.
"""

from __future__ import annotations

from typing import Any

from markdown_exec._internal.formatters import python as _python

from attnbook.mkdocs_plugin.compat import Contract

__all__ = ["CONTRACT", "forget_sessions", "run_python"]

CONTRACT = Contract(
    "markdown-exec",
    "1.12.6",
    (
        "markdown_exec._internal.formatters.python:_run_python",
        "markdown_exec._internal.formatters.python:_sessions_globals",
    ),
)


def run_python(code: str, **options: Any) -> str:
    """Run a block's code as markdown-exec does (its session, its output capture)."""
    return str(_python._run_python(code, **options))


def forget_sessions() -> None:
    """Start every session afresh, as a new build does."""
    _python._sessions_globals.clear()
