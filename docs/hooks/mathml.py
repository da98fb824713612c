"""MkDocs hook: typeset math at build time as MathML, so pages need no math script or CDN.

``pymdownx.arithmatex`` (generic mode) wraps ``$…$`` in ``<span class="arithmatex">\\(…\\)``
and ``$$…$$`` in ``<div class="arithmatex">\\[…\\]``. This hook replaces each with the
MathML of the book's one typesetter, ``attnbook.mkdocs_plugin.mathml``.
"""

from __future__ import annotations

import re
from typing import Any

from attnbook.mkdocs_plugin.mathml import typeset

_INLINE = re.compile(r'<span class="arithmatex">\\\((?P<tex>.*?)\\\)</span>', re.DOTALL)
_BLOCK = re.compile(r'<div class="arithmatex">\\\[(?P<tex>.*?)\\\]</div>', re.DOTALL)


def on_page_content(content: str, **kwargs: Any) -> str:
    content = _BLOCK.sub(lambda match: typeset(match["tex"], "block"), content)
    return _INLINE.sub(lambda match: typeset(match["tex"], "inline"), content)
