"""The interactive views in Chromium: chapter heatmaps, the attention view, the explorable.

On the built site (both editions) and in a notebook exported to HTML by nbconvert: hover,
touch and arrow keys give the right query, key and weight; a head of the model view
opens and Escape returns; the token view shades by the right weights; the explorable's
maths is attention_pooling's. Screenshots of the views' page at 360 and 1280 px in both
palettes go to ``tests/artifacts/screenshots/views-*.png``.
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from attnbook import attention_pooling
from tests.browser.browser_support import ARTIFACTS, EDITIONS, Visit, full_page_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGE = "03-visualizing-attention/"
WORDS = {
    "zh": {"query": "查询", "key": "键", "weight": "权重", "is": "："},
    "en": {"query": "Query", "key": "Key", "weight": "Weight", "is": ": "},
}
# A hover title: "[panel · ]query, key: weight", e.g. "σ = 0.2 · Queries 3, Keys 5: 0.12".
TITLE = re.compile(r"^(?P<prefix>(?:.* · )?)(?P<query>.+?), (?P<key>.+): (?P<weight>\S+)$")


def expected_readout(cell: Any, language: str) -> str:
    """The readout for a heatmap cell: its hover title, said without the axes' labels."""
    title = cell.locator("title").text_content() or ""
    match = TITLE.match(title)
    assert match, title
    axes = cell.evaluate(
        "cell => [cell.parentNode.dataset.y || '', cell.parentNode.dataset.x || '']"
    )
    ylabel, xlabel = axes
    query = match["query"].removeprefix(ylabel).strip()
    key = match["key"].removeprefix(xlabel).strip()
    w = WORDS[language]
    return (
        f"{match['prefix']}{w['query']}{w['is']}{query} · "
        f"{w['key']}{w['is']}{key} · {w['weight']}{w['is']}{match['weight']}"
    )


# A heatmap's readout: right above the figure, or above the box it scrolls in on the site.
READOUT = """svg => (svg.parentElement.classList.contains("attnbook-figure")
    ? svg.parentElement : svg).previousElementSibling"""


def readout_of(figure: Any) -> str:
    return str(figure.evaluate(f"svg => ({READOUT})(svg).textContent"))


def cell_centre(cell: Any) -> dict[str, float]:
    return cell.evaluate(  # type: ignore[no-any-return]
        """cell => {
            cell.scrollIntoView({block: "center", behavior: "instant"});
            const box = cell.getBoundingClientRect();
            return {x: box.x + box.width / 2, y: box.y + box.height / 2};
        }"""
    )


def spec_of(page: Any, selector: str) -> dict[str, Any]:
    text = page.locator(selector).first.get_attribute("data-spec")
    return json.loads(text or "")  # type: ignore[no-any-return]


def levels_of(spec: dict[str, Any]) -> np.ndarray:
    raw = zlib.decompress(base64.b64decode(spec["levels"]))
    shape = (spec["layers"], spec["heads"], spec["queries"], spec["keys"])
    return np.frombuffer(raw, np.uint8).reshape(shape)


def palette_of(spec: dict[str, Any]) -> np.ndarray:
    return np.frombuffer(base64.b64decode(spec["palette"]), np.uint8).reshape(256, 3)


def wait_ready(page: Any, selector: str = ".attnbook-view") -> None:
    page.wait_for_function(
        f"""() => [...document.querySelectorAll("{selector}")].every(
            el => el.dataset.attnbookReady && el.dataset.attnbookReady !== "loading")"""
    )
    assert page.evaluate(
        f"""() => [...document.querySelectorAll("{selector}")].every(
            el => el.dataset.attnbookReady !== "failed")"""
    )


def assert_clean(visit: Visit) -> None:
    assert not visit.errors, visit.errors
    assert not visit.foreign_requests(), visit.foreign_requests()


# --- chapter heatmaps -------------------------------------------------------------------


@pytest.mark.parametrize("language", EDITIONS)
@pytest.mark.parametrize("page_name", ["02-queries-keys-values/", PAGE, "04-exercises/"])
def test_every_chapter_heatmap_answers_hover_with_a_readout(
    visit: Visit, language: str, page_name: str
) -> None:
    visit.goto(EDITIONS[language] + page_name)
    page = visit.page
    page.evaluate("document.querySelectorAll('article details').forEach(d => d.open = true)")
    heatmaps = page.locator("article svg[role=img]:has(g.cells)")
    assert heatmaps.count() > 0
    for index in range(heatmaps.count()):
        figure = heatmaps.nth(index)
        assert figure.get_attribute("data-attnbook") == "heatmap"
        assert figure.get_attribute("tabindex") == "0"
        live = figure.evaluate(f"svg => ({READOUT})(svg).getAttribute('aria-live')")
        assert live == "polite"
        cells = figure.locator("g.cells > path")
        for cell_index in sorted({0, cells.count() // 2, cells.count() - 1}):
            cell = cells.nth(cell_index)
            centre = cell_centre(cell)
            page.mouse.move(centre["x"], centre["y"])
            assert readout_of(figure) == expected_readout(cell, language)
    assert_clean(visit)


@pytest.mark.parametrize("language", EDITIONS)
def test_arrow_keys_move_the_highlighted_cell(visit: Visit, language: str) -> None:
    visit.goto(EDITIONS[language] + PAGE)
    page = visit.page
    # The three panels side by side (σ = 0.05, 0.2, 1.0): 10 × 10 cells each.
    figure = page.locator("article svg[role=img]:has(g.cells)").nth(1)
    figure.focus()
    assert (figure.get_attribute("data-query"), figure.get_attribute("data-key")) == ("0", "0")
    for key in ["ArrowRight", "ArrowRight", "ArrowDown", "ArrowDown", "ArrowDown", "ArrowLeft"]:
        page.keyboard.press(key)
    assert (figure.get_attribute("data-query"), figure.get_attribute("data-key")) == ("3", "1")
    cell = figure.locator("g.cells").first.locator("path[d='M1 3h1']")
    assert readout_of(figure) == expected_readout(cell, language)
    w = WORDS[language]  # the axis's label is not said twice ("Query: Queries 3")
    assert f"{w['query']}{w['is']}3 · {w['key']}{w['is']}1 · " in readout_of(figure)
    # Right from the last column goes on into the next panel.
    for _ in range(9):
        page.keyboard.press("ArrowRight")
    cell = figure.locator("g.cells").nth(1).locator("path[d='M0 3h1']")
    assert readout_of(figure) == expected_readout(cell, language)
    assert "σ = 0.2" in readout_of(figure)
    # The highlight (row, column and cell) is drawn in the panel of the cell.
    assert figure.evaluate(
        """svg => svg.querySelectorAll(".attnbook-mark").length === 1
            && svg.querySelector(".attnbook-mark").previousElementSibling
               === svg.querySelectorAll("g.cells")[1]"""
    )
    assert_clean(visit)


def test_a_tap_on_a_phone_shows_the_readout(browser: Any, server: str) -> None:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True, locale="en-GB"
    )
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server + "en/02-queries-keys-values/", wait_until="networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the page overflows a 360 px phone: {width} px"
        figure = page.locator("article svg[role=img]:has(g.cells)").first
        for d in ("M1 1h1", "M4 2h1"):
            cell = figure.locator(f"g.cells > path[d='{d}']").first
            centre = cell_centre(cell)
            page.touchscreen.tap(centre["x"], centre["y"])
            expected = expected_readout(cell, "en")
            assert readout_of(figure) == expected
    finally:
        context.close()
    assert not errors, errors


# --- the attention view -----------------------------------------------------------------


@pytest.mark.parametrize("language", EDITIONS)
def test_model_view_opens_a_head_and_escape_returns(visit: Visit, language: str) -> None:
    visit.goto(EDITIONS[language] + PAGE)
    page = visit.page
    wait_ready(page)
    spec = spec_of(page, ".attnbook-view")
    levels = levels_of(spec)
    step = (spec["high"] - spec["low"]) / 255
    view = page.locator(".attnbook-view")
    thumbs = view.locator(".ab-thumb")
    assert thumbs.count() == spec["layers"] * spec["heads"] == 8
    thumbs.nth(6).click()  # layer 2, head 3
    assert view.get_attribute("data-open") == "1 2"
    assert view.locator(".ab-grid").is_hidden() and view.locator(".ab-detail").is_visible()
    big = view.locator(".ab-map canvas")
    assert big.evaluate("c => document.activeElement === c")
    box = big.bounding_box()
    assert box is not None
    q, k = 2, 5
    page.mouse.move(
        box["x"] + (k + 0.5) * box["width"] / spec["keys"],
        box["y"] + (q + 0.5) * box["height"] / spec["queries"],
    )
    assert (view.get_attribute("data-query"), view.get_attribute("data-key")) == ("2", "5")
    readout = view.locator(".ab-body > .attnbook-readout").text_content() or ""
    w = WORDS[language]
    assert f"{w['query']}{w['is']}{spec['query_tokens'][q]} · " in readout
    assert f"{w['key']}{w['is']}{spec['key_tokens'][k]} · " in readout
    shown = float(readout.rpartition(w["is"])[2])
    assert shown == pytest.approx(spec["low"] + step * levels[1, 2, q, k], rel=5e-3, abs=1e-12)
    # Arrow keys move the cell too.
    page.keyboard.press("ArrowUp")
    assert (view.get_attribute("data-query"), view.get_attribute("data-key")) == ("1", "5")
    # The pixels of the head are its levels' colours.
    pixel = big.evaluate(
        """(c, [q, k]) => [...c.getContext("2d").getImageData(k, q, 1, 1).data.slice(0, 3)]""",
        [q, k],
    )
    assert pixel == palette_of(spec)[levels[1, 2, q, k]].tolist()
    page.keyboard.press("Escape")
    assert view.get_attribute("data-open") is None
    assert view.locator(".ab-grid").is_visible() and view.locator(".ab-detail").is_hidden()
    assert thumbs.nth(6).evaluate("b => document.activeElement === b")
    # The back button returns too.
    thumbs.nth(0).click()
    view.locator(".ab-back").click()
    assert view.get_attribute("data-open") is None
    assert_clean(visit)


@pytest.mark.parametrize("language", EDITIONS)
def test_token_view_shades_by_the_weights(visit: Visit, language: str) -> None:
    visit.goto(EDITIONS[language] + PAGE)
    page = visit.page
    wait_ready(page)
    spec = spec_of(page, ".attnbook-view")
    levels, palette = levels_of(spec), palette_of(spec)
    step = (spec["high"] - spec["low"]) / 255
    view = page.locator(".attnbook-view")
    selects = view.locator(".ab-controls select")
    selects.nth(0).select_option("1")
    selects.nth(1).select_option("3")
    tokens = view.locator(".ab-sentence span")
    for q in (0, 3):
        tokens.nth(q).hover()
        shades = tokens.evaluate_all(
            "spans => spans.map(s => [getComputedStyle(s).backgroundColor, +s.dataset.weight])"
        )
        for k, (colour, weight) in enumerate(shades):
            level = levels[1, 3, q, k]
            assert colour == "rgb({}, {}, {})".format(*palette[level]), (q, k)
            assert weight == pytest.approx(spec["low"] + step * level, abs=1e-12)
        strongest = spec["key_tokens"][int(np.argmax(levels[1, 3, q]))]
        readout = view.locator(".ab-tokens .attnbook-readout").text_content() or ""
        assert f" {strongest} (" in readout
    # Opening a head in the model view chooses it for the token view.
    view.locator(".ab-thumb").nth(1).click()
    assert (selects.nth(0).input_value(), selects.nth(1).input_value()) == ("0", "1")
    assert_clean(visit)


# --- the explorable ---------------------------------------------------------------------


def python_pooling(keys: list[float], values: list[float], query: float, width: float) -> Any:
    output, weights = attention_pooling(
        [[query]], [[k] for k in keys], [[v] for v in values], "gaussian", bandwidth=width
    )
    return output[0, 0], weights[0]


@pytest.mark.parametrize("language", EDITIONS)
def test_explorable_computes_what_attention_pooling_computes(visit: Visit, language: str) -> None:
    visit.goto(EDITIONS[language] + PAGE)
    page = visit.page
    wait_ready(page, ".attnbook-pooling")
    spec = spec_of(page, ".attnbook-pooling")
    keys, values = spec["keys"], spec["values"]
    rng = np.random.default_rng(0)
    queries, widths = rng.uniform(-0.5, 1.5, 60), np.geomspace(0.005, 50, 60)
    settings = [(float(q), float(s)) for q, s in zip(queries, widths, strict=True)]
    settings += [(0.0, 0.02), (1.0, 5.0), (0.3, 1e-3), (keys[3], 0.05)]
    results = page.evaluate(
        """([keys, values, settings]) => settings.map(([q, s]) =>
            window.attnbookViews.gaussianPooling(keys, values, q, s))""",
        [keys, values, settings],
    )
    for (query, width), result in zip(settings, results, strict=True):
        output, weights = python_pooling(keys, values, query, width)
        assert abs(result["output"] - output) <= 1e-9, (query, width)
        assert np.abs(np.array(result["weights"]) - weights).max() <= 1e-9, (query, width)
    # Through the sliders, as a reader moves them.
    root = page.locator(".attnbook-pooling")
    sliders = root.locator("input[type=range]")
    for query_value, width_value in [("0.2", "0"), ("0.75", "500"), ("1", "1000")]:
        sliders.nth(0).fill(query_value)
        sliders.nth(1).fill(width_value)
        query = float(root.get_attribute("data-query") or "nan")
        width = float(root.get_attribute("data-bandwidth") or "nan")
        assert query == float(query_value)
        output, weights = python_pooling(keys, values, query, width)
        assert abs(float(root.get_attribute("data-output") or "nan") - output) <= 1e-9
        shown = json.loads(root.get_attribute("data-weights") or "[]")
        assert np.abs(np.array(shown) - weights).max() <= 1e-9
    # The widest kernel: the output is (almost) average pooling's.
    assert width == pytest.approx(5.0)
    assert float(root.get_attribute("data-output") or "nan") == pytest.approx(
        np.mean(values), abs=0.02
    )
    assert_clean(visit)


@pytest.mark.parametrize("language", EDITIONS)
def test_the_query_line_passes_behind_the_average_label(visit: Visit, language: str) -> None:
    """Moved across the average's label, the query line does not strike its text through."""
    visit.goto(EDITIONS[language] + PAGE)
    page = visit.page
    wait_ready(page, ".attnbook-pooling")
    query = page.locator(".attnbook-pooling input[type=range]").nth(0)
    ends = []
    for end in ("min", "max"):
        query.fill(query.get_attribute(end) or "")
        line_x = page.evaluate(
            """() => +document.querySelector(".attnbook-pooling svg line[stroke='#cb181d']")
                .getAttribute("x1")"""
        )
        ends.append((float(query.get_attribute(end) or "nan"), line_x))
    (q0, x0), (q1, x1) = ends
    label = page.evaluate(
        """() => { const b = document.querySelector(".attnbook-pooling svg text.ab-average")
            .getBBox(); return b.x + b.width / 2; }"""
    )
    query.fill(str(q0 + (label - x0) / (x1 - x0) * (q1 - q0)))
    drawn = page.evaluate(
        """() => { const svg = document.querySelector(".attnbook-pooling svg");
            const line = svg.querySelector("line[stroke='#cb181d']");
            const text = svg.querySelector("text.ab-average");
            const lb = line.getBBox(), tb = text.getBBox(), style = getComputedStyle(text);
            const after = line.compareDocumentPosition(text) & Node.DOCUMENT_POSITION_FOLLOWING;
            return { crosses: lb.x >= tb.x && lb.x <= tb.x + tb.width, onTop: !!after,
                halo: style.paintOrder.startsWith("stroke") && parseFloat(style.strokeWidth) >= 2 };
        }"""
    )
    assert drawn == {"crosses": True, "onTop": True, "halo": True}
    assert_clean(visit)


# --- phone, palettes and instant navigation ------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("language", EDITIONS)
def test_views_fit_and_are_screenshotted(
    browser: Any, server: str, scheme: str, width: int, language: str
) -> None:
    context = browser.new_context(
        color_scheme=scheme, viewport={"width": width, "height": 900}, has_touch=width == 360
    )
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(server + EDITIONS[language] + PAGE, wait_until="networkidle")
        wait_ready(page)
        wait_ready(page, ".attnbook-pooling")
        # The views fit the page and hold nothing wider than themselves.
        for selector in (".attnbook-view", ".attnbook-pooling"):
            box = page.locator(selector).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5
            inner = page.locator(selector).evaluate("el => [el.scrollWidth, el.clientWidth]")
            assert inner[0] <= inner[1], f"{selector} overflows itself: {inner}"
        # Text in the views takes the page's colour, so it is legible in both palettes.
        colours = page.evaluate(
            """() => [getComputedStyle(document.querySelector(".ab-name")).color,
                      getComputedStyle(document.querySelector("article")).color]"""
        )
        assert colours[0] == colours[1]
        directory = ARTIFACTS / "screenshots"
        directory.mkdir(parents=True, exist_ok=True)
        name = f"views-{language}-{width}-{scheme}"
        page.locator(".attnbook-view").scroll_into_view_if_needed()
        full_page_screenshot(page, directory / f"{name}.png")
        page.locator(".ab-thumb").nth(5).click()
        page.locator(".attnbook-view").screenshot(path=str(directory / f"{name}-head.png"))
    finally:
        context.close()
    assert not errors, errors


def test_views_come_alive_after_instant_navigation(visit: Visit) -> None:
    visit.goto("en/02-queries-keys-values/")
    page = visit.page
    page.locator("a.md-footer__link--next").click()
    page.wait_for_url(re.compile(PAGE + "$"))
    wait_ready(page)
    wait_ready(page, ".attnbook-pooling")
    assert page.locator("svg[data-attnbook=heatmap]").count() >= 3
    assert page.evaluate("document.querySelectorAll('#attnbook-views-style').length") == 1
    # One copy of the script on the page, however many figures it holds.
    assert page.locator("script[src*='views.js']").count() == 1
    assert_clean(visit)


# --- the same views exported from a notebook ---------------------------------------------


NOTEBOOK_CELLS = [
    "import numpy as np\nfrom attnbook import attention_view, pooling_explorable, show_heatmaps",
    "show_heatmaps(np.eye(4), 'Keys', 'Queries')",
    "weights = np.random.default_rng(0).dirichlet(np.ones(5), size=(2, 3, 5))\n"
    "attention_view(weights, ['I', 'read', 'a', 'new', 'book'])",
    "pooling_explorable(np.linspace(0, 1, 6), np.linspace(0, 1, 6) ** 2, bandwidth=0.1)",
]


@pytest.fixture(scope="module")
def exported_notebook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import nbformat
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in NOTEBOOK_CELLS]
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    html, _ = HTMLExporter().from_notebook_node(notebook)
    path = tmp_path_factory.mktemp("notebook") / "views.html"
    path.write_text(html, encoding="utf-8")
    return path


def test_notebook_export_behaves_the_same(browser: Any, exported_notebook: Path) -> None:
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        context.on("request", lambda request: requests.append(request.url))
        page.goto(exported_notebook.as_uri())
        wait_ready(page)
        wait_ready(page, ".attnbook-pooling")
        # The script came once with each output and ran harmlessly again.
        inlined = page.evaluate(
            """[...document.scripts].filter(s => s.src.startsWith("data:text/javascript")).length"""
        )
        assert inlined == 3
        figure = page.locator("svg[data-attnbook=heatmap]")
        assert figure.count() == 1
        cell = figure.locator("path[d='M2 1h1']")
        centre = cell_centre(cell)
        page.mouse.move(centre["x"], centre["y"])
        assert readout_of(figure) == "Query: 1 · Key: 2 · Weight: 0"
        figure.focus()
        page.keyboard.press("ArrowDown")
        assert readout_of(figure) == "Query: 2 · Key: 2 · Weight: 1"
        view = page.locator(".attnbook-view")
        view.locator(".ab-thumb").nth(4).click()
        assert view.get_attribute("data-open") == "1 1"
        page.keyboard.press("Escape")
        assert view.get_attribute("data-open") is None
        view.locator(".ab-sentence span").nth(1).hover()
        spec = spec_of(page, ".attnbook-view")
        levels = levels_of(spec)
        shades = view.locator(".ab-sentence span").evaluate_all(
            "spans => spans.map(s => +s.dataset.weight)"
        )
        step = (spec["high"] - spec["low"]) / 255
        # Opening layer 2, head 2 chose it for the token view too.
        assert shades == pytest.approx((spec["low"] + step * levels[1, 1, 1]).tolist(), abs=1e-12)
        result = page.evaluate("window.attnbookViews.gaussianPooling([0, 1], [0, 1], 0.5, 1)")
        assert result["output"] == pytest.approx(0.5, abs=1e-12)
    finally:
        context.close()
    assert not errors, errors
    foreign = [url for url in requests if not url.startswith(("file:", "data:", "blob:"))]
    # nbconvert's template may link its own CDN assets (require.js, MathJax); the views
    # themselves load nothing.
    assert not [url for url in foreign if "attnbook" in url], foreign
