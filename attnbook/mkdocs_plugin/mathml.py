"""The one LaTeX typesetter of the book: math becomes MathML at build time.

Browsers draw MathML natively, so no page needs a math script or a CDN. The chapters'
math comes from ``pymdownx.arithmatex`` (generic mode), the notebook pages' from
Markdown cells; both are typeset here.
"""

from __future__ import annotations

import html
import re
from typing import Literal

from latex2mathml.converter import convert

__all__ = ["typeset", "typeset_arithmatex", "typeset_dollars"]

# pymdownx.arithmatex (generic mode) wraps $…$ in <span class="arithmatex">\(…\)</span>
# and $$…$$ in <div class="arithmatex">\[…\]</div>.
_INLINE = re.compile(r'<span class="arithmatex">\\\((?P<tex>.*?)\\\)</span>', re.DOTALL)
_BLOCK = re.compile(r'<div class="arithmatex">\\\[(?P<tex>.*?)\\\]</div>', re.DOTALL)
# Raw text that is never math, whatever it holds ($, or arithmatex's markup in a string):
# a script or a style element, to its end tag (or the page's end, as a browser reads it).
_RAW_TEXT = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.DOTALL | re.IGNORECASE)
# nbconvert leaves a notebook's $…$ and $$…$$ as they are. Not math there: code, raw text
# and every tag (its attribute values, such as a view's data, may hold dollars).
_NOT_PROSE = re.compile(
    r"<(pre|code|script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)|<[^>]*>", re.DOTALL | re.IGNORECASE
)
_DISPLAY_MATH = re.compile(r"\$\$(?P<tex>.+?)\$\$", re.DOTALL)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?P<tex>[^$\n]+?)\$(?!\$)")


def typeset(tex: str, display: Literal["inline", "block"]) -> str:
    """Typeset LaTeX, as found in HTML (entities escaped), as a MathML element.

    Args:
        tex: The LaTeX source, possibly HTML-escaped (``&lt;`` for ``<``).
        display: ``"inline"`` for math in a sentence, ``"block"`` for a display.

    Returns:
        The ``<math>`` element.

    Examples:
        >>> typeset("a &lt; b", "inline")  # doctest: +ELLIPSIS
        '<math ... display="inline"><mrow><mi>a</mi><mo>&#x0003C;</mo><mi>b</mi></mrow></math>'
    """
    return str(convert(html.unescape(tex).strip(), display=display))


def typeset_arithmatex(content: str) -> str:
    """Replace the math ``pymdownx.arithmatex`` marked in a page's HTML with MathML.

    Args:
        content: A page's HTML.

    Returns:
        The HTML with every arithmatex span and div typeset, except within ``<script>``
        and ``<style>`` elements, which are left as they are.
    """
    return _typeset_outside(_RAW_TEXT, content, _BLOCK, _INLINE)


def typeset_dollars(content: str) -> str:
    """Replace ``$…$`` and ``$$…$$`` in the prose of a page's HTML with MathML.

    For notebook pages, whose Markdown cells nbconvert renders with the math left as
    written. Code, ``<script>`` and ``<style>`` elements and the tags themselves (their
    attributes) are left as they are.

    Args:
        content: A page's HTML.

    Returns:
        The HTML with the math of its text typeset.
    """
    return _typeset_outside(_NOT_PROSE, content, _DISPLAY_MATH, _INLINE_MATH)


def _typeset_outside(
    kept: re.Pattern[str], content: str, block: re.Pattern[str], inline: re.Pattern[str]
) -> str:
    """Typeset the ``block`` and ``inline`` math of ``content`` outside what ``kept`` matches."""

    def typeset_text(text: str) -> str:
        text = block.sub(lambda match: typeset(match["tex"], "block"), text)
        return inline.sub(lambda match: typeset(match["tex"], "inline"), text)

    pieces, last = [], 0
    for found in kept.finditer(content):
        pieces += [typeset_text(content[last : found.start()]), found[0]]
        last = found.end()
    return "".join([*pieces, typeset_text(content[last:])])
