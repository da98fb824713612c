"""Every page of the built site in a real browser (Chromium, driven by Playwright).

Each test opens pages in a fresh browser context and fails on any console error or on a
request to any host but the local server. Screenshots of every page in both palettes go
to ``tests/artifacts/screenshots/``.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.browser.browser_support import (
    ARTIFACTS,
    EDITIONS,
    PAGES,
    Visit,
    full_page_screenshot,
    source_of,
    stem,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHAPTERS = [
    stem(name)
    for name in PAGES
    if re.match(r"\d\d-", stem(name)) and source_of(name).suffix == ".md"
]
# What each page must show at least (the build writes them; the browser must render them).
HEATMAP_PAGES = ["02-queries-keys-values", "03-visualizing-attention", "04-exercises"]
MATH_PAGES = CHAPTERS
FOOTNOTE_PAGES = ["01-attention-cues", "02-queries-keys-values"]
ADMONITION_PAGES = ["index", *CHAPTERS]
# Each edition searches its own pages: a query, in the edition's language, and the page
# it must find.
SEARCHES = {
    ("zh", "注意力汇聚"): "02-queries-keys-values",
    ("zh", "自主性提示"): "01-attention-cues",
    ("zh", "heatmap"): "03-visualizing-attention",
    ("en", "attention pooling"): "02-queries-keys-values",
    ("en", "volitional"): "01-attention-cues",
    ("en", "heatmaps"): "03-visualizing-attention",
}
RGB = tuple[float, float, float]
WEIGHT_TITLE = re.compile(r"^(?P<query>.+), (?P<key>.+): (?P<weight>-?\d+(?:\.\d+)?(?:e-?\d+)?)$")


def relative_luminance(rgb: RGB) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def parse_colour(css: str, background: RGB = (255, 255, 255)) -> RGB:
    """An ``rgb()``/``rgba()`` computed colour as RGB, composited over ``background``."""
    numbers = [float(value) for value in re.findall(r"[\d.]+", css)]
    assert css.startswith("rgb") and len(numbers) in (3, 4), css
    alpha = numbers[3] if len(numbers) == 4 else 1.0
    red, green, blue = (
        a * alpha + b * (1 - alpha) for a, b in zip(numbers[:3], background, strict=True)
    )
    return (red, green, blue)


def contrast(foreground: str, background: str) -> float:
    back = parse_colour(background)
    lighter, darker = sorted(
        (relative_luminance(parse_colour(foreground, back)), relative_luminance(back)),
        reverse=True,
    )
    return (lighter + 0.05) / (darker + 0.05)


def assert_clean(visit: Visit) -> None:
    assert not visit.errors, visit.errors
    assert not visit.foreign_requests(), visit.foreign_requests()


def check_heatmaps(visit: Visit) -> int:
    """Every heatmap is drawn, and hovering a cell shades it and names query, key, weight."""
    page = visit.page
    open_collapsed(visit)
    heatmaps = page.locator("article svg[role=img]:has(g.cells)")
    for index in range(heatmaps.count()):
        heatmap = heatmaps.nth(index)
        heatmap.scroll_into_view_if_needed()
        assert heatmap.is_visible()
        box = heatmap.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, box
        assert heatmap.get_attribute("aria-label"), "every figure has alt text"
        # The weights are an embedded image: the figure must show more than a few colours.
        pixels = _colours(heatmap.screenshot())
        assert pixels > 8, f"heatmap {index} looks blank ({pixels} colours)"
        cells = heatmap.locator("g.cells > path")
        count = cells.count()
        assert count > 0
        for cell_index in sorted({0, count // 2, count - 1}):
            cell = cells.nth(cell_index)
            centre = cell.evaluate(
                """cell => {
                    const box = cell.getBoundingClientRect();
                    return {x: box.x + box.width / 2, y: box.y + box.height / 2};
                }"""
            )
            page.mouse.move(centre["x"], centre["y"])
            hovered = page.evaluate(
                """([x, y]) => {
                    const element = document.elementFromPoint(x, y);
                    const title = element && element.querySelector(":scope > title");
                    return {
                        title: title ? title.textContent : null,
                        shade: element ? getComputedStyle(element).strokeOpacity : null,
                    };
                }""",
                [centre["x"], centre["y"]],
            )
            expected = cell.locator("title").text_content()
            assert hovered["title"] == expected, (hovered, expected)
            match = WEIGHT_TITLE.match(expected or "")
            assert match, f"hover text {expected!r} does not name query, key and weight"
            assert float(hovered["shade"]) > 0, "the cell under the pointer is shaded"
    return heatmaps.count()


def open_collapsed(visit: Visit) -> None:
    """Open the collapsed answers (``??? success``), as a reader does to see their figures."""
    visit.page.evaluate("document.querySelectorAll('article details').forEach(d => d.open = true)")


def _colours(png: bytes) -> int:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return len(image.convert("RGB").getcolors(maxcolors=1 << 20) or [])


def check_math(visit: Visit) -> int:
    """Math is MathML laid out by the browser, with no TeX left over."""
    maths = visit.page.evaluate(
        """() => [...document.querySelectorAll("article math")].map(math => {
            const box = math.getBoundingClientRect();
            return {display: getComputedStyle(math).display, width: box.width,
                    height: box.height, text: math.textContent};
        })"""
    )
    for math in maths:
        assert math["display"] in ("math", "block math"), math
        assert math["width"] > 0 and math["height"] > 0, math
    text = visit.page.locator("article").inner_text()
    for tex in ("\\(", "\\[", "$$", "\\frac", "\\text"):
        assert tex not in text, f"untypeset TeX {tex!r} on the page"
    return len(maths)


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_cleanly_and_only_from_the_local_server(visit: Visit, name: str) -> None:
    visit.goto(PAGES[name])
    assert visit.page.locator("article h1").count() == 1
    assert_clean(visit)


def test_every_page_is_in_the_sitemap(site: Path) -> None:
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    locations = re.findall(r"<loc>https://attnbook\.github\.io/attnbook/(.*?)</loc>", sitemap)
    assert sorted(locations) == sorted(PAGES.values())


@pytest.mark.parametrize("name", PAGES)
def test_figures_are_visible_and_heatmap_cells_answer_hover(visit: Visit, name: str) -> None:
    visit.goto(PAGES[name])
    open_collapsed(visit)
    figures = visit.page.locator("article svg[role=img]")
    for index in range(figures.count()):
        figure = figures.nth(index)
        figure.scroll_into_view_if_needed()
        assert figure.is_visible(), f"figure {index} is hidden"
        assert figure.get_attribute("aria-label")
    images = visit.page.locator("article img")
    for index in range(images.count()):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        assert image.get_attribute("alt"), f"image {index} has no alt text"
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    heatmaps = check_heatmaps(visit)
    if stem(name) in HEATMAP_PAGES:
        assert heatmaps > 0, "this chapter shows heatmaps"
    assert_clean(visit)


@pytest.mark.parametrize("name", PAGES)
def test_math_footnotes_and_admonitions_render(visit: Visit, name: str) -> None:
    visit.goto(PAGES[name])
    page = visit.page
    maths = check_math(visit)
    if stem(name) in MATH_PAGES:
        assert maths > 0, "this chapter has math"

    admonitions = page.locator("article .admonition, article details")
    if stem(name) in ADMONITION_PAGES:
        assert admonitions.count() > 0
    for index in range(admonitions.count()):
        admonition = admonitions.nth(index)
        title = admonition.locator(":scope > .admonition-title, :scope > summary")
        assert title.is_visible(), f"admonition {index} has no visible title"
        icon = title.evaluate("title => getComputedStyle(title, '::before').maskImage")
        assert icon and icon != "none", "the theme draws the admonition's icon"
    for details in page.locator("article details:not(details details)").all():
        details.scroll_into_view_if_needed()
        was_open = details.evaluate("details => details.open")
        details.locator(":scope > summary").click()
        assert details.evaluate("details => details.open") != was_open

    references = page.locator("article sup[id^='fnref'] > a")
    if stem(name) in FOOTNOTE_PAGES:
        assert references.count() > 0
    for reference in references.all():
        target = reference.evaluate("a => a.hash")  # instant navigation makes hrefs absolute
        assert target, "a footnote reference links to its note"
        note = page.locator(f"[id='{target[1:]}']")
        assert note.count() == 1, f"footnote {target} is missing"
        reference.click()
        note.locator("a.footnote-backref").wait_for(state="visible")
        assert note.is_visible()
        assert note.locator("a.footnote-backref").count() == 1
    assert_clean(visit)


@pytest.mark.parametrize("name", PAGES)
def test_dark_mode_toggle_switches_palette_and_figures_stay_legible(
    visit: Visit, name: str
) -> None:
    visit.goto(PAGES[name])
    page = visit.page
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)

    def colours() -> dict[str, Any]:
        return page.evaluate(
            """() => {
                const style = element => getComputedStyle(element);
                const article = document.querySelector("article");
                return {
                    scheme: document.body.dataset.mdColorScheme,
                    background: style(document.body).backgroundColor,
                    text: style(article).color,
                    figures: [...article.querySelectorAll("svg[role=img]")].map(svg => ({
                        colour: style(svg).color,
                        texts: [...new Set([...svg.querySelectorAll("text")]
                            .map(text => style(text).fill))],
                    })),
                };
            }"""
        )

    def check(expected_scheme: str) -> dict[str, Any]:
        seen = colours()
        assert seen["scheme"] == expected_scheme
        background = parse_colour(seen["background"])
        dark = relative_luminance(background) < 0.2
        assert dark == (expected_scheme == "slate"), seen["background"]
        assert contrast(seen["text"], seen["background"]) >= 7, seen
        for figure in seen["figures"]:
            # Figures draw in currentColor: they follow the page's text colour.
            assert figure["colour"] == seen["text"], figure
            for fill in figure["texts"]:
                assert contrast(fill, seen["background"]) >= 4.5, (fill, seen["background"])
        return seen

    light = check("default")
    full_page_screenshot(page, shots / f"{name.replace('/', '-')}-light.png")
    page.locator("[data-md-component=palette] label:visible").click()
    page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")
    dark = check("slate")
    assert dark["background"] != light["background"] and dark["text"] != light["text"]
    full_page_screenshot(page, shots / f"{name.replace('/', '-')}-dark.png")
    page.locator("[data-md-component=palette] label:visible").click()
    page.wait_for_function("document.body.dataset.mdColorScheme === 'default'")
    assert_clean(visit)


@pytest.mark.parametrize(("language", "query"), SEARCHES)
def test_search_finds_the_chapter_in_its_own_edition(
    visit: Visit, language: str, query: str
) -> None:
    edition = EDITIONS[language]
    visit.goto(edition)
    box = visit.page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    box.press("End")  # a key press, as when an input method commits the word
    results = visit.page.locator(".md-search-result__item > a")
    results.first.wait_for(state="visible")
    links = [link.evaluate("a => new URL(a.href).pathname") for link in results.all()]
    wanted = f"/{edition}{SEARCHES[language, query]}/"
    assert any(link.endswith(wanted) for link in links), links
    other = [e for e in EDITIONS.values() if e and e != edition]
    for link in links:
        page = link.removeprefix("/attnbook/")
        assert page.startswith(edition) and not any(page.startswith(e) for e in other), (
            f"{link} is in another edition"
        )
    assert_clean(visit)


@pytest.mark.parametrize("name", PAGES)
def test_notebook_download_links_return_notebooks(visit: Visit, name: str) -> None:
    visit.goto(PAGES[name])
    links = visit.page.locator("a[href$='.ipynb'], a[href$='.zip']")
    hrefs = [link.evaluate("a => a.href") for link in links.all()]
    if stem(name) in CHAPTERS:
        assert any(href.endswith(".ipynb") for href in hrefs), "chapters offer a notebook"
    if stem(name) == "index":
        assert any(href.endswith(".zip") for href in hrefs), "the home page offers the zip"
    for href in hrefs:
        assert href.startswith(visit.base), f"{href} is not on this site"
        response = visit.page.request.get(href)
        assert response.ok, f"{href}: HTTP {response.status}"
        if href.endswith(".ipynb"):
            _check_notebook(response.text())
        else:
            with zipfile.ZipFile(io.BytesIO(response.body())) as archive:
                assert archive.testzip() is None
                notebooks = [n for n in archive.namelist() if n.endswith(".ipynb")]
                assert notebooks, archive.namelist()
                for notebook in notebooks:
                    _check_notebook(archive.read(notebook).decode("utf-8"))
    assert_clean(visit)


def _check_notebook(text: str) -> None:
    notebook = nbformat.reads(text, as_version=4)
    nbformat.validate(notebook)
    assert json.loads(text)["nbformat"] == 4
    assert any(cell.cell_type == "code" for cell in notebook.cells)


@pytest.mark.parametrize("language", EDITIONS)
def test_instant_navigation_keeps_figures_and_math_working(visit: Visit, language: str) -> None:
    page = visit.page
    edition = EDITIONS[language]
    visit.goto(edition)
    page.evaluate("window.stillTheSamePage = true")  # gone if the browser reloads
    steps = [
        ("nav a.md-nav__link[href$='02-queries-keys-values/']", "02-queries-keys-values"),
        ("a.md-footer__link--next", "03-visualizing-attention"),
        ("a.md-footer__link--next", "04-exercises"),
    ]
    for selector, name in steps:
        page.locator(selector).first.click()
        page.wait_for_url(f"**/{PAGES[edition + name]}")
        page.wait_for_function(
            "expected => document.querySelector('article h1')?.textContent.includes(expected)",
            arg=_title(edition + name),
        )
        assert page.evaluate("window.stillTheSamePage === true"), "instant navigation reloaded"
        assert check_heatmaps(visit) > 0
        assert check_math(visit) > 0
    page.go_back()
    page.wait_for_url(f"**/{PAGES[edition + '03-visualizing-attention']}")
    page.wait_for_function(
        "expected => document.querySelector('article h1')?.textContent.includes(expected)",
        arg=_title(edition + "03-visualizing-attention"),
    )
    assert check_heatmaps(visit) > 0
    assert page.evaluate("window.stillTheSamePage === true")
    assert_clean(visit)


@pytest.mark.parametrize(("start", "target"), [("zh", "en"), ("en", "zh")])
def test_the_language_selector_leads_to_the_same_page_in_the_other_edition(
    visit: Visit, start: str, target: str
) -> None:
    """Also after instant navigation, and as a full load of the other edition."""
    page = visit.page
    here, there = EDITIONS[start], EDITIONS[target]
    visit.goto(here + "01-attention-cues/")
    page.evaluate("window.stillTheSamePage = true")
    page.locator("a.md-footer__link--next").click()  # instant navigation to chapter 2
    page.wait_for_url(f"**/{PAGES[here + '02-queries-keys-values']}")
    page.wait_for_function(
        "expected => document.querySelector('article h1')?.textContent.includes(expected)",
        arg=_title(here + "02-queries-keys-values"),
    )
    assert page.evaluate("window.stillTheSamePage === true")
    page.locator(".md-header__option .md-select").hover()
    page.locator(f"a.md-select__link[hreflang='{target}']").click()
    page.wait_for_url(f"**/attnbook/{PAGES[there + '02-queries-keys-values']}")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == target, "the other edition's page"
    assert page.evaluate("window.stillTheSamePage === undefined"), "a full page load"
    title = page.locator("article h1").text_content() or ""
    assert _title(there + "02-queries-keys-values") in title
    selector = page.locator(f"a.md-select__link[hreflang='{start}']")
    back = selector.evaluate("a => new URL(a.href).pathname")
    assert back == f"/attnbook/{PAGES[here + '02-queries-keys-values']}", "and back again"
    assert_clean(visit)


def _title(name: str) -> str:
    source = source_of(name).read_text(encoding="utf-8")
    match = re.search(r"^# (.+)$", source, re.MULTILINE)
    assert match
    return match[1].strip()
