"""Read the strictly built site (the session's one build) as a reader's browser would get it;
build small broken books to see how a failing example is reported."""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.support import API_PAGES, ROOT, article, mkdocs_build, page, plugin_config

CHAPTERS = {
    "01-attention-cues": 2,  # figures each chapter prints
    "02-queries-keys-values": 2,
    "03-visualizing-attention": 2,
    "04-exercises": 3,
}
API = [path.rstrip("/") for path in API_PAGES]  # the API reference's pages: "api", "api/views"
HEATMAP_CHAPTERS = ["02-queries-keys-values", "03-visualizing-attention", "04-exercises"]

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_has_its_figures_inline(site: Path, chapter: str) -> None:
    figures = article(site, chapter).find_all("svg", attrs={"role": "img"})
    assert len(figures) >= CHAPTERS[chapter]
    for figure in figures:
        assert figure.get("aria-label"), "every figure needs alt text"
        assert not figure.find("image", attrs={"href": re.compile("^(?!data:)")}), (
            "no linked images"
        )


@pytest.mark.parametrize("chapter", [*CHAPTERS, *(f"en/{chapter}" for chapter in CHAPTERS)])
def test_figures_are_boxes_followed_by_their_captions(site: Path, chapter: str) -> None:
    """A figure's box is a block of its own, never inside a <p> (which a browser would cut
    in two, leaving the caption after an empty paragraph and unstyled)."""
    boxes = article(site, chapter).select("div.attnbook-figure")
    assert boxes
    for box in boxes:
        assert box.parent is not None and box.parent.name != "p", chapter
        caption = box.find_next_sibling()
        assert caption is not None and caption.name == "p", chapter


@pytest.mark.parametrize("chapter", HEATMAP_CHAPTERS)
def test_heatmaps_have_hover_titles(site: Path, chapter: str) -> None:
    titles = [title.get_text() for title in article(site, chapter).select("svg[role=img] title")]
    assert any(re.search(r"\d\.\d", title) for title in titles), titles[:5]


@pytest.mark.parametrize(
    "chapter", [*HEATMAP_CHAPTERS, *(f"en/{chapter}" for chapter in HEATMAP_CHAPTERS)]
)
def test_every_colorbar_shows_its_range(site: Path, chapter: str) -> None:
    """A colorbar needs two numbers to tell its range: one label (0.5) tells nothing.

    The colorbar is the figure's 1 × 64 ramp image; its labels are the numbers after it.
    """
    bars = 0
    for figure in article(site, chapter).select("svg[role=img]"):
        ramp = figure.find("image", attrs={"width": "1", "height": "64"})
        if ramp is None:
            continue
        bars += 1
        numbers = [
            text.get_text()
            for text in ramp.find_all_next("text")
            if re.fullmatch(r"[−-]?[\d.]+(e[−-]?\d+)?", text.get_text().strip())
            and figure in text.parents
        ]
        label = figure.get("aria-label", "")[:50]
        assert len(numbers) >= 2, f"{chapter}: the colorbar of {label!r} reads {numbers}"
    assert bars, chapter


def test_ids_are_unique_on_every_page(site: Path) -> None:
    for chapter in CHAPTERS:
        ids = [tag["id"] for tag in page(site, chapter).find_all(id=True)]
        duplicates = {i for i in ids if ids.count(i) > 1}
        assert not duplicates, f"{chapter}: {sorted(duplicates)[:5]}"


@pytest.mark.parametrize("chapter", [*CHAPTERS, "."])
def test_page_has_no_error_output(site: Path, chapter: str) -> None:
    text = article(site, chapter).get_text()
    for marker in ("Traceback (most recent call last)", "exited with errors", "Error:"):
        assert marker not in text, f"{chapter} shows {marker!r}"


CJK = "\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef"


@pytest.mark.parametrize("name", [*CHAPTERS, "05-playground", *API, "."])
def test_chinese_prose_has_no_gaps_from_line_breaks(site: Path, name: str) -> None:
    """A browser shows a line break of the source as a space, a gap inside a sentence."""
    gaps = re.compile(rf"[{CJK}][ \t]*\n\s*[{CJK}]")
    found = [
        text.strip()[:40]
        for text in article(site, name).find_all(string=gaps)
        if not text.find_parent(["pre", "code", "script", "style"])
    ]
    assert found == [], found[:5]


@pytest.mark.parametrize("name", API)
def test_api_page_shows_only_documented_errors(site: Path, name: str) -> None:
    # Docstring examples show tracebacks on purpose; an executed block never may.
    assert "exited with errors" not in article(site, name).get_text()


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_headings_have_readable_ids(site: Path, chapter: str) -> None:
    headings = article(site, chapter).find_all(["h1", "h2", "h3"])
    assert len(headings) >= 2
    for heading in headings[1:]:
        anchor = heading.get("id", "")
        assert anchor and not re.fullmatch(r"_\d+", anchor), (
            f"{heading.get_text()!r} has id {anchor!r}"
        )
    chinese = [h["id"] for h in headings[1:] if re.search(r"[\u4e00-\u9fff]", h.get_text())]
    assert any(re.search(r"[\u4e00-\u9fff]", anchor) for anchor in chinese)


def test_exercise_row_sums_are_all_one(site: Path) -> None:
    output = next(
        code.get_text()
        for code in article(site, "04-exercises").find_all("code")
        if "每行之和：" in code.get_text() and "print(" not in code.get_text()
    )
    printed = output.split("每行之和：")[1].split("])")[0]
    sums = [float(value) for value in re.findall(r"\d+\.\d+", printed)]
    assert len(sums) == 10
    assert all(value == pytest.approx(1.0, abs=1e-4) for value in sums)
    assert "每行都是概率分布： True" in output


def test_learner_emphasis_is_rendered(site: Path) -> None:
    first = article(site, "01-attention-cues")
    assert first.find("mark"), "highlighted sentences use <mark>"
    assert first.select(".admonition"), "side notes are admonitions"
    assert first.select(".footnote"), "the references are footnotes"
    assert first.find("math"), "math is typeset as MathML"
    assert article(site, "04-exercises").select("details.success"), "answers are collapsible"
    assert article(site, "02-queries-keys-values").select(".footnote")


def test_search_index_segments_chinese_words(site: Path) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(doc["title"] + " " + doc["text"] for doc in index["docs"])
    tokens = set(re.split(r"[\s\u200b\-]+", text))
    assert {"注意力", "查询"} <= tokens
    assert "汇聚" in tokens or "注意力汇聚" in tokens


def test_pages_promise_the_source_code_only_if_the_api_page_shows_it(site: Path) -> None:
    summaries = [summary for name in API for summary in article(site, name).select("summary")]
    if any("Source code in" in summary.get_text() for summary in summaries):
        return
    names = [str(path.parent.relative_to(site)) for path in site.glob("**/index.html")]
    promises = [
        name for name in names if re.search(r"source code|源代码", article(site, name).get_text())
    ]
    assert promises == [], "they send readers to source code the API page does not show"


def test_api_pages_render_every_public_function_once(site: Path) -> None:
    import attnbook

    pages = {name: article(site, name) for name in API}
    for public in attnbook.__all__:
        found = [name for name, api in pages.items() if api.find(id=f"attnbook.{public}")]
        assert len(found) == 1, f"attnbook.{public} is documented on {found or 'no page'}"


def _own_members(cls: type) -> list[str]:
    """A class's public attributes and methods that attnbook defines (inherited ones too).

    Not matplotlib's: it writes a ``set`` method into every Artist subclass it sees.
    """

    def module(name: str) -> str:
        found = vars(next(base for base in cls.__mro__ if name in vars(base)))[name]
        function = getattr(found, "fget", None) or getattr(found, "func", found)  # properties
        return str(getattr(function, "__module__", None) or "")

    return [
        name
        for name in dir(cls)
        if not name.startswith("_") and module(name).startswith("attnbook")
    ]


def test_api_pages_document_every_method_of_a_class(site: Path) -> None:
    """AttentionView.to_html comes from a private base: it still has its entry."""
    import attnbook

    text = " ".join(str(article(site, name)) for name in API)
    classes = [getattr(attnbook, name) for name in attnbook.__all__]
    for cls in [obj for obj in classes if isinstance(obj, type)]:
        for member in _own_members(cls):
            assert f'id="attnbook.{cls.__name__}.{member}"' in text, f"{cls.__name__}.{member}"


def test_a_class_entry_ends_without_its_constructors_summary(site: Path) -> None:
    """Merged into its class, __init__'s one-line summary trailed the entry as a stray line."""
    import attnbook

    text = re.sub(r"\s+", " ", " ".join(article(site, name).get_text() for name in API))
    for cls in [getattr(attnbook, name) for name in attnbook.__all__]:
        init = vars(cls).get("__init__") if isinstance(cls, type) else None
        if init is not None and init.__doc__:
            summary = init.__doc__.strip().splitlines()[0].replace("`", "")
            assert summary not in text, f"{cls.__name__}: {summary!r}"


BROKEN_CONFIG = """\
INHERIT: {root}/mkdocs.yml
docs_dir: docs
nav: null
watch: []
theme:
  name: material
  custom_dir: {root}/docs/overrides
plugins:
  - search
  - markdown-exec
{plugin}validation:
  omitted_files: info
"""


def build_broken(tmp_path: Path, chapter: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    (tmp_path / "docs" / "broken.md").write_text(textwrap.dedent(chapter))
    (tmp_path / "mkdocs.yml").write_text(
        BROKEN_CONFIG.format(root=ROOT, plugin=plugin_config("zh"))
    )
    return mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site")


#: What a clean build may print that mentions a warning: mkdocs-material's notice about
#: its end of life and MkDocs 2 (a box drawn with "│"), explained in the README.
EXPLAINED = re.compile(r"^\s*(?:\x1b\[[\d;]*m)*\s*[│╭╰─]|NO_MKDOCS_2_WARNING")


def problems_in(log: str) -> list[str]:
    """The lines of a build's output that look like a problem to a newcomer."""
    looks_bad = re.compile(r"warn|error|fail|traceback|deprecat|abort", re.IGNORECASE)
    return [
        line for line in log.splitlines() if looks_bad.search(line) and not EXPLAINED.search(line)
    ]


def test_a_clean_build_prints_nothing_that_looks_like_a_problem(site: Path) -> None:
    log = (site.parent / "build.log").read_text(encoding="utf-8")
    assert problems_in(log) == []
    tcp = "[IPKernelApp] WARNING | Kernel is running over TCP without encryption."
    assert problems_in(f"INFO    -  Building documentation\n{tcp}\n") == [tcp]


def test_failing_example_names_its_chapter_and_line(tmp_path: Path) -> None:
    result = build_broken(
        tmp_path,
        """\
        # Broken

        Some prose.

        ```python exec="1" id="fine"
        print("ok")
        ```

        !!! note
            ```python exec="1" id="fails"
            weights = [0.5, 0.5]
            raise ValueError("weights do not sum to one")
            ```
        """,
    )
    assert result.returncode != 0
    assert (
        "docs/broken.md:12: example failed with ValueError: weights do not sum to one"
        in result.stderr
    )


def test_system_exit_in_an_example_is_a_normal_failure(tmp_path: Path) -> None:
    result = build_broken(
        tmp_path,
        """\
        # Exits

        ```python exec="1"
        import sys
        sys.exit(3)
        ```
        """,
    )
    assert result.returncode != 0
    assert "docs/broken.md:5: example failed with SystemExit: 3" in result.stderr
    output = result.stdout + result.stderr
    assert "Aborted with" in output, "the build must finish and report, not stop silently"
    assert "mkdocs_plugin/examples.py" not in output, (
        "the traceback shows the example, not the machinery"
    )


def test_warning_in_an_example_fails_the_build(tmp_path: Path) -> None:
    result = build_broken(
        tmp_path,
        """\
        # Warns

        ```python exec="1"
        import warnings
        warnings.warn("this example is sloppy")
        ```
        """,
    )
    assert result.returncode != 0
    assert (
        "docs/broken.md:5: example failed with UserWarning: this example is sloppy" in result.stderr
    )
