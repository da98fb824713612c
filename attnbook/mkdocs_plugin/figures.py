"""Each figure of a page in a box of its own that scrolls sideways on a narrow screen.

``attnbook.to_svg`` gives a figure a ``min-width`` (0.6 of its size), so that on a phone a
wide grid of heatmaps keeps legible text; the box around it scrolls instead of the page.
A figure is an inline ``<svg>`` with ``role="img"`` and ``data-search-exclude``, as
``to_svg`` writes it; it holds no nested ``<svg>``.

Examples:
    >>> box_figures('<p>a</p><svg role="img" data-search-exclude=""><g/></svg>')
    '<p>a</p><div class="attnbook-figure"><svg role="img" data-search-exclude=""><g/></svg></div>'
    >>> box_figures('<svg viewBox="0 0 24 24"><path/></svg>')  # an icon: left alone
    '<svg viewBox="0 0 24 24"><path/></svg>'
"""

from __future__ import annotations

import re

__all__ = ["box_figures"]

_FIGURE = re.compile(
    r'<svg\b(?=[^>]*\brole="img")(?=[^>]*\bdata-search-exclude\b)[^>]*>.*?</svg>', re.DOTALL
)


def box_figures(html: str) -> str:
    """Wrap every figure of ``html`` in ``<div class="attnbook-figure">``."""
    return _FIGURE.sub(lambda match: f'<div class="attnbook-figure">{match[0]}</div>', html)
