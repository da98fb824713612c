r"""Long names in the API page's headings break where a reader would break them.

A heading such as ``attnbook.attention_pooling_diagram`` is wider than a phone's screen,
and a browser that must break it does so anywhere (``pooling_explorabl`` / ``e``). A
``<wbr>`` after each dot and underscore of the name tells the browser where it may
break instead; the name reads and copies as before. The heading's permalink mark (¶)
follows the name with no space between, so that it goes onto the next line only
together with the name's last part, never alone.

>>> break_names('<span class="doc doc-object-name doc-function-name">attnbook.to_svg</span>')
'<span class="doc doc-object-name doc-function-name">attnbook.<wbr>to_<wbr>svg</span>'
>>> break_names('<span class="doc doc-object-name">f</span>\n\n<a class="headerlink">&para;</a>')
'<span class="doc doc-object-name">f</span><a class="headerlink">&para;</a>'
"""

from __future__ import annotations

import re

__all__ = ["break_names"]

# mkdocstrings' markup for the name in an object's heading (and in its table of contents).
_NAME = re.compile(r'(<span class="doc doc-object-name[^"]*">)([^<]+)(</span>)')
# The white space between a heading's name and its permalink: a place to break the line.
_SPACE_BEFORE_LINK = re.compile(
    r'(<span class="doc doc-object-name[^"]*">[^<]+</span>)\s+(<a [^>]*class="headerlink")'
)


def break_names(html: str) -> str:
    """Let every documented object's name break after its dots and underscores."""
    html = _SPACE_BEFORE_LINK.sub(r"\1\2", html)
    return _NAME.sub(
        lambda found: found[1] + re.sub(r"([._])(?=.)", r"\1<wbr>", found[2]) + found[3], html
    )
