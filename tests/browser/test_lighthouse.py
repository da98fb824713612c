"""Lighthouse on every page, in the light and the dark palette.

Lighthouse runs with its default mobile preset (a mid-range phone on a slow 4G network,
simulated), one page at a time, against the site served as GitHub Pages serves it: text
gzip-compressed (``tests/browser/conftest.py``; every run checks that the page arrived
compressed). All four categories are asserted in both palettes: accessibility, best
practices and SEO must score 100, and performance at least 95.

Performance is the one score that depends on the machine. Lighthouse simulates the phone
from the CPU time the page took here, multiplied by 4, so on a shared 2-core machine
another process's work shows up as the page's. That noise only ever slows a run down; a
page below 95 is therefore measured again, up to three runs in all, and its fastest run
counts: the closest this machine comes to what the page itself costs. Every run's score,
and the ``benchmarkIndex`` Lighthouse measured the machine at, go into
``tests/artifacts/lighthouse/report.md`` (and ``report.json``). The dark palette is what a
reader whose system prefers dark gets: Chromium's ``--force-dark-mode`` makes
``prefers-color-scheme: dark`` match, and mkdocs-material follows it.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import os
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.browser_support import ARTIFACTS, CHROMIUM, CHROMIUM_FLAGS, PAGES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ASSERTED = ("accessibility", "best-practices", "seo")  # 100, in every run
CATEGORIES = ("performance", *ASSERTED)
PERFORMANCE = 0.95  # the fastest of up to RUNS runs
RUNS = 3
Report = dict[str, Any]  # a Lighthouse report, as read from its JSON
SCHEMES = {"light": [], "dark": ["--force-dark-mode"]}
REPORTS = ARTIFACTS / "lighthouse"


@pytest.fixture(scope="module")
def scores() -> Iterator[dict[str, dict[str, Any]]]:
    """Collects every run's scores and writes the benchmark report at the end."""
    scores: dict[str, dict[str, Any]] = {}
    yield scores
    if not scores:
        return
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "report.json").write_text(
        json.dumps(scores, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    lines = [
        "# Lighthouse scores (mobile preset, pages served gzip-compressed)",
        "",
        f"Asserted by tests/browser/test_lighthouse.py: performance at least "
        f"{PERFORMANCE * 100:.0f} (the fastest of up to {RUNS} runs), accessibility, best "
        "practices and SEO 100. The runs column lists every run's performance, and the "
        "machine's benchmarkIndex (CPU power, as Lighthouse measured it) during each.",
        "",
        "| page | palette | " + " | ".join(CATEGORIES) + " | runs (benchmarkIndex) |",
        "| --- | --- | " + " | ".join("---:" for _ in CATEGORIES) + " | --- |",
    ]
    for run, values in sorted(scores.items()):
        name, scheme = run.rsplit(" ", 1)
        cells = " | ".join(f"{round(values[category] * 100)}" for category in CATEGORIES)
        runs = ", ".join(f"{round(score * 100)} ({index:.0f})" for score, index in values["runs"])
        lines.append(f"| {name} | {scheme} | {cells} | {runs} |")
    (REPORTS / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_lighthouse(lighthouse: Path, url: str, report: Path, flags: list[str]) -> dict[str, Any]:
    result = subprocess.run(
        [
            str(lighthouse),
            url,
            f"--only-categories={','.join(CATEGORIES)}",
            "--output=json",
            f"--output-path={report}",
            "--quiet",
            f"--chrome-flags={' '.join([*CHROMIUM_FLAGS, *flags])}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "CHROME_PATH": str(CHROMIUM)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(report.read_text(encoding="utf-8"))


def failing_audits(report: dict[str, Any], category: str) -> list[str]:
    failures = []
    for reference in report["categories"][category]["auditRefs"]:
        audit = report["audits"][reference["id"]]
        if reference["weight"] and audit["score"] is not None and audit["score"] < 1:
            items = audit.get("details", {}).get("items", [])
            where = [
                (item.get("node") or {}).get("snippet")
                or item.get("description")
                or item.get("url")
                or ""
                for item in items[:3]
            ]
            shown = audit.get("displayValue", "")  # a metric's time, e.g. "2.1 s"
            failures.append(f"{audit['id']}: {audit['title']} {shown} {where}".strip())
    return failures


def screenshot_brightness(report: dict[str, Any]) -> float:
    from PIL import Image, ImageStat

    data = report["audits"]["final-screenshot"]["details"]["data"]
    png = base64.b64decode(data.split(",", 1)[1])
    with Image.open(io.BytesIO(png)) as image:
        return float(ImageStat.Stat(image.convert("L")).mean[0])


def measure(
    lighthouse: Path, url: str, stem: str, flags: list[str], check: Callable[[Report], None]
) -> tuple[Report, list[tuple[float, float]]]:
    """Lighthouse on ``url``, again while performance is under target, at most RUNS times.

    Each run's report must pass ``check``. Returns the fastest run's report (also written to
    ``REPORTS/<stem>.json``) and every run's performance and benchmarkIndex.
    """
    REPORTS.mkdir(parents=True, exist_ok=True)
    path = REPORTS / f"{stem}.json"
    fastest: Report | None = None
    runs: list[tuple[float, float]] = []
    while len(runs) < RUNS:
        report = run_lighthouse(lighthouse, url, path, flags)
        check(report)
        score = report["categories"]["performance"]["score"]
        runs.append((score, report["environment"]["benchmarkIndex"]))
        if fastest is None or score > fastest["categories"]["performance"]["score"]:
            fastest = report
        if score >= PERFORMANCE:
            break
    assert fastest is not None
    path.write_text(json.dumps(fastest), encoding="utf-8")
    return fastest, runs


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", PAGES)
def test_lighthouse_scores(
    lighthouse: Path, server: str, scores: dict[str, dict[str, Any]], name: str, scheme: str
) -> None:
    report, runs = measure(
        lighthouse,
        server + PAGES[name],
        f"{name.replace('/', '-')}-{scheme}",  # en/api/views -> en-api-views-dark
        SCHEMES[scheme],
        lambda report: check_run(report, name, scheme, server),
    )
    values = {category: report["categories"][category]["score"] for category in CATEGORIES}
    scores[f"{name} {scheme}"] = {**values, "runs": runs}
    assert values["performance"] >= PERFORMANCE, slow(report, runs)


def test_a_page_that_keeps_its_reader_waiting_fails(lighthouse: Path, tmp_path: Path) -> None:
    """The performance check can fail: a page whose script blocks for 0.6 s as it loads."""
    (tmp_path / "index.html").write_text(BUSY_PAGE, encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/"
        report, runs = measure(lighthouse, url, "busy-page", [], lambda report: None)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert len(runs) == RUNS, "a slow page is measured again"
    assert report["categories"]["performance"]["score"] < PERFORMANCE, slow(report, runs)
    assert failing_audits(report, "performance"), "and the message says which metric"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


BUSY_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="A page made slow on purpose."><title>Busy</title></head>
<body><h1>Busy</h1><p>This page keeps the main thread busy while it loads.</p>
<script>for (let end = performance.now() + 600; performance.now() < end; );</script>
</body></html>
"""


def slow(report: Report, runs: list[tuple[float, float]]) -> str:
    """Why a page's performance is under target, for an assertion's message."""
    scores = ", ".join(
        f"{round(score * 100)} (benchmarkIndex {index:.0f})" for score, index in runs
    )
    return f"performance {scores}; " + "; ".join(failing_audits(report, "performance"))


def check_run(report: Report, name: str, scheme: str, server: str) -> None:
    """A run of the page as a reader gets it (its palette, compressed, all local) scores 100
    in accessibility, best practices and SEO."""
    assert not report.get("runtimeError"), report.get("runtimeError")
    for category in ASSERTED:
        assert report["categories"][category]["score"] == 1, failing_audits(report, category)
    brightness = screenshot_brightness(report)
    assert (brightness < 100) == (scheme == "dark"), f"{scheme} page has brightness {brightness}"
    requests = report["audits"]["network-requests"]["details"]["items"]
    document = next(r for r in requests if r.get("resourceType") == "Document")
    assert document["transferSize"] < document["resourceSize"] / 2, (
        f"{name} was not served compressed: {document}"
    )
    local = urlsplit(server).netloc
    foreign = [
        r["url"]
        for r in requests
        if not r["url"].startswith("data:") and urlsplit(r["url"]).netloc != local
    ]
    assert not foreign, foreign
