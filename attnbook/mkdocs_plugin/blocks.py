r"""The one parser of the chapters' executed examples.

A chapter's executed example is a fenced Python block whose options turn markdown-exec
on, e.g. ``` ```python exec="1" session="cues" id="weights" ```. The build (failures
named by file and line, the example cache), the notebook generator, the drift check
between the editions and the benchmark all read examples through this module.

Examples:
    >>> chapter = '# Title\n\n```python exec="1" session="s" id="first"\nx = 1\n```\n'
    >>> [block] = executed_blocks(chapter, "docs/page.md")
    >>> block.line, block.id, block.session, block.code
    (3, 'first', 's', 'x = 1')
    >>> block.where(1)
    'docs/page.md:4'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "ExecutedBlock",
    "exec_options",
    "executed_blocks",
    "fence_end",
    "fenced_runs",
    "opening_fence",
]

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_PYTHON = re.compile(r"^[ \t]*\{?[ \t]*\.?python\b")
_OPTION = re.compile(r"""(?P<name>[\w-]+)=(?P<quote>["']?)(?P<value>[^"'\s}]*)(?P=quote)""")
_ON = {"1", "on", "true", "yes"}


@dataclass(frozen=True)
class ExecutedBlock:
    """An executed Python block of a chapter.

    Attributes:
        file: The chapter, as it should be named in messages (``docs/<chapter>.md``).
        line: The 1-based line of the block's opening fence in the file.
        id: The block's ``id`` option, if any.
        session: The block's ``session`` option: blocks of one session share a namespace.
        options: Every ``name=value`` option of the opening fence, sorted by name.
        code: The block's code, without the fence's own indentation.
    """

    file: str
    line: int
    id: str | None
    session: str | None
    options: tuple[tuple[str, str], ...]
    code: str

    def where(self, line_in_block: int | None = None) -> str:
        """``file:line`` of the fence, or of a line of the code (1 is its first line)."""
        offset = line_in_block if line_in_block is not None else 0
        return f"{self.file}:{self.line + offset}"


def opening_fence(line: str) -> re.Match[str] | None:
    """Match a line that opens (or closes) a fenced block: groups indent, fence and info."""
    return _FENCE.match(line)


def exec_options(info: str) -> dict[str, str] | None:
    """The options of an executed Python block's info string, or None if it is not one.

    Args:
        info: What follows the backticks of the opening fence, e.g. ``python exec="1"``.

    Returns:
        The ``name=value`` options by name, or None when the block is not Python or
        markdown-exec does not execute it.

    Examples:
        >>> exec_options('python exec="1" id="a"')
        {'exec': '1', 'id': 'a'}
        >>> exec_options('python id="a"') is None, exec_options('bash exec="1"') is None
        (True, True)
    """
    if not _PYTHON.match(info):
        return None
    options = {found["name"]: found["value"] for found in _OPTION.finditer(info)}
    return options if options.get("exec", "").lower() in _ON else None


def fence_end(lines: list[str], start: int) -> int:
    """The index of the line closing the fenced block opened at ``lines[start]``.

    Args:
        lines: The file's lines.
        start: The index of an opening fence (see ``opening_fence``).

    Returns:
        The index of the closing fence, or ``len(lines)`` if the block is never closed.
    """
    opening = _FENCE.match(lines[start])
    if opening is None:
        raise ValueError(f"line {start + 1} does not open a fenced block: {lines[start]!r}")
    end = start + 1
    while end < len(lines) and not lines[end].strip().startswith(opening["fence"]):
        end += 1
    return end


def fenced_runs(lines: list[str]) -> Iterator[tuple[int, bool, list[str]]]:
    """Split lines into runs of prose and of whole fenced blocks.

    Yields:
        ``(index of the run's first line, is_code, lines)``; a code run includes its
        opening and closing fences.
    """
    i, prose_start = 0, 0
    while i < len(lines):
        if _FENCE.match(lines[i]):
            if prose_start < i:
                yield prose_start, False, lines[prose_start:i]
            end = fence_end(lines, i)
            yield i, True, lines[i : end + 1]
            i = prose_start = end + 1
        else:
            i += 1
    if prose_start < len(lines):
        yield prose_start, False, lines[prose_start:]


def executed_blocks(text: str, file: str) -> list[ExecutedBlock]:
    """The executed Python blocks of a chapter, in order.

    Args:
        text: The chapter's Markdown (front matter included, so lines match the file).
        file: How to name the chapter in messages, e.g. ``docs/01-attention-cues.md``.

    Returns:
        One ``ExecutedBlock`` per executed block, including blocks inside admonitions.
    """
    lines = text.split("\n")
    blocks = []
    for start, is_code, run in fenced_runs(lines):
        opening = _FENCE.match(run[0]) if is_code else None
        options = exec_options(opening["info"]) if opening else None
        if opening is None or options is None:
            continue
        indent = opening["indent"]
        body = lines[start + 1 : fence_end(lines, start)]
        code = "\n".join(line[len(indent) :] if line.startswith(indent) else line for line in body)
        blocks.append(
            ExecutedBlock(
                file=file,
                line=start + 1,
                id=options.get("id"),
                session=options.get("session"),
                options=tuple(sorted(options.items())),
                code=code,
            )
        )
    return blocks
