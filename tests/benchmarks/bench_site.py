"""Benchmark: the site's cold build, and ``mkdocs serve``'s rebuilds after an edit.

Not a test: nothing here is timed under pytest. Run it from the repository root with the
project's virtual environment (see README.md beside this file)::

    .venv/bin/python tests/benchmarks/bench_site.py

It writes ``tests/benchmarks/report-site.md`` and ``report-site.json`` (both git-ignored).

What is measured, in rounds run side by side (the ratios are computed within a round and
the report gives their median, so a shared, noisy machine favours neither side):

- **Cold build**: ``mkdocs build --strict`` in a fresh process with
  ``ATTNBOOK_NO_CACHE=1``: every example and notebook runs, as in CI.
- **Floor**: a fresh process that imports the toolchain (by loading ``mkdocs.yml``) and
  runs every executed example once (the chapters' blocks and the notebooks' cells, in
  process): the least work any build of this book must do.
- **Prose edit**: the README's ``mkdocs serve`` runs on a copy of the book (its docs,
  ``mkdocs.yml`` and the package, which the copy's server imports); a sentence appended
  to a chapter, timed from the write to the server's "Reloading browsers". Target: 1/10
  of the cold build.
- **Package edit**: a comment appended to the copy's ``attnbook/heatmaps.py``, timed the
  same way. Every example and notebook page depends on the package, so they all run
  again (the notebooks each in a new Jupyter kernel, which the floor does not start);
  the rest of the rebuild is the prose edit's. Target: well under a cold build (at
  most 0.8 of it): what is not an example is not redone.
- The HTML weight of every page of the cold build.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
REPORT = HERE / "report-site"
PROSE_TARGET = 1 / 10  # of the cold build
PACKAGE_TARGET = 0.8  # of the cold build
CHAPTER = "01-attention-cues.md"  # the chapter a prose edit changes
MODULE = "heatmaps.py"  # the package module a package edit changes


def _environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1", **extra}


def _timed(command: list[str], cwd: Path, **extra: str) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, env=_environment(**extra), check=False
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return elapsed


def cold_build(site: Path) -> float:
    """Seconds for a strict build that runs everything fresh."""
    command = [str(VENV_BIN / "mkdocs"), "build", "--strict", "-q", "-d", str(site)]
    return _timed(command, ROOT, ATTNBOOK_NO_CACHE="1")


def floor_build() -> float:
    """Seconds for the floor: importing the toolchain and running every example once."""
    return _timed([sys.executable, str(Path(__file__).resolve()), "--floor"], ROOT)


def _run_floor() -> None:
    import importlib

    from mkdocs.config import load_config

    from attnbook.mkdocs_plugin.blocks import executed_blocks

    importlib.import_module("mkdocs.commands.build")
    load_config(str(ROOT / "mkdocs.yml"))  # imports the theme, every plugin and extension
    sessions: dict[str, dict[str, Any]] = {}
    with contextlib.redirect_stdout(io.StringIO()):
        for chapter in sorted((ROOT / "docs").glob("*.md")):
            source = chapter.read_text(encoding="utf-8")
            for block in executed_blocks(source, str(chapter)):
                namespace = sessions.setdefault(block.session, {}) if block.session else {}
                exec(compile(textwrap.dedent(block.code), str(chapter), "exec"), namespace)
        for notebook in sorted((ROOT / "docs").glob("*.ipynb")):
            cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
            namespace = {}
            for cell in cells:
                if cell["cell_type"] == "code":
                    exec(compile("".join(cell["source"]), str(notebook), "exec"), namespace)


def serve_command() -> list[str]:
    """The README's serve command: ``mkdocs serve`` and the options it gives."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"\.venv/bin/mkdocs serve([^\n`&|;]*)", readme)
    options = match[1].split() if match else []
    return [str(VENV_BIN / "mkdocs"), "serve", *options]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """The README's ``mkdocs serve`` on a copy of the book, and its log as it comes."""

    def __init__(self, copy: Path) -> None:
        """Copy the book to ``copy`` and start serving it (not yet ready)."""
        shutil.copytree(ROOT / "docs", copy / "docs")
        shutil.copy(ROOT / "mkdocs.yml", copy / "mkdocs.yml")
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(ROOT / "attnbook", copy / "attnbook", ignore=ignore)
        self.copy = copy
        command = [*serve_command(), "-a", f"127.0.0.1:{_free_port()}"]
        self.process = subprocess.Popen(
            command,
            cwd=copy,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            env=_environment(PYTHONPATH=str(copy)),  # the copy's package, edits included
        )
        self.lines: list[tuple[float, str]] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.seen = self.wait_for("Serving on", 0, limit=600)

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append((time.perf_counter(), line.rstrip()))

    def wait_for(self, text: str, after: int, limit: float = 300) -> int:
        """The index of the first log line after ``after`` that contains ``text``."""
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            for index in range(after, len(self.lines)):
                if text in self.lines[index][1]:
                    return index
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        tail = "\n".join(line for _, line in self.lines[-30:])
        raise RuntimeError(f"mkdocs serve: no {text!r} line:\n{tail}")

    def rebuild_after(self, path: Path, addition: str) -> float:
        """Seconds from appending ``addition`` to ``path`` to the browsers' reload."""
        time.sleep(1.5)  # let the watcher settle
        with path.open("a", encoding="utf-8") as file:
            file.write(addition)
        edited = time.perf_counter()
        self.seen = self.wait_for("Reloading browsers", self.seen + 1)
        logged = [line for _, line in self.lines[: self.seen]]
        problems = [line for line in logged if re.match(r"(WARNING|ERROR)\b", line)]
        if problems:
            raise RuntimeError("mkdocs serve reported problems:\n" + "\n".join(problems))
        return self.lines[self.seen][0] - edited

    def stop(self) -> None:
        """Stop the server."""
        self.process.terminate()
        self.process.wait(timeout=30)


def page_weights(site: Path) -> dict[str, int]:
    """The HTML bytes of every page of a built site, by its path."""
    return {
        str(page.parent.relative_to(site)) if page.parent != site else "(home)": page.stat().st_size
        for page in sorted(site.glob("**/index.html"))
        if "search" not in page.parts and "assets" not in page.parts
    }


def run(rounds: int, workdir: Path) -> dict[str, Any]:
    """Every measurement, ``rounds`` times side by side."""
    server = Server(workdir / "copy")
    results: dict[str, Any] = {"rounds": [], "command": " ".join(["mkdocs", *serve_command()[1:]])}
    try:
        for index in range(rounds):
            site = workdir / f"site-{index}"
            measured = {"cold": cold_build(site), "floor": floor_build()}
            if not results.get("pages"):
                results["pages"] = page_weights(site)
            shutil.rmtree(site)
            chapter = server.copy / "docs" / CHAPTER
            measured["prose"] = server.rebuild_after(chapter, f"\n第 {index + 1} 次只改文字。\n")
            module = server.copy / "attnbook" / MODULE
            measured["package"] = server.rebuild_after(module, f"\n# edit {index + 1}\n")
            # The next prose edit is measured with every example cached again.
            results["rounds"].append(measured)
            print(
                "  round {}: cold {cold:.1f} s, floor {floor:.1f} s, prose edit {prose:.2f} s, "
                "package edit {package:.2f} s".format(index + 1, **measured),
                flush=True,
            )
    finally:
        server.stop()
    return results


def summary(results: dict[str, Any]) -> dict[str, Any]:
    """Medians of the times, and of the ratios within each round; the targets."""
    rounds = results["rounds"]

    def median(key: str) -> float:
        return statistics.median(entry[key] for entry in rounds)

    def ratio(numerator: str, denominator: str) -> float:
        return statistics.median(entry[numerator] / entry[denominator] for entry in rounds)

    prose, package = ratio("prose", "cold"), ratio("package", "cold")
    return {
        "cold": median("cold"),
        "floor": median("floor"),
        "prose": median("prose"),
        "package": median("package"),
        "cold_over_floor": ratio("cold", "floor"),
        "prose_over_cold": prose,
        "package_over_cold": package,
        "targets": [
            {
                "target": "prose edit under serve: within 1/10 of a cold build",
                "measured": f"{prose:.3f} of the cold build",
                "met": prose <= PROSE_TARGET,
            },
            {
                "target": "package edit under serve: reruns the examples and notebooks only "
                f"(≤ {PACKAGE_TARGET} of a cold build)",
                "measured": f"{package:.2f} of the cold build",
                "met": package <= PACKAGE_TARGET,
            },
        ],
    }


def markdown(results: dict[str, Any], numbers: dict[str, Any]) -> str:
    """The report."""
    lines = [
        "# Site benchmark",
        "",
        f"`{results['invocation']}` · {results['when']} · {os.cpu_count()} CPUs",
        "",
        f"Serve command: `{results['command']}`. Times are medians over "
        f"{len(results['rounds'])} rounds; ratios are medians of the per-round ratios.",
        "",
        "## Targets",
        "",
        "| target | measured | met |",
        "| --- | --- | --- |",
    ]
    for target in numbers["targets"]:
        met = "yes" if target["met"] else "**no**"
        lines.append(f"| {target['target']} | {target['measured']} | {met} |")
    lines += [
        "",
        "## Times",
        "",
        "| measurement | seconds | ratio |",
        "| --- | ---: | --- |",
        f"| cold `mkdocs build --strict` (fresh, no cache) | {numbers['cold']:.1f} | "
        f"{numbers['cold_over_floor']:.2f}× its floor |",
        f"| floor (imports + every example once) | {numbers['floor']:.1f} | |",
        f"| serve: prose edit → browsers reloaded | {numbers['prose']:.2f} | "
        f"{numbers['prose_over_cold']:.3f} of the cold build |",
        f"| serve: package edit → browsers reloaded | {numbers['package']:.2f} | "
        f"{numbers['package_over_cold']:.2f} of the cold build |",
        "",
        "| round | cold s | floor s | prose edit s | package edit s |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for index, entry in enumerate(results["rounds"], 1):
        lines.append(
            f"| {index} | {entry['cold']:.1f} | {entry['floor']:.1f} | {entry['prose']:.2f} "
            f"| {entry['package']:.2f} |"
        )
    lines += ["", "## Page weights (cold build)", "", "| page | HTML KB |", "| --- | ---: |"]
    for page, size in results["pages"].items():
        lines.append(f"| {page} | {size / 1024:.0f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and write its report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default 3)")
    args = parser.parse_args(argv)
    if args.floor:
        _run_floor()
        return
    with tempfile.TemporaryDirectory(prefix="attnbook-bench-site-") as tmp:
        results = run(args.rounds, Path(tmp))
    results["invocation"] = " ".join(["python", *sys.argv]).replace(str(ROOT) + "/", "")
    results["when"] = time.strftime("%Y-%m-%d %H:%M")
    numbers = summary(results)
    report = markdown(results, numbers)
    REPORT.with_suffix(".md").write_text(report, encoding="utf-8")
    REPORT.with_suffix(".json").write_text(
        json.dumps({"results": results, "summary": numbers}, indent=1), encoding="utf-8"
    )
    print(report)


if __name__ == "__main__":
    main()
