"""Benchmark: the interactive attention view on a 12 × 12 × 128 grid, in Chromium.

Not a test: nothing here is timed under pytest. Run it from the repository root::

    .venv/bin/python tests/benchmarks/bench_views.py

It writes ``tests/benchmarks/report-views.md`` and ``report-views.json`` (git-ignored).

What is measured, in Chromium driven by Playwright (``/usr/bin/chromium`` or
``CHROME_PATH``), on a page holding one ``attention_view`` of 12 layers × 12 heads × 128
queries × 128 keys (made-up, softmax-normalised weights, seeded) with the script inlined,
as Jupyter shows it, opened from a file:

- **Time to interactive**: from navigation start to the end of the first frame that
  shows the view whole: its weights decoded, its 144 thumbnails painted (each at about
  the size it is shown, see ``data-thumbnail``) and its handlers bound. The script
  stamps ``performance.now()`` on the view (``data-attnbook-ready``) once its DOM is
  built; the page then waits for the next animation frame and a task after it, so the
  style, layout and paint of that frame are counted too. Target: 200 ms. Also reported:
  the stamp itself, and the time from the HTML parsed (``domInteractive``), which
  leaves out parsing the page's HTML (about 0.8 MB, nearly all of it the weights).
- **Hover latency**: with one head open at full size, the time from a ``pointermove`` on
  the head to the readout and highlight updated and laid out (handler, style and layout,
  forced with ``getBoundingClientRect``), over 500 moves to random cells; and the same on
  a chapter-size heatmap SVG. Target: one frame, 16 ms.
- The page's weight: the view's HTML, of which the weights' data; and the views'
  script gzipped (as ``tests/test_views.py`` measures it), against its 12 KB budget.

Each run is a fresh browser page; the report gives the median and the worst over runs.
For comparison: BertViz's README says, in its Limitations, that its visualizations work
best with shorter inputs such as a single sentence and may run slowly on very long
ones, the model view especially.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from attnbook import attention_view, show_heatmaps, views_script  # noqa: E402

CHROMIUM = Path(os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
REPORT = ROOT / "tests" / "benchmarks" / "report-views"
TARGET_READY_MS = 200.0
TARGET_HOVER_MS = 16.0
BUDGET_SCRIPT_GZIP = 12 * 1024
SHAPE = (12, 12, 128, 128)

# Before the page's own scripts: once the view stamps itself ready, the end of the next
# frame (its animation-frame callbacks, then style, layout and paint, then a task).
FRAME_AFTER_READY = """(() => {
    new MutationObserver((_, observer) => {
        const view = document.querySelector(".attnbook-view");
        const ready = view && view.dataset.attnbookReady;
        if (!ready || ready === "loading") return;
        observer.disconnect();
        requestAnimationFrame(() => {
            const channel = new MessageChannel();
            channel.port1.onmessage = () => { window.attnbookFrameAfterReady = performance.now(); };
            channel.port2.postMessage(null);
        });
    }).observe(document, {
        subtree: true, attributes: true, attributeFilter: ["data-attnbook-ready"],
    });
})()"""

HOVER_SCRIPT = """([selector, n]) => {
    const target = document.querySelector(selector);
    const box = target.getBoundingClientRect();
    const times = [];
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < n; i++) {
        const x = box.left + random() * box.width, y = box.top + random() * box.height;
        const event = new PointerEvent("pointermove", {clientX: x, clientY: y, bubbles: true});
        const hit = document.elementFromPoint(x, y) || target;
        const start = performance.now();
        hit.dispatchEvent(event);
        document.body.getBoundingClientRect();  // style and layout of what changed
        times.push(performance.now() - start);
    }
    return times;
}"""


def model_weights(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    scores = rng.standard_normal(SHAPE) * 2.5
    scores -= scores.max(-1, keepdims=True)
    weights = np.exp(scores)
    return weights / weights.sum(-1, keepdims=True)


def page_html(body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>attnbook views benchmark</title></head><body>{body}</body></html>"
    )


def measure(runs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    view = attention_view(model_weights(), [f"t{i}" for i in range(SHAPE[2])])
    view_html = view.to_html()
    data_bytes = len(view.to_html(script=False))
    heatmap = show_heatmaps(model_weights()[0, :3, :10, :10], "Keys", "Queries")
    heatmap_html = heatmap._repr_html_()
    results: dict[str, Any] = {
        "shape": SHAPE,
        "view_html_bytes": len(view_html.encode()),
        "view_data_bytes": data_bytes,
        "raw_levels_bytes": int(np.prod(SHAPE)),
        "script_gzip_bytes": len(gzip.compress(views_script().encode(), 9)),
        "thumbnail": "",
        "interactive_ms": [],
        "ready_ms": [],
        "interactive_after_parse_ms": [],
        "hover_ms": [],
        "heatmap_hover_ms": [],
    }
    with tempfile.TemporaryDirectory() as directory:
        view_page = Path(directory) / "view.html"
        view_page.write_text(page_html(view_html), encoding="utf-8")
        heatmap_page = Path(directory) / "heatmap.html"
        heatmap_page.write_text(page_html(heatmap_html), encoding="utf-8")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
            )
            for _ in range(runs):
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.add_init_script(FRAME_AFTER_READY)
                page.goto(view_page.as_uri())
                page.wait_for_function("() => window.attnbookFrameAfterReady")
                ready = float(page.get_attribute(".attnbook-view", "data-attnbook-ready") or "nan")
                painted, parsed = page.evaluate(
                    "[window.attnbookFrameAfterReady, "
                    "performance.getEntriesByType('navigation')[0].domInteractive]"
                )
                results["thumbnail"] = page.get_attribute(".attnbook-view", "data-thumbnail")
                results["interactive_ms"].append(painted)
                results["ready_ms"].append(ready)
                results["interactive_after_parse_ms"].append(painted - parsed)
                page.locator(".ab-thumb").nth(77).click()
                results["hover_ms"].extend(page.evaluate(HOVER_SCRIPT, [".ab-map canvas", 500]))
                page.close()
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(heatmap_page.as_uri())
                page.wait_for_selector("svg[data-attnbook]")
                results["heatmap_hover_ms"].extend(
                    page.evaluate(HOVER_SCRIPT, ["svg[data-attnbook]", 500])
                )
                page.close()
            browser.close()
    return results


def summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
        "max": ordered[-1],
    }


def report(results: dict[str, Any]) -> str:
    interactive, ready = summary(results["interactive_ms"]), summary(results["ready_ms"])
    after = summary(results["interactive_after_parse_ms"])
    hover, svg_hover = summary(results["hover_ms"]), summary(results["heatmap_hover_ms"])
    verdict = {True: "met", False: "NOT met"}
    lines = [
        "# The interactive attention view: time to interactive and hover latency",
        "",
        f"Chromium (Playwright), {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores; "
        f"{len(results['ready_ms'])} page loads. Grid {' × '.join(map(str, SHAPE))} "
        f"(layers × heads × queries × keys); thumbnails painted at {results['thumbnail']} "
        "pixels each.",
        "",
        "| measure | median | p95 | worst | target | |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| interactive and painted, from navigation start | {interactive['median']:.0f} ms "
        f"| {interactive['p95']:.0f} ms | {interactive['max']:.0f} ms "
        f"| {TARGET_READY_MS:.0f} ms | {verdict[interactive['median'] <= TARGET_READY_MS]} |",
        f"| (the view's ready stamp, before that frame) | {ready['median']:.0f} ms "
        f"| {ready['p95']:.0f} ms | {ready['max']:.0f} ms | | |",
        f"| interactive and painted, from the HTML parsed | {after['median']:.0f} ms "
        f"| {after['p95']:.0f} ms | {after['max']:.0f} ms | | |",
        f"| hover a full-size head (128 × 128) | {hover['median']:.2f} ms | {hover['p95']:.2f} ms "
        f"| {hover['max']:.2f} ms | {TARGET_HOVER_MS:.0f} ms "
        f"| {verdict[hover['p95'] <= TARGET_HOVER_MS]} |",
        f"| hover a chapter heatmap SVG (3 × 10 × 10) | {svg_hover['median']:.2f} ms "
        f"| {svg_hover['p95']:.2f} ms | {svg_hover['max']:.2f} ms | {TARGET_HOVER_MS:.0f} ms "
        f"| {verdict[svg_hover['p95'] <= TARGET_HOVER_MS]} |",
        "",
        f"Weight: the view's HTML is {results['view_html_bytes'] / 1e6:.2f} MB with the script, "
        f"{results['view_data_bytes'] / 1e6:.2f} MB of it the data (raw levels: "
        f"{results['raw_levels_bytes'] / 1e6:.2f} MB, one byte a weight before deflate and "
        "base64). Made-up weights with little structure compress worse than a trained "
        "model's peaked heads. The views' script is "
        f"{results['script_gzip_bytes'] / 1024:.1f} KB gzipped (budget "
        f"{BUDGET_SCRIPT_GZIP / 1024:.0f} KB: "
        f"{verdict[results['script_gzip_bytes'] <= BUDGET_SCRIPT_GZIP]}).",
        "",
        "Hover latency is the pointer event's handler plus the style and layout it causes, "
        "measured in the page; painting follows in the same frame.",
        "",
        "For comparison, BertViz's README (Limitations): its visualizations work best with "
        "shorter inputs such as a single sentence, and may run slowly on very long ones, the "
        "model view especially.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="page loads (default 5)")
    arguments = parser.parse_args()
    results = measure(arguments.runs)
    REPORT.with_suffix(".json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    text = report(results)
    REPORT.with_suffix(".md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
