"""What a reader sees, on every page of both editions, at phone and desktop width, in both themes.

Each check is a small function of a loaded page that returns what is wrong (an empty list
when nothing is). The same checks run on every page of the built site and, in
``test_each_check_catches_its_defect``, on a deliberately broken page, so that a check
that could not fail would be noticed. Screenshots at 360 px and 1280 px in both palettes
go to ``tests/artifacts/screenshots/``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PIL import Image

from tests.browser.browser_support import (
    ARTIFACTS,
    EDITIONS,
    PAGES,
    draw_every_figure,
    full_page_screenshot,
    stem,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE, DESKTOP = 360, 1280
THEMES = ("light", "dark")


# --- the checks -------------------------------------------------------------------------


def horizontal_overflow(page: Any) -> list[str]:
    """Elements that make the page wider than the viewport (it would scroll sideways)."""
    return list(
        page.evaluate(
            """() => {
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= width) return [];
            const scrolls = el => {
                for (let p = el.parentElement; p; p = p.parentElement) {
                    const overflow = getComputedStyle(p).overflowX;
                    if (overflow === "auto" || overflow === "scroll" || overflow === "hidden")
                        return p !== document.documentElement && p !== document.body;
                }
                return false;
            };
            return [...document.querySelectorAll("body *")]
                .filter(el => el.getBoundingClientRect().right > width + 1 && !scrolls(el))
                .slice(0, 5)
                .map(el => `${el.tagName.toLowerCase()}.${el.className} reaches `
                    + `${Math.round(el.getBoundingClientRect().right)} px of ${width}`);
        }"""
        )
    ) or (
        [f"the page is {page.evaluate('document.documentElement.scrollWidth')} px wide"]
        if page.evaluate("document.documentElement.scrollWidth > innerWidth")
        else []
    )


def light_boxes_in_the_dark(page: Any) -> list[str]:
    """Figures (inline SVG or images) whose own background is light on a dark page."""
    wrong = []
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    figures = page.locator("article svg[role=img], article img")
    for i in range(figures.count()):
        figure = figures.nth(i)
        figure.scroll_into_view_if_needed()
        image = Image.open(io.BytesIO(figure.screenshot())).convert("L")
        width, height = image.size
        border = [
            image.getpixel((x, y))
            for x in range(0, width, max(1, width // 20))
            for y in (0, height - 1)
        ] + [
            image.getpixel((x, y))
            for y in range(0, height, max(1, height // 20))
            for x in (0, width - 1)
        ]
        if sum(border) / len(border) > 128:  # the edges of the box, mostly light
            label = figure.get_attribute("aria-label") or figure.get_attribute("alt") or ""
            wrong.append(f"figure {i} ({label[:40]!r}) sits on a light box")
    return wrong


# The visible texts of every figure on the page, as [figure number, <text>, its box]: a
# JavaScript function shared by the figure checks below.
FIGURE_TEXTS = """() => [...document.querySelectorAll("article svg[role=img]")].flatMap(
    (svg, n) => [...svg.querySelectorAll("text")]
        .map(text => [n, text, text.getBoundingClientRect()])
        .filter(([, text, box]) => text.textContent.trim() && box.width))"""


def overlapping_figure_texts(page: Any) -> list[str]:
    """Pairs of texts inside one figure whose boxes overlap, as the browser draws them."""
    return list(
        page.evaluate(
            """() => {
            document.querySelectorAll("details").forEach(d => { d.open = true; });
            const texts = ("""
            + FIGURE_TEXTS
            + """)(), pairs = [];
            texts.forEach(([n, ta, a], i) => texts.slice(i + 1).forEach(([m, tb, b]) => {
                const dx = Math.min(a.right, b.right) - Math.max(a.left, b.left);
                const dy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
                if (n === m && dx > 0.5 && dy > 0.5)
                    pairs.push(`figure ${n}: "${ta.textContent.trim()}" over `
                        + `"${tb.textContent.trim()}"`);
            }));
            return pairs.slice(0, 10);
        }"""
        )
    )


def texts_on_points(page: Any) -> list[str]:
    """Texts inside a figure that touch one of its points (a ``<circle>``)."""
    return list(
        page.evaluate(
            """() => ("""
            + FIGURE_TEXTS
            + """)()
            .filter(([, text, t]) => [...text.closest("svg").querySelectorAll("circle")]
                .map(c => c.getBoundingClientRect())
                .some(d => d.width && d.left < t.right + 1 && d.right > t.left - 1
                    && d.top < t.bottom + 1 && d.bottom > t.top - 1))
            .map(([n, text]) => `figure ${n}: "${text.textContent.trim()}"`)"""
        )
    )


def views_off_centre(page: Any) -> list[str]:
    """Parts of an interactive view that sit off the centre line its readouts are on."""
    return list(
        page.evaluate(
            """() => {
            const off = [];
            const union = els => {
                const rs = els.map(e => e.getBoundingClientRect()).filter(r => r.width);
                if (!rs.length) return null;
                return [Math.min(...rs.map(r => r.left)), Math.max(...rs.map(r => r.right))];
            };
            document.querySelectorAll(".attnbook-view, .attnbook-pooling").forEach((view, n) => {
                const box = view.getBoundingClientRect();
                const centre = (box.left + box.right) / 2;
                const parts = {
                    grid: [view.querySelector(".ab-grid")],
                    controls: [...view.querySelectorAll(".ab-controls > *")],
                    sentence: [...view.querySelectorAll(".ab-sentence > span")],
                    sliders: [...view.querySelectorAll("input[type=range]")],
                    plot: [view.querySelector(":scope > svg")],
                };
                for (const [name, els] of Object.entries(parts)) {
                    const span = union(els.filter(Boolean));
                    if (span && Math.abs((span[0] + span[1]) / 2 - centre) > 4)
                        off.push(`view ${n}: its ${name} is `
                            + `${Math.round((span[0] + span[1]) / 2 - centre)} px off centre`);
                }
            });
            return off;
        }"""
        )
    )


# Every figure text with the size it is drawn at, as [figure number, <text>, CSS pixels]:
# its font size through the figure's scaling.
FIGURE_TEXT_SIZES = (
    """() => ("""
    + FIGURE_TEXTS
    + """)().map(([n, text]) => {
        const m = text.getScreenCTM();
        return [n, text, parseFloat(getComputedStyle(text).fontSize) * Math.hypot(m.a, m.b)];
    })"""
)


def tiny_figure_texts(page: Any) -> list[str]:
    """Texts of a figure drawn smaller than 8 CSS pixels (a wide figure should scroll instead)."""
    return list(
        page.evaluate(
            "() => ("
            + FIGURE_TEXT_SIZES
            + """)()
            .filter(([, , shown]) => shown < 8)
            .slice(0, 10)
            .map(([n, text, shown]) =>
                `figure ${n}: "${text.textContent.trim()}" at ${shown.toFixed(1)} px`)"""
        )
    )


def figure_texts_larger_than_the_text(page: Any) -> list[str]:
    """Texts of a figure drawn larger than the chapter's running text (a plot scaled up)."""
    return list(
        page.evaluate(
            """() => {
            const body = parseFloat(getComputedStyle(
                document.querySelector("article p") || document.body).fontSize);
            return ("""
            + FIGURE_TEXT_SIZES
            + """)()
            .filter(([, , shown]) => shown > body + 0.5)
            .slice(0, 10)
            .map(([n, text, shown]) => `figure ${n}: "${text.textContent.trim()}" at `
                + `${shown.toFixed(1)} px, the text at ${body} px`);
        }"""
        )
    )


def cut_without_a_cue(page: Any) -> list[str]:
    """Figures and formulas cut off at the side (they scroll in their box) with no fade."""
    return list(
        page.evaluate(
            """async () => {
            const cut = [...document.querySelectorAll(
                "article .attnbook-figure, article math[display=block]")]
                .filter(box => box.scrollWidth > box.clientWidth + 1);
            cut.forEach(box => { box.scrollLeft = 0; });
            // the fade follows the scroll position in the next frame
            await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
            return cut.filter(box => {
                const style = getComputedStyle(box);
                const mask = style.maskImage || style.webkitMaskImage || "none";
                return mask === "none" || parseFloat(style.getPropertyValue("--ab-fade-end")) <= 0;
            })
            .map(box => (box.querySelector("[aria-label]") || box).getAttribute("aria-label")
                || box.textContent.slice(0, 40));
        }"""
        )
    )


def fades_over_what_is_shown(page: Any) -> list[str]:
    """Cut figures and formulas whose edge fade is wider than what lies beyond that edge.

    A figure a few pixels too wide should fade over those few pixels, not over its colour
    bar or its last column of cells (a faded cell reads as a smaller weight).
    """
    return list(
        page.evaluate(
            """async () => {
            const frame = () => new Promise(done =>
                requestAnimationFrame(() => requestAnimationFrame(done)));
            const found = [];
            for (const box of document.querySelectorAll(
                    "article .attnbook-figure, article math[display=block]")) {
                const hidden = box.scrollWidth - box.clientWidth;
                if (hidden <= 0) continue;
                const name = (box.querySelector("[aria-label]") || box)
                    .getAttribute("aria-label") || box.textContent.slice(0, 40);
                for (const [at, edge] of [[0, "end"], [hidden, "start"]]) {
                    box.scrollLeft = at;
                    await frame();
                    const style = getComputedStyle(box);
                    const mask = style.maskImage || style.webkitMaskImage || "none";
                    const fade = parseFloat(style.getPropertyValue(`--ab-fade-${edge}`)) || 0;
                    if (mask !== "none" && fade > hidden + 1)
                        found.push(`${name.slice(0, 40)}: ${fade} px of fade at the ${edge}`
                            + ` for ${hidden} px cut off`);
                }
                box.scrollLeft = 0;
                await frame();
            }
            return found;
        }"""
        )
    )


def figures_a_little_too_wide(page: Any) -> list[str]:
    """Figures that scroll in their box for want of a few pixels: drawn a bit smaller, they fit.

    A figure far wider than a phone scrolls, as it should; one cut off by less than 15 % of
    the column (a 9-inch grid in a desktop column, a 4.7-inch heatmap on a phone) hides its
    last column or its colour bar for nothing.
    """
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll("article .attnbook-figure")]
            .filter(box => box.scrollWidth > box.clientWidth + 1
                && box.scrollWidth <= box.clientWidth * 1.15)
            .map(box => `${(box.querySelector("[aria-label]") || box)
                .getAttribute("aria-label").slice(0, 40)}: ${box.scrollWidth} px in `
                + `${box.clientWidth}`)"""
        )
    )


def readouts_in_scrolling_boxes(page: Any) -> list[str]:
    """Readouts inside a box that scrolls sideways: cut, and faded with a cut figure."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll("article .attnbook-readout")]
            .filter(readout => {
                for (let box = readout.parentElement; box; box = box.parentElement) {
                    const overflow = getComputedStyle(box).overflowX;
                    if (overflow === "auto" || overflow === "scroll") return true;
                }
                return false;
            })
            .map(readout => readout.textContent.slice(0, 40))"""
        )
    )


def lonely_header_links(page: Any) -> list[str]:
    """Headings whose hidden permalink mark (¶) wrapped onto a line of its own."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll("article :is(h1, h2, h3, h4)")].filter(h => {
                const link = h.querySelector(":scope > .headerlink");
                if (!link || !link.getClientRects().length) return false;
                const range = document.createRange();
                range.setStart(h, 0);
                range.setEndBefore(link);
                const lines = [...range.getClientRects()].filter(r => r.width);
                if (!lines.length) return false;
                const last = Math.max(...lines.map(r => r.bottom));
                return link.getClientRects()[0].top >= last - 2;
            }).map(h => h.textContent.slice(0, 40))"""
        )
    )


# A reST role as written (:func:`f`) or as rendered once its backticks became code
# (":func:f", or "class: F" where a docstring section ate the first colon).
def lonely_last_characters(page: Any) -> list[str]:
    """Table cells, headings, the footer's line and code in text that wrap to leave one
    character alone on a line: its last line holds one letter or character, punctuation
    aside ("建。"), or is narrower than 1.3em."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll(
                "article :is(td, th, h1, h2, h3, h4), article :is(p, li) code, .md-copyright")]
            .filter(cell => {
                const size = parseFloat(getComputedStyle(cell).fontSize);
                const chars = [];
                const walk = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
                for (let node = walk.nextNode(); node; node = walk.nextNode()) {
                    if (node.parentElement.closest(".headerlink")) continue;
                    for (let i = 0; i < node.length; i++) {
                        const range = document.createRange();
                        range.setStart(node, i);
                        range.setEnd(node, i + 1);
                        const box = range.getBoundingClientRect();
                        if (box.width) chars.push({box, char: node.data[i]});
                    }
                }
                if (!chars.length) return false;
                const top = Math.max(...chars.map(c => c.box.top));
                // a line's glyphs sit a few pixels apart in mixed fonts (CJK and Latin)
                const last = chars.filter(c => c.box.top > top - size / 2);
                if (last.length === chars.length) return false;  // one line
                const width = Math.max(...last.map(c => c.box.right))
                    - Math.min(...last.map(c => c.box.left));
                const letters = last.filter(c => !/[\\s\\p{P}]/u.test(c.char)).length;
                return letters <= 1 || width < 1.3 * size;
            })
            .map(cell => cell.textContent.trim().slice(0, 40))"""
        )
    )


def squeezed_table_cells(page: Any) -> list[str]:
    """Table cells of prose that wrap in under 8em: a word or two a line.

    A table too wide for the screen scrolls in its box instead.
    """
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll("article td")]
            .filter(cell => [...cell.childNodes].some(  // prose: not only a name or a link
                node => node.nodeType === Node.TEXT_NODE && node.data.trim()))
            .filter(cell => {
                const range = document.createRange();
                range.selectNodeContents(cell);
                const lines = new Set([...range.getClientRects()].map(r => Math.round(r.bottom)));
                const size = parseFloat(getComputedStyle(cell).fontSize);
                return lines.size > 1 && cell.getBoundingClientRect().width < 8 * size;
            })
            .map(cell => cell.textContent.trim().slice(0, 40))"""
        )
    )


def tables_of_uneven_width(page: Any) -> list[str]:
    """A page's tables that end at different widths (the API summary's four in a column).

    Tables wider than the column scroll, each in its own box: they are left out.
    """
    widths = page.evaluate(
        """() => [...document.querySelectorAll("article table")]
        .map(table => Math.round(table.getBoundingClientRect().width))
        .filter(width => width <= document.querySelector("article").clientWidth)"""
    )
    return [f"table widths {widths}"] if widths and max(widths) - min(widths) > 2 else []


RAW_ROLE = re.compile(
    r":(?:func|class|meth|mod|attr|data|obj|exc|ref):\s*`?\w|\b(?:func|class|meth):\s+`?[A-Za-z_]"
)


def raw_markup(page: Any) -> list[str]:
    """reST roles or unrendered Markdown left in the page's text."""
    text = page.locator("article").inner_text()
    found = [match.group(0) for match in RAW_ROLE.finditer(text)]
    found += re.findall(r"\[`[^`\]]+`\]\[[\w.]+\]", text)  # an autorefs link not resolved
    return found[:10]


def entries_without_a_description(page: Any) -> list[str]:
    """API entries (mkdocstrings' ``.doc-object``) with a name and nothing said about it."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll("article .doc-object")]
            .filter(entry => {
                const contents = entry.querySelector(":scope > .doc-contents");
                return !contents || !contents.querySelector(":scope > p")?.textContent.trim();
            })
            .map(entry => entry.querySelector(".doc-heading")?.textContent.trim().slice(0, 40))"""
        )
    )


def tall_headings(page: Any) -> list[str]:
    """Headings taller than two lines of their own text at desktop width."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll("article :is(h1, h2, h3, h4)")]
            .filter(h => {
                const style = getComputedStyle(h);
                const line = parseFloat(style.lineHeight) || 1.25 * parseFloat(style.fontSize);
                return h.getBoundingClientRect().height > 2.2 * line;
            })
            .map(h => `${h.tagName}: ${h.textContent.trim().slice(0, 60)}`)"""
        )
    )


def names_broken_mid_word(page: Any) -> list[str]:
    """Code names (one word, such as ``masked_softmax``) in tables split across lines."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll("article table code")]
            .filter(code => !/\\s/.test(code.textContent.trim()))
            .filter(code => {
                const tops = new Set([...code.getClientRects()].map(r => Math.round(r.top)));
                return tops.size > 1;
            })
            .map(code => code.textContent.trim())"""
        )
    )


def names_broken_mid_part(page: Any) -> list[str]:
    """Names in headings or code in running text split other than after . _ / or a space."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll(
                "article :is(h1, h2, h3, h4) .doc-object-name, article :is(p, li, dd) code")]
            .filter(name => !name.closest("pre"))
            .filter(name => {
                const walker = document.createTreeWalker(name, NodeFilter.SHOW_TEXT);
                let last = null;
                for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                    for (let i = 0; i < node.length; i++) {
                        const range = document.createRange();
                        range.setStart(node, i);
                        range.setEnd(node, i + 1);
                        const top = Math.round(range.getBoundingClientRect().top);
                        if (last && top > last.top + 2 && !/[._/\\s]/.test(last.char)) return true;
                        last = {top, char: node.data[i]};
                    }
                }
                return false;
            })
            .map(name => name.textContent.trim())"""
        )
    )


def underlines_on_underscores(page: Any) -> list[str]:
    """Linked code names with an underscore whose underline would sit on the underscore."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll("article a code")]
            .filter(code => code.textContent.includes("_"))
            .filter(code => {
                const link = getComputedStyle(code.closest("a"));
                if (!link.textDecorationLine.includes("underline")) return false;
                const size = parseFloat(getComputedStyle(code).fontSize);
                const offset = parseFloat(link.textUnderlineOffset) || 0;
                return offset < 0.25 * size;
            })
            .map(code => code.textContent.trim())"""
        )
    )


def math_in_text_fonts(page: Any) -> list[str]:
    """Math symbols drawn from a text font (on a Chinese page, a CJK font's small ‖ and −).

    Asks Chromium which installed fonts drew each token of every formula.
    """
    session = page.context.new_cdp_session(page)
    try:
        session.send("DOM.enable")
        session.send("CSS.enable")
        root = session.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        tokens = session.send(
            "DOM.querySelectorAll", {"nodeId": root, "selector": "math :is(mi, mo, mn)"}
        )["nodeIds"]
        found = []
        for node in tokens:
            fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            text = session.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"]
            wrong = [font["familyName"] for font in fonts if "CJK" in font["familyName"]]
            if wrong:
                found.append(f"{text} drawn in {', '.join(wrong)}")
        return found[:5]
    finally:
        session.detach()


def code_under_copy_button(page: Any) -> list[str]:
    """Code blocks whose text runs under their copy button (the button hides its end)."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll("article pre")]
            .filter(pre => {
                const button = pre.querySelector("button, .md-code__button, .md-clipboard");
                const code = pre.querySelector("code");
                if (!button || !code) return false;
                const spot = button.getBoundingClientRect();
                if (!spot.width) return false;
                const range = document.createRange();
                range.selectNodeContents(code);
                return [...range.getClientRects()].some(r => r.width > 0
                    && r.right > spot.left + 1 && r.left < spot.right - 1
                    && r.bottom > spot.top + 1 && r.top < spot.bottom - 1);
            })
            .map(pre => pre.querySelector("code").textContent.split("\\n")[0].slice(0, 60))"""
        )
    )


def wrapped_code_lines(page: Any) -> list[str]:
    """Code blocks with a line the browser wrapped (it restarts at the left edge)."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll("article pre > code")]
            .filter(code => {
                const lines = code.textContent.split("\\n").filter(l => l.trim()).length;
                const range = document.createRange();
                range.selectNodeContents(code);
                const tops = new Set(
                    [...range.getClientRects()]
                        .filter(r => r.width > 0)
                        .map(r => Math.round(r.top))
                );
                return tops.size > lines;
            })
            .map(code => code.textContent.split("\\n")[0].slice(0, 50))"""
        )
    )


# --- pages ------------------------------------------------------------------------------


@pytest.fixture
def open_page(browser: Any, server: str) -> Iterator[Callable[[str, int, str], Any]]:
    """Open a page of the site at a width, in a theme; fails on console errors."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_(path: str, width: int, theme: str) -> Any:
        context = browser.new_context(
            viewport={"width": width, "height": 900}, color_scheme=theme, locale="zh-CN"
        )
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server + path, wait_until="networkidle")
        draw_every_figure(page)  # the checks measure every figure, not only the first ones
        return page

    yield open_
    for context in contexts:
        context.close()
    assert not errors, errors


@pytest.mark.parametrize("name", PAGES)
def test_phone_width_no_sideways_scrolling(
    open_page: Callable[[str, int, str], Any], name: str
) -> None:
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    for theme in THEMES:
        page = open_page(PAGES[name], PHONE, theme)
        full_page_screenshot(page, shots / f"{name.replace('/', '-')}-{PHONE}-{theme}.png")
        assert horizontal_overflow(page) == [], (name, theme)
        assert names_broken_mid_word(page) == [], (name, theme)
        assert underlines_on_underscores(page) == [], (name, theme)
        assert names_broken_mid_part(page) == [], (name, theme)
        assert tiny_figure_texts(page) == [], (name, theme)
        assert cut_without_a_cue(page) == [], (name, theme)
        assert fades_over_what_is_shown(page) == [], (name, theme)
        assert figures_a_little_too_wide(page) == [], (name, theme)
        assert readouts_in_scrolling_boxes(page) == [], (name, theme)
        assert lonely_header_links(page) == [], (name, theme)
        assert squeezed_table_cells(page) == [], (name, theme)


@pytest.mark.parametrize("name", PAGES)
def test_figures_in_the_dark_and_their_texts(
    open_page: Callable[[str, int, str], Any], name: str
) -> None:
    for width in (PHONE, DESKTOP):
        page = open_page(PAGES[name], width, "dark")
        assert light_boxes_in_the_dark(page) == [], (name, width)
        assert overlapping_figure_texts(page) == [], (name, width)
        assert texts_on_points(page) == [], (name, width)
        assert views_off_centre(page) == [], (name, width)
        assert figure_texts_larger_than_the_text(page) == [], (name, width)
        assert fades_over_what_is_shown(page) == [], (name, width)
        assert figures_a_little_too_wide(page) == [], (name, width)
        if width == DESKTOP:  # on a phone long lines scroll under the button: expected
            assert wrapped_code_lines(page) == [], name
            assert code_under_copy_button(page) == [], name
        assert math_in_text_fonts(page) == [], (name, width)
        assert lonely_last_characters(page) == [], (name, width)
        assert tables_of_uneven_width(page) == [], (name, width)


@pytest.mark.parametrize("name", [name for name in PAGES if stem(name).split("/")[0] == "api"])
def test_api_page_is_rendered_markup_with_short_headings(
    open_page: Callable[[str, int, str], Any], name: str
) -> None:
    page = open_page(PAGES[name], DESKTOP, "light")
    assert raw_markup(page) == []
    assert tall_headings(page) == []
    assert entries_without_a_description(page) == []
    if stem(name) == "api":  # the summary: a link to every public name's entry, in tables
        import attnbook

        links = page.locator("article table a")
        linked = {link.inner_text().strip() for link in links.all()}
        assert set(attnbook.__all__) <= linked


# The chapter each search must put first, in each edition.
FIRST_RESULTS = {
    ("zh", "热力图"): "03-visualizing-attention",
    ("zh", "咖啡"): "01-attention-cues",
    ("zh", "自主性提示"): "01-attention-cues",
    ("zh", "温度"): "05-playground",  # its section on temperature, then the exercise
    ("en", "heatmap"): "03-visualizing-attention",
    ("en", "coffee"): "01-attention-cues",
    ("en", "volitional cue"): "01-attention-cues",
    ("en", "attention pooling"): "02-queries-keys-values",
    ("en", "temperature"): "05-playground",
}


@pytest.mark.parametrize(("language", "query"), FIRST_RESULTS)
def test_search_puts_the_chapter_first(
    open_page: Callable[[str, int, str], Any], language: str, query: str
) -> None:
    edition = EDITIONS[language]
    page = open_page(edition, DESKTOP, "light")
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    box.press("End")
    first = page.locator(".md-search-result__item > a").first
    first.wait_for(state="visible")
    path = first.evaluate("a => new URL(a.href).pathname")
    assert path.endswith(f"/{edition}{FIRST_RESULTS[language, query]}/"), path


# --- the checks fail where they should ----------------------------------------------------

BROKEN = {
    horizontal_overflow: '<div style="width: 700px">a line of text far wider than a phone</div>',
    light_boxes_in_the_dark: (
        '<article><svg role="img" aria-label="white box" width="200" height="100">'
        '<rect width="200" height="100" fill="#fff"/></svg></article>'
    ),
    overlapping_figure_texts: (
        '<article><svg role="img" aria-label="crowded" width="200" height="100">'
        '<text x="10" y="50">0.2</text><text x="14" y="52">0.4</text></svg></article>'
    ),
    texts_on_points: (
        '<article><svg role="img" aria-label="crowded" width="200" height="100">'
        '<circle cx="30" cy="50" r="4"/><text x="32" y="54">average 0.8</text></svg></article>'
    ),
    views_off_centre: (
        '<div class="attnbook-view" style="width: 300px"><div class="ab-grid" '
        'style="max-width: 100px">grid</div></div>'
    ),
    tiny_figure_texts: (
        '<article><svg role="img" aria-label="small" width="100" height="50" viewBox="0 0 200 100">'
        '<text x="10" y="50" font-size="12">0.25</text></svg></article>'
    ),
    figure_texts_larger_than_the_text: (
        '<article><p>running text</p><svg role="img" aria-label="scaled up" width="400" '
        'height="200" viewBox="0 0 200 100"><text x="10" y="50" font-size="12">average'
        "</text></svg></article>"
    ),
    cut_without_a_cue: (
        '<article><div class="attnbook-figure" style="overflow-x: auto; width: 200px">'
        '<svg role="img" aria-label="wide" width="600" height="50"></svg></div></article>'
    ),
    fades_over_what_is_shown: (
        '<article><div class="attnbook-figure" style="overflow-x: auto; width: 200px; '
        'mask-image: linear-gradient(to right, #000 80%, transparent); --ab-fade-end: 40px">'
        '<svg role="img" aria-label="a little too wide" width="203" height="50"></svg></div>'
        "</article>"
    ),
    figures_a_little_too_wide: (
        '<article><div class="attnbook-figure" style="overflow-x: auto; width: 200px">'
        '<svg role="img" aria-label="a little too wide" width="210" height="50"></svg></div>'
        "</article>"
    ),
    readouts_in_scrolling_boxes: (
        '<article><div class="attnbook-figure" style="overflow-x: auto">'
        '<div class="attnbook-readout">Query: 1 · Key: 2</div></div></article>'
    ),
    lonely_header_links: (
        '<article><h2 style="width: 7.5ch; font: 16px monospace">abcdef'
        '<a class="headerlink" href="#" style="display: inline-block; margin-left: 1ch">¶</a>'
        "</h2></article>"
    ),
    lonely_last_characters: (
        '<article><table><tr><td style="width: 6.5em; font-size: 16px">注意力的可视化</td>'
        '</tr></table><p style="width: 12em; font: 16px monospace">install it: '
        "<code>pip install -e .</code></p></article>"
        '<div class="md-copyright" style="width: 8.5em; font-size: 16px">本站用某某构建。</div>'
    ),
    raw_markup: "<article><p>Made by :func:<code>attention_view</code>.</p></article>",
    squeezed_table_cells: (
        '<article><table style="width: 300px"><tr><td><code>attention_pooling_diagram</code>'
        "</td><td>Draws queries, keys, values and attention pooling</td>"
        '<td style="white-space: nowrap">Queries, keys and values</td></tr></table></article>'
    ),
    tables_of_uneven_width: (
        "<article><table><tr><td>a short row</td></tr></table>"
        "<table><tr><td>a row of a table that holds a little more text</td></tr></table></article>"
    ),
    names_broken_mid_part: (
        '<article><h2 style="width: 60px; word-break: break-all">'
        '<span class="doc-object-name">attnbook.pooling_explorable</span></h2></article>'
    ),
    underlines_on_underscores: (
        '<article><p><a href="#" style="text-decoration: underline">'
        "<code>masked_softmax</code></a></p></article>"
    ),
    wrapped_code_lines: (
        '<article><pre style="width: 200px"><code style="white-space: pre-wrap; '
        'line-height: 20px">x = "a line of code far longer than its box"</code></pre></article>'
    ),
    code_under_copy_button: (
        '<article><pre style="position: relative; width: 300px"><code>x = "a line of code, '
        'far longer than its box, that runs on"</code><button style="position: absolute; '
        'top: 0; right: 0; width: 40px; height: 20px"></button></pre></article>'
    ),
    names_broken_mid_word: (
        '<article><table><tr><td style="width: 40px"><code style="word-break: break-all">'
        "masked_softmax</code></td></tr></table></article>"
    ),
    math_in_text_fonts: (
        '<article><p lang="zh" style="font-family: \'Noto Sans CJK SC\'">得分是 '
        '<math style="font-family: inherit"><mo>−</mo><mo>‖</mo><mi>q</mi><mo>‖</mo>'
        "</math></p></article>"
    ),
    entries_without_a_description: (
        '<article><div class="doc doc-object"><h2 class="doc doc-heading">attnbook.LABELS</h2>'
        '<div class="doc doc-contents first"></div></div></article>'
    ),
    tall_headings: (
        '<article><h2 style="width: 200px">attnbook.DIAGRAM_LABELS = MappingProxyType'
        "({'zh': {'cup': '咖啡杯', 'book': '书', 'eye': '眼睛'}})</h2></article>"
    ),
}


@pytest.mark.parametrize("check", BROKEN, ids=lambda check: check.__name__)
def test_each_check_catches_its_defect(browser: Any, check: Callable[[Any], list[str]]) -> None:
    context = browser.new_context(viewport={"width": PHONE, "height": 600}, color_scheme="dark")
    try:
        page = context.new_page()
        page.set_content(
            f"<html><body style='background:#1e2129;color:#eee'>{BROKEN[check]}</body></html>"
        )
        assert check(page), f"{check.__name__} found nothing on a page made to fail it"
        page.set_content(
            "<html><body style='background:#1e2129'><article><p>fine</p></article></body></html>"
        )
        assert not check(page), f"{check.__name__} complains about a page with nothing wrong"
    finally:
        context.close()
