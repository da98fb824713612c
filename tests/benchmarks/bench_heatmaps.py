"""Benchmark: attnbook's heatmaps against the straightforward way.

Not a test: nothing here is timed under pytest. Run it from the repository root with the
project's virtual environment (see README.md beside this file)::

    .venv/bin/python tests/benchmarks/bench_heatmaps.py

It writes ``tests/benchmarks/report.md`` and ``report.json`` (both git-ignored). Every
case runs in its own Python process, so peak memory is that process's peak resident set
size, and the cases of one grid run side by side in rounds (baseline, attnbook, floor,
in turn): a ratio is computed within each round and the report gives the median over
rounds, which keeps a shared, noisy machine from favouring either side.

What is measured:

- **Baseline**: ``baseline_heatmaps`` (in ``tests/support.py``, which the tests share),
  the straightforward algorithm (one axes per
  panel, ``imshow`` each, one colorbar, as d2l does, with one shared colour scale so
  that it means what attnbook's figure means), saved with ``Figure.savefig``.
- **attnbook**: ``show_heatmaps`` then ``to_svg`` or ``to_png``.
- **Floor**: colour-map the same values with the colormap and encode them as one PNG
  with numpy and Pillow (defaults): the least work any renderer must do.

The site's build and ``mkdocs serve`` are measured by ``bench_site.py`` beside this file.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from tests.support import LABELS, baseline_heatmaps, d2l_figsize  # noqa: E402

#: The issue's grids: (layers, heads, queries, keys).
GRIDS = [(1, 1, 10, 10), (2, 3, 10, 10), (12, 12, 64, 64), (32, 32, 128, 128)]
#: More grids, attnbook only, to show how the cost grows with the number of cells.
SCALING = [(4, 4, 32, 32), (8, 8, 64, 64), (16, 16, 64, 64), (16, 16, 128, 128), (24, 24, 128, 128)]
BASELINE_TIMEOUT = 240  # seconds; the baseline needs far longer for 32 × 32 panels


# --- the three ways to draw ------------------------------------------------------------


def _titles(weights: np.ndarray) -> list[str]:
    return [f"Head {j + 1}" for j in range(weights.shape[1])]


def _baseline(weights: np.ndarray, output: str) -> tuple[float, float, bytes]:
    start = time.perf_counter()
    fig = baseline_heatmaps(weights)
    drawn = time.perf_counter()
    buffer = io.BytesIO()
    fig.savefig(buffer, format=output, **({"dpi": 100} if output == "png" else {}))
    return drawn - start, time.perf_counter() - drawn, buffer.getvalue()


def _attnbook(weights: np.ndarray, output: str) -> tuple[float, float, bytes]:
    from attnbook import show_heatmaps, to_png, to_svg

    start = time.perf_counter()
    figsize = d2l_figsize(weights.shape)  # called as a d2l reader calls it
    fig = show_heatmaps(weights, titles=_titles(weights), figsize=figsize, **LABELS)
    drawn = time.perf_counter()
    data = to_svg(fig).encode() if output == "svg" else to_png(fig)
    return drawn - start, time.perf_counter() - drawn, data


def _floor(weights: np.ndarray, output: str) -> tuple[float, float, bytes]:
    """Colour-map the values and encode them as one indexed PNG: the least work."""
    from matplotlib import colormaps
    from PIL import Image

    colormap = colormaps["Reds"]
    start = time.perf_counter()
    low, high = weights.min(), weights.max()
    scaled = (weights - low) * (colormap.N / (high - low))
    indices = np.minimum(scaled, colormap.N - 1).astype(np.uint8)
    n_rows, n_cols, n_queries, n_keys = weights.shape
    tiled = np.ascontiguousarray(indices.transpose(0, 2, 1, 3)).reshape(
        n_rows * n_queries, n_cols * n_keys
    )
    image = Image.fromarray(tiled)
    image.putpalette((colormap(np.arange(colormap.N))[:, :3] * 255).astype(np.uint8).tobytes())
    buffer = io.BytesIO()
    image.save(buffer, format="png")
    return 0.0, time.perf_counter() - start, buffer.getvalue()


IMPLEMENTATIONS = {"baseline": _baseline, "attnbook": _attnbook, "floor": _floor}


# --- data ------------------------------------------------------------------------------


def attention_weights(shape: tuple[int, int, int, int], seed: int = 0) -> np.ndarray:
    """Weights of a made-up multi-head self-attention, like a real model's model view.

    Random token embeddings plus sinusoidal positions; each head scores them with its
    own random query and key projections (scaled dot product, softmax); each layer adds
    noise to the embeddings. Mostly light cells with a few strongly attended keys.
    """
    n_layers, n_heads, n_queries, n_keys = shape
    assert n_queries == n_keys, "self-attention"
    rng = np.random.default_rng(seed)
    d = 64
    angles = np.arange(n_keys)[:, None] / 10000 ** (np.arange(0, d, 2)[None, :] / d)
    x = rng.normal(size=(n_keys, d)) * 0.5 + np.concatenate([np.sin(angles), np.cos(angles)], 1)
    weights = np.empty(shape)
    for layer in range(n_layers):
        projections = rng.normal(size=(2, n_heads, d, d)) / np.sqrt(d)
        sharpness = rng.uniform(2, 12, size=(n_heads, 1, 1))
        scores = (x @ projections[0]) @ (x @ projections[1]).transpose(0, 2, 1) / np.sqrt(d)
        scores = scores * sharpness
        scores -= scores.max(axis=-1, keepdims=True)
        exp = np.exp(scores)
        weights[layer] = exp / exp.sum(axis=-1, keepdims=True)
        x = x + rng.normal(size=x.shape) * 0.1
    return weights


def uniform_weights(shape: tuple[int, int, int, int], seed: int = 0) -> np.ndarray:
    """Independent uniform values (``torch.rand``, as d2l's exercise): the worst case."""
    return np.random.default_rng(seed).random(shape)


DATA = {"attention": attention_weights, "uniform": uniform_weights}


# --- one case in its own process -------------------------------------------------------


def _rss_mb() -> float:
    """This process's peak resident set size, in MB.

    Linux's VmHWM, which starts afresh when the process starts; ``ru_maxrss`` would also
    count the parent's memory that the process shared between fork and exec.
    """
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one implementation on one grid, ``repeats`` times; report medians."""
    import matplotlib

    matplotlib.use("agg")
    weights = np.load(spec["data"])
    run = IMPLEMENTATIONS[spec["impl"]]
    run(np.full((1, 1, 3, 3), 1 / 3), spec["output"])  # load fonts and first-call caches
    start_rss = _rss_mb()
    figure, export, sizes = [], [], []
    for _ in range(spec["repeats"]):
        drawn, saved, data = run(weights, spec["output"])
        figure.append(drawn)
        export.append(saved)
        sizes.append(len(data))
    return {
        "figure": statistics.median(figure),
        "export": statistics.median(export),
        "total": statistics.median(d + s for d, s in zip(figure, export, strict=True)),
        "bytes": sizes[-1],
        "start_rss_mb": start_rss,
        "peak_rss_mb": _rss_mb(),
    }


def run_case(spec: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
    """Run ``_worker(spec)`` in a fresh Python process."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False, cwd=ROOT
        )
    except subprocess.TimeoutExpired:
        return {"timed_out": timeout}
    if result.returncode != 0:
        raise RuntimeError(f"case {spec} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# --- the grids ---------------------------------------------------------------------------


def _label(shape: tuple[int, ...]) -> str:
    return "×".join(map(str, shape))


def bench_grid(
    shape: tuple[int, int, int, int], data: str, rounds: int, repeats: int, workdir: Path
) -> dict[str, Any]:
    """Measure baseline, attnbook and floor side by side on one grid, ``rounds`` times."""
    path = workdir / f"{data}-{_label(shape)}.npy"
    weights = DATA[data](shape)
    np.save(path, weights)
    entropy = _colour_entropy(weights)
    del weights
    cells = math.prod(shape)
    huge = cells > 10_000_000
    cases = [
        ("baseline", "svg"),
        ("attnbook", "svg"),
        ("baseline", "png"),
        ("attnbook", "png"),
        ("floor", "png"),
    ]
    runs: dict[str, list[dict[str, Any]]] = {f"{impl}-{out}": [] for impl, out in cases}
    baseline_rounds = 1 if huge else rounds  # a single try: it cannot finish in time
    for index in range(rounds):
        order = cases[index % len(cases) :] + cases[: index % len(cases)]
        for impl, output in order:
            if impl == "baseline" and index >= baseline_rounds:
                continue
            spec = {"impl": impl, "output": output, "data": str(path), "repeats": repeats}
            timeout = BASELINE_TIMEOUT if impl == "baseline" else None
            result = run_case(spec, timeout)
            runs[f"{impl}-{output}"].append(result)
            print(f"  {_label(shape)} {data} {impl}-{output}: {_brief(result)}", flush=True)
            if result.get("timed_out") and impl == "baseline":
                # The figure alone takes longer: the other export would time out too.
                other = "png" if output == "svg" else "svg"
                runs[f"baseline-{other}"].append({"timed_out": BASELINE_TIMEOUT, "skipped": True})
                baseline_rounds = 0
    path.unlink()
    return {"shape": shape, "cells": cells, "data": data, "runs": runs, "entropy": entropy}


def _colour_entropy(weights: np.ndarray) -> float:
    """Bits a cell that the cells' colours carry: the order-0 entropy of their indices."""
    from matplotlib import colormaps

    n = colormaps["Reds"].N
    low, high = weights.min(), weights.max()
    indices = np.minimum((weights - low) / (high - low) * n, n - 1).astype(np.intp)
    frequencies = np.bincount(indices.ravel(), minlength=n) / indices.size
    frequencies = frequencies[frequencies > 0]
    return float(-(frequencies * np.log2(frequencies)).sum())


def _brief(result: dict[str, Any]) -> str:
    if result.get("timed_out"):
        return f"did not finish in {result['timed_out']} s"
    return (
        f"figure {result['figure']:.3f} s, export {result['export']:.3f} s, "
        f"{result['bytes'] / 1e3:.0f} kB, peak {result['peak_rss_mb']:.0f} MB"
    )


def bench_scaling(rounds: int, workdir: Path) -> list[dict[str, Any]]:
    """attnbook alone on more grid sizes, to see the cost per cell."""
    results = []
    for shape in SCALING:
        path = workdir / f"scaling-{_label(shape)}.npy"
        np.save(path, attention_weights(shape))
        runs: dict[str, list[dict[str, Any]]] = {"svg": [], "png": [], "floor": []}
        for _ in range(rounds):
            for output in ("svg", "png"):
                spec = {"impl": "attnbook", "output": output, "data": str(path), "repeats": 1}
                runs[output].append(run_case(spec))
            spec = {"impl": "floor", "output": "png", "data": str(path), "repeats": 1}
            runs["floor"].append(run_case(spec))
        path.unlink()
        results.append({"shape": shape, "cells": math.prod(shape), "runs": runs})
        print(f"  scaling {_label(shape)}: png {_brief(runs['png'][-1])}", flush=True)
    return results


# --- the report ------------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def _done(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [run for run in runs if not run.get("timed_out")]


def _grid_summary(grid: dict[str, Any]) -> dict[str, Any]:
    runs = grid["runs"]
    summary: dict[str, Any] = {
        "shape": grid["shape"],
        "cells": grid["cells"],
        "data": grid["data"],
        "entropy": grid["entropy"],
    }
    for name, results in runs.items():
        done = _done(results)
        summary[name] = {
            "rounds": len(results),
            "timed_out": len(results) - len(done),
            "figure": _median([r["figure"] for r in done]),
            "export": _median([r["export"] for r in done]),
            "total": _median([r["total"] for r in done]),
            "bytes": _median([r["bytes"] for r in done]),
            "peak_rss_mb": max((r["peak_rss_mb"] for r in done), default=math.nan),
            "start_rss_mb": _median([r["start_rss_mb"] for r in done]),
        }

    def ratios(numerator: str, denominator: str, key: str) -> float:
        pairs = zip(runs[numerator], runs[denominator], strict=False)
        values = [
            a[key] / b[key]
            for a, b in pairs
            if not a.get("timed_out") and not b.get("timed_out") and b[key] > 0
        ]
        return _median(values)

    for output in ("svg", "png"):
        summary[f"speedup_{output}"] = ratios(f"baseline-{output}", f"attnbook-{output}", "total")
        summary[f"smaller_{output}"] = ratios(f"baseline-{output}", f"attnbook-{output}", "bytes")
        timed_out = [r for r in runs[f"baseline-{output}"] if r.get("timed_out")]
        if timed_out and math.isnan(summary[f"speedup_{output}"]):
            ours = summary[f"attnbook-{output}"]["total"]
            summary[f"speedup_{output}_at_least"] = timed_out[0]["timed_out"] / ours
    summary["over_floor_png"] = ratios("attnbook-png", "floor-png", "total")
    return summary


def _scaling_points(results: dict[str, Any]) -> dict[str, list[tuple[float, float]]]:
    """(cells, seconds) for attnbook to SVG and to PNG, and the floor, by grid size."""
    points: dict[str, list[tuple[float, float]]] = {"svg": [], "png": [], "floor": []}
    for entry in results.get("scaling", []):
        for output in points:
            points[output].append(
                (entry["cells"], _median([r["total"] for r in entry["runs"][output]]))
            )
    for grid in results["grids"]:
        runs = grid["runs"]
        if grid["data"] == "attention" and grid["cells"] > 10_000_000:
            names = {"svg": "attnbook-svg", "png": "attnbook-png", "floor": "floor-png"}
            for output, name in names.items():
                done = _done(runs[name])
                if done:
                    points[output].append((grid["cells"], _median([r["total"] for r in done])))
    return {output: sorted(values) for output, values in points.items() if len(values) >= 3}


def _linear_fit(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Least squares ``time = a + b × cells``: a, b and R²."""
    x = np.array([n for n, _ in points], dtype=float)
    y = np.array([t for _, t in points])
    b, a = np.polyfit(x, y, 1)
    residual = ((y - (a + b * x)) ** 2).sum()
    total = ((y - y.mean()) ** 2).sum()
    return float(a), float(b), float(1 - residual / total) if total else 1.0


def _slope(points: list[tuple[float, float]]) -> float:
    """The slope of log(time) against log(cells): 1 is linear."""
    xs = np.log([x for x, _ in points])
    ys = np.log([y for _, y in points])
    return float(np.polyfit(xs, ys, 1)[0])


def build_report(results: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    grids = [_grid_summary(grid) for grid in results["grids"]]
    by_shape = {(tuple(g["shape"]), g["data"]): g for g in grids}
    targets: list[dict[str, Any]] = []

    def target(name: str, value: str, met: bool | None, note: str = "") -> None:
        targets.append({"target": name, "measured": value, "met": met, "note": note})

    big = by_shape.get(((12, 12, 64, 64), "attention"))
    if big:
        for output in ("svg", "png"):
            speedup = big[f"speedup_{output}"]
            target(
                f"12×12×64×64 values → {output.upper()}: ≥ 20× faster than the baseline",
                f"{speedup:.1f}×",
                speedup >= 20,
            )
        for output in ("svg", "png"):
            smaller = big[f"smaller_{output}"]
            note = ""
            if smaller < 10:
                note = _bytes_note(big, output)
            target(
                f"12×12×64×64 {output.upper()}: ≥ 10× smaller than the baseline's",
                f"{smaller:.1f}× ({big[f'attnbook-{output}']['bytes'] / 1e3:.0f} kB vs "
                f"{big[f'baseline-{output}']['bytes'] / 1e3:.0f} kB)",
                smaller >= 10,
                note,
            )
    huge = by_shape.get(((32, 32, 128, 128), "attention"))
    if huge:
        over = huge["over_floor_png"]
        peak = huge["attnbook-png"]["peak_rss_mb"]
        target(
            "32×32×128×128 values → PNG: within 2× of the floor",
            f"{over:.2f}× ({huge['attnbook-png']['total']:.2f} s vs "
            f"{huge['floor-png']['total']:.2f} s)",
            over <= 2,
        )
        target(
            "32×32×128×128 values → PNG: peak memory within 2 GB",
            f"{peak:.0f} MB (whole process, {huge['attnbook-png']['start_rss_mb']:.0f} MB "
            "before the case: interpreter, libraries and the 134 MB of values)",
            peak <= 2048,
        )
    for shape in ((1, 1, 10, 10), (2, 3, 10, 10)):
        small = by_shape.get((shape, "attention"))
        if small:
            for output in ("svg", "png"):
                speedup = small[f"speedup_{output}"]
                target(
                    f"{_label(shape)} values → {output.upper()}: no slower than the baseline",
                    f"{speedup:.2f}× the baseline's speed",
                    speedup >= 1,
                    _small_note(small, output) if speedup < 1 else "",
                )
    scaling = _scaling_points(results)
    if scaling:
        fits = {output: _linear_fit(points) for output, points in scaling.items()}
        slopes = {output: _slope(points[-3:]) for output, points in scaling.items()}
        cells = [n for n, _ in scaling["png"]]
        target(
            "Cost grows linearly with the number of cells",
            f"log-log slope over the three largest grids {slopes['png']:.2f} to PNG, "
            f"{slopes['svg']:.2f} to SVG (floor {slopes['floor']:.2f}); time ≈ a + b × cells "
            "fits with "
            + ", ".join(
                f"{name}: a {a:.2f} s, b {b * 1e9:.0f} ns a cell, R² {r2:.2f}"
                for name, (a, b, r2) in fits.items()
            )
            + f" over {cells[0]:,}–{cells[-1]:,} cells",
            max(slopes["svg"], slopes["png"]) <= 1.1,
            "a slope of 1 is linear; below 1, the fixed cost a (texts, layout, once a "
            "figure) still weighs; the scatter is the shared machine's",
        )
    report = {"grids": grids, "targets": targets, "raw": results}
    return _markdown(report, results), report


def _bytes_note(grid: dict[str, Any], output: str) -> str:
    cells = grid["cells"]
    ours = grid[f"attnbook-{output}"]["bytes"]
    theirs = grid[f"baseline-{output}"]["bytes"]
    if output == "svg":
        bound = grid["entropy"] * cells / 8 * 4 / 3
        return (
            f"the SVG is lossless: {ours * 8 / cells:.2f} bits a cell, all included; the "
            f"cells' colours alone carry {grid['entropy']:.2f} bits a cell (order-0 entropy "
            f"of their colour indices), {bound / 1e3:.0f} kB once inline SVG's base64 adds "
            f"its third; 10× would mean {theirs / 10e3:.0f} kB, under what the colours "
            "weigh, so no lossless encoding can reach it against this baseline (the "
            "issue's 9.7 MB baseline SVG came from another set-up)"
        )
    return (
        "a PNG of the whole figure is RGB (its labels' anti-aliasing needs more colours "
        "than a 256-colour palette beside the colormap's) and, at 100 dpi, shows each cell "
        "as 3 × 3 pixels, about as many as the baseline's resampled panels: both are "
        "images of about the same size, so compression alone separates them; the indexed, "
        "one-pixel-a-cell raster is what the SVG carries"
    )


def _small_note(grid: dict[str, Any], output: str) -> str:
    ours, theirs = grid[f"attnbook-{output}"], grid[f"baseline-{output}"]
    return (
        f"attnbook {ours['figure'] * 1e3:.0f} + {ours['export'] * 1e3:.0f} ms vs baseline "
        f"{theirs['figure'] * 1e3:.0f} + {theirs['export'] * 1e3:.0f} ms: the export lays "
        "the figure out once more before drawing it, so that the first export equals "
        "every later one, and adds hover texts and compaction"
    )


def _markdown(report: dict[str, Any], results: dict[str, Any]) -> str:
    lines = [
        "# Heatmap benchmark",
        "",
        f"`{results['command']}` · {results['when']} · {results['machine']}",
        "",
        "Times are medians over rounds run side by side; ratios are medians of the "
        'per-round ratios. "values → SVG" is `show_heatmaps` + `to_svg` (baseline: the '
        "figure + `savefig`); peak memory is the case's whole process.",
        "",
        "## Targets",
        "",
        "| target | measured | met |",
        "| --- | --- | --- |",
    ]
    for item in report["targets"]:
        met = {True: "yes", False: "**no**", None: "–"}[item["met"]]
        note = f" — {item['note']}" if item["note"] else ""
        lines.append(f"| {item['target']} | {item['measured']}{note} | {met} |")
    lines += ["", "## Grids", ""]
    lines += [
        "| grid | data | impl | output | figure s | export s | values → output s | "
        "bytes | peak MB |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for grid in report["grids"]:
        for name in ("baseline-svg", "attnbook-svg", "baseline-png", "attnbook-png", "floor-png"):
            entry = grid[name]
            impl, output = name.split("-")
            if entry["rounds"] and entry["timed_out"] == entry["rounds"]:
                row = [f"> {BASELINE_TIMEOUT} s: did not finish", "", "", "", ""]
                lines.append(
                    f"| {_label(grid['shape'])} | {grid['data']} | {impl} | {output} | "
                    + " | ".join(row)
                    + " |"
                )
                continue
            lines.append(
                f"| {_label(grid['shape'])} | {grid['data']} | {impl} | {output} | "
                f"{entry['figure']:.3f} | {entry['export']:.3f} | {entry['total']:.3f} | "
                f"{entry['bytes']:,.0f} | {entry['peak_rss_mb']:.0f} |"
            )
        ratios = [
            f"{label} {grid[key]:.1f}×"
            for key, label in (
                ("speedup_svg", "faster to SVG"),
                ("speedup_png", "faster to PNG"),
                ("smaller_svg", "smaller SVG"),
                ("smaller_png", "smaller PNG"),
                ("over_floor_png", "PNG time over the floor's"),
            )
            if not math.isnan(grid[key])
        ]
        for output in ("svg", "png"):
            at_least = grid.get(f"speedup_{output}_at_least")
            if at_least:
                ratios.append(f"faster to {output.upper()} ≥ {at_least:.0f}×")
        lines.append(f"| | | ratios: {', '.join(ratios)} | | | | | | |")
    scaling = results.get("scaling", [])
    if scaling:
        lines += [
            "",
            "## Cost per cell (attnbook)",
            "",
            "| grid | cells | values → SVG s | values → PNG s | floor s | "
            "µs a cell to PNG | PNG over floor |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for entry in scaling:
            svg = _median([r["total"] for r in entry["runs"]["svg"]])
            png = _median([r["total"] for r in entry["runs"]["png"]])
            floor = _median([r["total"] for r in entry["runs"]["floor"]])
            lines.append(
                f"| {_label(entry['shape'])} | {entry['cells']:,} | {svg:.3f} | {png:.3f} | "
                f"{floor:.3f} | {png / entry['cells'] * 1e6:.3f} | {png / floor:.2f}× |"
            )
    return "\n".join(lines) + "\n"


# --- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=3, help="rounds per grid (default 3)")
    parser.add_argument("--quick", action="store_true", help="one round, small grids only")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the report from report.json"
    )
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(json.loads(args.worker))))
        return
    if args.report_only:
        raw = json.loads((HERE / "report.json").read_text(encoding="utf-8"))["raw"]
        markdown, report = build_report(raw)
        (HERE / "report.md").write_text(markdown, encoding="utf-8")
        (HERE / "report.json").write_text(json.dumps(report, indent=1, default=str))
        print(markdown)
        return
    rounds = 1 if args.quick else args.rounds
    started = time.perf_counter()
    results: dict[str, Any] = {
        "command": " ".join(["python", *sys.argv]).replace(str(ROOT) + "/", ""),
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{os.cpu_count()} CPUs, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.machine()}",
        "grids": [],
    }
    with tempfile.TemporaryDirectory(prefix="attnbook-bench-") as tmp:
        workdir = Path(tmp)
        grids = GRIDS[:2] if args.quick else GRIDS
        for shape in grids:
            print(f"grid {_label(shape)}", flush=True)
            repeats = 5 if math.prod(shape) < 10_000 else 1
            results["grids"].append(bench_grid(shape, "attention", rounds, repeats, workdir))
        if not args.quick:
            print("grid 12×12×64×64, uniform values", flush=True)
            results["grids"].append(bench_grid((12, 12, 64, 64), "uniform", 1, 1, workdir))
            print("scaling", flush=True)
            results["scaling"] = bench_scaling(2, workdir)
    results["seconds"] = time.perf_counter() - started
    markdown, report = build_report(results)
    (HERE / "report.md").write_text(markdown, encoding="utf-8")
    (HERE / "report.json").write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    print(markdown)
    print(f"wrote {HERE / 'report.md'} in {results['seconds'] / 60:.1f} min")


if __name__ == "__main__":
    main()
