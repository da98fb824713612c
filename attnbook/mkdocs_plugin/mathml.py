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

__all__ = ["typeset", "typeset_arithmatex"]

# pymdownx.arithmatex (generic mode) wraps $…$ in <span class="arithmatex">\(…\)</span>
# and $$…$$ in <div class="arithmatex">\[…\]</div>.
_INLINE = re.compile(r'<span class="arithmatex">\\\((?P<tex>.*?)\\\)</span>', re.DOTALL)
_BLOCK = re.compile(r'<div class="arithmatex">\\\[(?P<tex>.*?)\\\]</div>', re.DOTALL)
# Raw text that is never math, whatever it holds ($, or arithmatex's markup in a string):
# a script or a style element, to its end tag (or the page's end, as a browser reads it).
_RAW_TEXT = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.DOTALL | re.IGNORECASE)


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

    def typeset_text(text: str) -> str:
        text = _BLOCK.sub(lambda match: typeset(match["tex"], "block"), text)
        return _INLINE.sub(lambda match: typeset(match["tex"], "inline"), text)

    pieces, last = [], 0
    for raw in _RAW_TEXT.finditer(content):
        pieces += [typeset_text(content[last : raw.start()]), raw[0]]
        last = raw.end()
    return "".join([*pieces, typeset_text(content[last:])])
