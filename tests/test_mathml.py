"""attnbook.mkdocs_plugin.mathml: arithmatex's math becomes MathML, and nothing else does."""

from __future__ import annotations

import pytest

from attnbook.mkdocs_plugin.mathml import typeset, typeset_arithmatex, typeset_dollars

INLINE = '<span class="arithmatex">\\(q^\\top k\\)</span>'
BLOCK = '<div class="arithmatex">\\[\\frac{a}{b}\\]</div>'
INLINE_MATHML = typeset("q^\\top k", "inline")
BLOCK_MATHML = typeset("\\frac{a}{b}", "block")


def test_inline_and_block_math_become_mathml() -> None:
    page = f"<p>A score {INLINE} and a display:</p>\n{BLOCK}"
    expected = f"<p>A score {INLINE_MATHML} and a display:</p>\n{BLOCK_MATHML}"
    assert typeset_arithmatex(page) == expected


@pytest.mark.parametrize(
    "element",
    [
        # A view's inline script, with dollars and with arithmatex's markup in strings.
        f"<script>const price = \"$5 or $6\"; const html = '{INLINE}';</script>",
        f'<script type="module">\nlet a = `{BLOCK}`;\n</script>',
        f"<SCRIPT>/* {INLINE} */</SCRIPT >",
        f"<style>.x::after {{ content: '{INLINE}'; }}</style>",
    ],
)
def test_script_and_style_contents_are_left_alone(element: str) -> None:
    page = f"<p>{INLINE}</p>{element}<p>{INLINE}</p>"
    assert typeset_arithmatex(page) == f"<p>{INLINE_MATHML}</p>{element}<p>{INLINE_MATHML}</p>"


def test_math_beside_empty_elements_is_still_typeset() -> None:
    page = f"<script></script>{INLINE}<style></style>{BLOCK}"
    expected = f"<script></script>{INLINE_MATHML}<style></style>{BLOCK_MATHML}"
    assert typeset_arithmatex(page) == expected


def test_an_unclosed_script_runs_to_the_end_of_the_page() -> None:
    page = f"{INLINE}<script>let s = '{INLINE}';"
    assert typeset_arithmatex(page) == f"{INLINE_MATHML}<script>let s = '{INLINE}';"


def test_dollar_math_in_a_notebook_page_prose_only() -> None:
    """nbconvert leaves $…$ in a notebook page: typeset in prose, nowhere else."""
    tokens = "[&quot;$5&quot;,&quot;$6$&quot;]"
    view = f'<div class="attnbook-view" data-spec="{{&quot;tokens&quot;:{tokens}}}">'
    script = '<script>const cost = "$a$ and $$b$$";</script>'
    code = "<pre><code>print('$x$')</code></pre><code>$y$</code>"
    page = f"<p>Score $q$ and</p><p>$$k$$</p>{view}x</div>{script}{code}"
    expected = (
        f"<p>Score {typeset('q', 'inline')} and</p><p>{typeset('k', 'block')}</p>"
        f"{view}x</div>{script}{code}"
    )
    assert typeset_dollars(page) == expected
