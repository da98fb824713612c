"""Fonts and rendering settings shared by every figure attnbook draws.

Figures carry Chinese labels. matplotlib's default font (DejaVu Sans) has no CJK glyphs,
so figures ask for a list of fonts: DejaVu Sans for Latin text, then the first CJK fonts
found on this machine for the rest. In SVG the text stays text and the browser draws it
with its own fonts; only layout needs the metrics, and where no CJK font is installed
the SVG export silences matplotlib's "Glyph missing" warning, which does not apply there.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Iterator
from typing import Any

from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.text import Text

__all__ = [
    "CJK_FONT_CANDIDATES",
    "cjk_fallback",
    "font_family",
    "missing_glyphs_ignored",
    "rc_params",
]

#: CJK fonts tried in order; the first ones installed are used for layout and PNG output.
CJK_FONT_CANDIDATES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "PingFang SC",
    "Microsoft YaHei",
    "SimHei",
)


@functools.cache
def font_family() -> tuple[str, ...]:
    """Return the font family list for figures: DejaVu Sans, then installed CJK fonts.

    Examples:
        >>> font_family()[0]
        'DejaVu Sans'
    """
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return ("DejaVu Sans", *(name for name in CJK_FONT_CANDIDATES if name in installed))


def rc_params() -> dict[Any, Any]:
    """Return the matplotlib settings every attnbook figure is drawn and saved with.

    They are applied with ``matplotlib.rc_context`` around drawing and saving, so the
    reader's own global settings are never changed.

    Examples:
        >>> rc_params()["svg.fonttype"]
        'none'
    """
    return {
        "font.family": list(font_family()),
        "font.size": 9,
        "svg.fonttype": "none",  # text as <text>, drawn by the browser's fonts
        "svg.hashsalt": "attnbook",  # deterministic ids
        "svg.image_inline": True,
        "axes.unicode_minus": False,
    }


@contextlib.contextmanager
def missing_glyphs_ignored() -> Iterator[None]:
    """Silence matplotlib's "Glyph missing from font" warning inside the block.

    Used only around SVG export, where text is written as text and never drawn by
    matplotlib, so a font lacking CJK glyphs does not matter.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning
        )
        yield


@contextlib.contextmanager
def cjk_fallback(figure: Artist) -> Iterator[None]:
    """Let every text of ``figure`` fall back on the installed CJK fonts inside the block.

    A text keeps the font family it was made with, so a reader's own figure, made
    outside attnbook's settings, has no font for Chinese and would draw boxes in a PNG.
    Inside the block each text's family list ends with the CJK fonts of
    ``font_family()``; afterwards every text has its own family back.

    Examples:
        >>> from matplotlib.figure import Figure
        >>> fig = Figure()
        >>> text = fig.text(0, 0, "注意力", family="DejaVu Sans")
        >>> with cjk_fallback(fig):
        ...     text.get_fontfamily()[1:] == list(font_family()[1:])
        True
        >>> text.get_fontfamily()
        ['DejaVu Sans']
    """
    fallbacks = list(font_family()[1:])
    changed: list[tuple[Text, list[str]]] = []
    for text in figure.findobj(Text):
        assert isinstance(text, Text)
        family = list(text.get_fontfamily())
        missing = [name for name in fallbacks if name not in family]
        if missing:
            changed.append((text, family))
            text.set_fontfamily([*family, *missing])
    try:
        yield
    finally:
        for text, family in changed:
            text.set_fontfamily(family)
