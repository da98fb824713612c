r"""Long names in the API reference's headings break where a reader would break them.

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
# Inline code in running text: a <code> of plain text, not the one of a code block.
_INLINE_CODE = re.compile(r"(?<!<pre>)(?<!<span></span>)<code>([^<]+)</code>")
# Code this short fits any line: broken, it would only strand a piece ("pip install -e" / ".").
_SHORT = 20
# Tables keep their names whole (the table scrolls instead): <wbr> would break them anyway.
_TABLE = re.compile(r"(<table.*?</table>)", re.DOTALL)


def _breakable(name: str) -> str:
    """After each underscore and slash, and each dot before a name.

    Not the dot in 0.5, nor one before an ending of one or two letters: ``attention.py``
    does not leave ``py`` alone on a line (``attnbook/attention.py`` breaks after its
    slash).
    """
    return re.sub(r"([_/](?=.)|\.(?=[A-Za-z_])(?!\w{1,2}\W*$))", r"\1<wbr>", name)


def _inline_code(found: re.Match[str]) -> str:
    code = found[1]
    if len(code.strip()) <= _SHORT:  # pip install -e ., aria-label, -inf: kept whole
        breaks = re.search(r"[\s-]", code.strip())
        return f'<code class="attnbook-word">{code}</code>' if breaks else found[0]
    if re.search(r"[._/]", code):
        return f"<code>{_breakable(code)}</code>"
    return found[0]


def break_names(html: str) -> str:
    """Let names break after their dots and underscores only, in headings and in text.

    Code of at most 20 characters with a space or a hyphen stays whole
    (``class="attnbook-word"``); longer code breaks after its dots, underscores and
    slashes.

    Examples:
        >>> break_names("<p><code>torch.nn.functional.softmax</code></p>")
        '<p><code>torch.<wbr>nn.<wbr>functional.<wbr>softmax</code></p>'
        >>> break_names("<p>run <code>pip install -e .</code></p>")
        '<p>run <code class="attnbook-word">pip install -e .</code></p>'
        >>> break_names("<p>a weight of <code>-inf</code></p>")
        '<p>a weight of <code class="attnbook-word">-inf</code></p>'
        >>> break_names("<p>run <code>print(inspect.getsource(f.g))</code></p>")
        '<p>run <code>print(inspect.<wbr>getsource(f.g))</code></p>'
        >>> break_names("<p>in <code>attnbook/attention.py</code></p>")
        '<p>in <code>attnbook/<wbr>attention.py</code></p>'
        >>> break_names("<p><code>weights.sum(dim=-1) == 1.0</code></p>")
        '<p><code>weights.<wbr>sum(dim=-1) == 1.0</code></p>'
        >>> break_names("<pre><code>a.b</code></pre><table><td><code>a_b</code></table>")
        '<pre><code>a.b</code></pre><table><td><code>a_b</code></table>'
    """
    html = _SPACE_BEFORE_LINK.sub(r"\1\2", html)
    html = "".join(
        part if part.startswith("<table") else _INLINE_CODE.sub(_inline_code, part)
        for part in _TABLE.split(html)
    )
    return _NAME.sub(lambda found: found[1] + _breakable(found[2]) + found[3], html)
