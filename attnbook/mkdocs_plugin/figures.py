"""Each figure of a page in a box of its own that scrolls sideways on a narrow screen.

``attnbook.to_svg`` gives a figure a ``min-width`` (0.6 of its size), so that on a phone a
wide grid of heatmaps keeps legible text; the box around it scrolls instead of the page.
A figure is an inline ``<svg>`` with ``role="img"`` and ``data-search-exclude``, as
``to_svg`` writes it; it holds no nested ``<svg>``. Markdown puts a figure printed alone
in a paragraph (``<svg>`` is not one of its block elements); a ``<div>`` may not stand in
a ``<p>``, so the box takes the paragraph's place, and the caption after it is the next
paragraph, styled like every other caption.

The box is also where the browser may skip a figure until the reader scrolls near it
(``content-visibility: auto`` in ``docs/assets/attnbook.css``): a chapter's figures are
most of its layout work when it loads. The box states the figure's height
(``contain-intrinsic-block-size``), so the page is as long before the figure is drawn as
after, and the scrollbar does not jump.

Examples:
    >>> figure = '<svg role="img" data-search-exclude="" height="90pt"><g/></svg>'
    >>> box_figures(f"<p>a</p>{figure}") == (
    ...     '<p>a</p><div class="attnbook-figure" style="contain-intrinsic-block-size: auto '
    ...     f'136px">{figure}</div>'
    ... )
    True
    >>> box_figures(f"<p>{figure}</p>") == box_figures(figure)  # the box replaces a <p>
    True
    >>> box_figures('<svg viewBox="0 0 24 24"><path/></svg>')  # an icon: left alone
    '<svg viewBox="0 0 24 24"><path/></svg>'
"""

from __future__ import annotations

import re

__all__ = ["box_figures"]

_FIGURE = re.compile(
    r"(?P<p><p>\s*)?"
    r'(?P<svg><svg\b(?=[^>]*\brole="img")(?=[^>]*\bdata-search-exclude\b)[^>]*>.*?</svg>)'
    r"(?(p)\s*</p>)",
    re.DOTALL,
)
_HEIGHT = re.compile(r'^<svg\b[^>]*?\sheight="(?P<size>[\d.]+)(?P<unit>pt|px)?"')
_PX_PER = {"pt": 4 / 3, "px": 1.0, None: 1.0}
_MARGINS = 16  # px: the figure's margins (1em above, 0.4em below) inside the box


def box_figures(html: str) -> str:
    """Wrap every figure of ``html`` in ``<div class="attnbook-figure">``, with its height."""

    def box(match: re.Match[str]) -> str:
        figure = match["svg"]
        height = _HEIGHT.match(figure)
        style = ""
        if height is not None:
            pixels = float(height["size"]) * _PX_PER[height["unit"]] + _MARGINS
            style = f' style="contain-intrinsic-block-size: auto {round(pixels)}px"'
        return f'<div class="attnbook-figure"{style}>{figure}</div>'

    return _FIGURE.sub(box, html)
