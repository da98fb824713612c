"""Long names in the API page's headings break where a reader would break them.

A heading such as ``attnbook.attention_pooling_diagram`` is wider than a phone's screen,
and a browser that must break it does so anywhere (``pooling_explorabl`` / ``e``). A
``<wbr>`` after each dot and underscore of the name tells the browser where it may
break instead; the name reads and copies as before.

>>> break_names('<span class="doc doc-object-name doc-function-name">attnbook.to_svg</span>')
'<span class="doc doc-object-name doc-function-name">attnbook.<wbr>to_<wbr>svg</span>'
"""

from __future__ import annotations

import re

__all__ = ["break_names"]

# mkdocstrings' markup for the name in an object's heading (and in its table of contents).
_NAME = re.compile(r'(<span class="doc doc-object-name[^"]*">)([^<]+)(</span>)')


def break_names(html: str) -> str:
    """Let every documented object's name break after its dots and underscores."""
    return _NAME.sub(
        lambda found: found[1] + re.sub(r"([._])(?=.)", r"\1<wbr>", found[2]) + found[3], html
    )
