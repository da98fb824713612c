"""MkDocs hook: typeset math at build time as MathML, so pages need no math script or CDN.

``pymdownx.arithmatex`` (generic mode) wraps ``$…$`` in ``<span class="arithmatex">\\(…\\)``
and ``$$…$$`` in ``<div class="arithmatex">\\[…\\]``. This hook replaces each with the
MathML that latex2mathml writes; browsers draw MathML natively.
"""

from __future__ import annotations

import html
import re
from typing import Any

from latex2mathml.converter import convert

_INLINE = re.compile(r'<span class="arithmatex">\\\((?P<tex>.*?)\\\)</span>', re.DOTALL)
_BLOCK = re.compile(r'<div class="arithmatex">\\\[(?P<tex>.*?)\\\]</div>', re.DOTALL)


def _mathml(match: re.Match[str], display: str) -> str:
    tex = html.unescape(match["tex"]).strip()
    return convert(tex, display=display)


def on_page_content(content: str, **kwargs: Any) -> str:
    content = _BLOCK.sub(lambda match: _mathml(match, "block"), content)
    return _INLINE.sub(lambda match: _mathml(match, "inline"), content)
