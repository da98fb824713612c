"""The chapters' examples as a reader copies them.

A reader copies the visible code of a chapter, block after block, into Python or a
notebook. That must work: the imports are shown once at the top, and nothing a visible
example needs is defined only in a hidden block or inside a collapsed answer (``???``),
which a reader skimming the chapter never opens.
"""

from __future__ import annotations

import contextlib
import io
import re
import unicodedata
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from attnbook.mkdocs_plugin.blocks import ExecutedBlock, executed_blocks
from attnbook.mkdocs_plugin.mathml import typeset

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(path for path in (ROOT / "docs").glob("0[0-9]-*.md"))
HIDDEN_LINE = re.compile(r"#\s*markdown-exec:\s*hide\s*$")


def collapsed(lines: list[str], block: ExecutedBlock) -> bool:
    """Whether the block sits inside a collapsed admonition (``??? kind``, not ``???+``)."""
    fence = lines[block.line - 1]
    indent = len(fence) - len(fence.lstrip())
    for line in reversed(lines[: block.line - 1]):
        if line.strip() and len(line) - len(line.lstrip()) < indent:
            return bool(re.match(r"\s*\?\?\?(?!\+)", line))
    return False


def shown_code(block: ExecutedBlock) -> str:
    """The code a reader sees: the block's lines less those hidden from the page."""
    return "\n".join(line for line in block.code.split("\n") if not HIDDEN_LINE.search(line))


def visible_examples(path: Path) -> list[ExecutedBlock]:
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    blocks = executed_blocks(text, f"docs/{path.name}")
    return [
        block
        for block in blocks
        if dict(block.options).get("source") and not collapsed(lines, block)
    ]


#: The longest line of code that fits the desktop column without wrapping (1280 px), in
#: columns of the monospace font (a Chinese character takes two); a wrapped line starts
#: again at the left edge and reads as wrongly indented.
CODE_WIDTH = 80
PAGES = sorted((ROOT / "docs").rglob("*.md"))


def columns(line: str) -> int:
    """The width of ``line`` in monospace columns: wide (East Asian) characters count two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.relative_to(ROOT / "docs").as_posix())
def test_shown_code_fits_the_column_without_wrapping(page: Path) -> None:
    long = []
    inside = False
    for number, line in enumerate(page.read_text(encoding="utf-8").split("\n"), start=1):
        if line.lstrip().startswith("```"):
            inside = not inside
        elif inside and columns(line) > CODE_WIDTH and not HIDDEN_LINE.search(line):
            long.append(f"docs/{page.name}:{number}: {columns(line)} columns")
    assert long == []


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.name)
def test_visible_examples_run_when_pasted_in_order(chapter: Path) -> None:
    examples = visible_examples(chapter)
    assert examples, f"{chapter.name} shows no example"
    first = examples[0]
    assert "import" in first.code and "setup" in (first.id or ""), (
        f"{first.where()}: a chapter shows its imports first"
    )
    namespace: dict[str, object] = {"__name__": "__main__"}
    with (
        matplotlib.rc_context(),
        np.printoptions(),  # a chapter sets NumPy's print precision for itself
        warnings.catch_warnings(),
        contextlib.redirect_stdout(io.StringIO()),
    ):
        warnings.simplefilter("ignore")
        for block in examples:
            try:
                exec(compile(shown_code(block), block.where(), "exec"), namespace)
            except Exception as error:
                pytest.fail(f"{block.where()}: pasted in order, it fails with {error!r}")


def test_collapsed_answers_are_recognised() -> None:
    text = "\n".join(
        [
            '??? success "Answer"',
            '    ```python exec="1" source="above" id="hidden"',
            "    x = 1",
            "    ```",
            "",
            '```python exec="1" source="above" id="shown"',
            "print(x)",
            "```",
        ]
    )
    lines = text.split("\n")
    hidden, shown = executed_blocks(text, "docs/x.md")
    assert collapsed(lines, hidden) and not collapsed(lines, shown)


MATH = re.compile(r"\$\$(?P<display>.+?)\$\$|(?<![\\$])\$(?P<inline>[^$\n]+?)\$", re.DOTALL)
# A superscript on a lone closing fence: "‖q − k‖²" drawn with the last ‖ low, as a base.
LONE_FENCE_POWER = re.compile(r"<msup><mo\b[^>]*>&#x0(?:2016|007C);</mo>")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda path: path.name)
def test_math_raises_whole_norms_not_their_closing_bar(chapter: Path) -> None:
    for found in MATH.finditer(chapter.read_text(encoding="utf-8")):
        tex = found["display"] or found["inline"]
        mathml = typeset(tex, "block" if found["display"] else "inline")
        assert not LONE_FENCE_POWER.search(mathml), (
            f"{chapter.name}: in ${tex}$ the power sits on the closing bar alone; "
            "group the norm: {\\lVert q - k \\rVert}^2"
        )


def test_a_power_on_a_closing_bar_is_caught() -> None:
    assert LONE_FENCE_POWER.search(typeset(r"\lVert q - k \rVert^2", "inline"))
    assert not LONE_FENCE_POWER.search(typeset(r"{\lVert q - k \rVert}^2", "inline"))
