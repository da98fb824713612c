r"""Chinese prose without the spaces of the source's line breaks.

Markdown keeps a line break inside a paragraph as a newline, and a browser shows a
newline as a space. Between two Chinese characters that space is a visible gap in the
middle of a sentence (``很少， 放在这里``), because Chinese puts no space between words.
The chapters are written with one sentence or clause per line, so every page of the
Chinese edition had such gaps. :func:`join_cjk_lines` removes a line break (and the
indentation after it) where the text on both sides of it is Chinese; a break next to
Latin text stays a space, and code, scripts and styles are left as they are.

>>> join_cjk_lines("<p>资源很少，\n放在这里。</p>")
'<p>资源很少，放在这里。</p>'
>>> join_cjk_lines("<p>用 <code>show_heatmaps</code>\n画图</p>")
'<p>用 <code>show_heatmaps</code>\n画图</p>'
"""

from __future__ import annotations

import re

__all__ = ["join_cjk_lines"]

# CJK punctuation, kana, unified ideographs, compatibility ideographs, full-width forms.
_CJK = "\u2e80-\u2fff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
# What is never prose: code, raw text, and every tag.
_NOT_PROSE = re.compile(
    r"<(pre|code|script|style|textarea)\b[^>]*>.*?(?:</\1\s*>|\Z)|<[^>]*>",
    re.DOTALL | re.IGNORECASE,
)
_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t]*\n[ \t]*(?=[{_CJK}])")


def join_cjk_lines(content: str) -> str:
    """Remove the line breaks between two Chinese characters in a page's prose.

    Args:
        content: A page's HTML.

    Returns:
        The HTML with each such break removed. A break is joined only when the
        characters on both sides are in the same run of text (no tag or code between).
    """
    pieces, last = [], 0
    for found in _NOT_PROSE.finditer(content):
        pieces += [_BREAK.sub("", content[last : found.start()]), found[0]]
        last = found.end()
    return "".join([*pieces, _BREAK.sub("", content[last:])])
