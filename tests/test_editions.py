"""The Chinese and the English edition are kept in step: the drift check.

Every page of ``docs/`` exists in both editions (``page.md`` and ``page.en.md``, or
``.ipynb``). Their prose differs; their code does not. For each executed block of a
chapter, in order, the two editions must have the same markdown-exec options and the same
Python once every string literal is masked and comments are dropped: labels, titles and
printed words are the page's language, every name, number and call is shared. Headings
must correspond one to one (same levels, same order), and so must the API directives.
The check itself is tested: changing a block in one edition only makes it fail.

The built site (the session's one build) is checked too: both editions build strictly,
every page links its counterpart in the language selector, search indexes stay apart, and
each edition has its own notebooks.
"""

from __future__ import annotations

import ast
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import urljoin

import nbformat
import pytest
from bs4 import BeautifulSoup

from attnbook.mkdocs_plugin.blocks import ExecutedBlock, executed_blocks, fenced_runs
from tests.support import (
    API_PAGES,
    DEFAULT_LANGUAGE,
    DOCS,
    EDITIONS,
    SITE_URL,
    page_sources,
    url_path,
)

# The edition beside the default (Chinese) one.
LANGUAGE = next(language for language in EDITIONS if language != DEFAULT_LANGUAGE)

_HEADING = re.compile(r"^(?P<level>#{1,6})[ \t]+\S")
_DIRECTIVE = re.compile(r"^:::[ \t]+\S+", re.MULTILINE)


class _MaskStrings(ast.NodeTransformer):
    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, str):
            return ast.copy_location(ast.Constant(value="…"), node)
        return node


def shape(code: str) -> str:
    """The code's AST with string literals masked (comments are not in the AST)."""
    return ast.dump(_MaskStrings().visit(ast.parse(code)), include_attributes=False)


def name(page: Path) -> str:
    """A page's test id: its path in ``docs/`` (``api/views.md``)."""
    return page.relative_to(DOCS).as_posix()


def counterpart(page: Path) -> Path:
    return page.with_suffix(f".{LANGUAGE}{page.suffix}")


def markdown_blocks(text: str) -> tuple[list[ExecutedBlock], list[str]]:
    """The executed Python blocks of a chapter, and its headings' levels (outside code)."""
    headings = [
        heading["level"]
        for _, is_code, run in fenced_runs(text.split("\n"))
        if not is_code
        for line in run
        if (heading := _HEADING.match(line))
    ]
    return executed_blocks(text, "<chapter>"), headings


def notebook_blocks(path: Path) -> tuple[list[ExecutedBlock], list[str]]:
    """A notebook's code cells (``line`` is the cell's number) and its headings' levels."""
    notebook = nbformat.read(path, as_version=4)
    blocks, headings = [], []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type == "code":
            cell_id = cell.get("id", "")
            options = (("id", cell_id),)
            blocks.append(ExecutedBlock(str(path), number, cell_id, None, options, cell.source))
        elif cell.cell_type == "markdown":
            headings += [
                m["level"] for line in cell.source.split("\n") if (m := _HEADING.match(line))
            ]
    return blocks, headings


def drift(default: Path, edition: Path) -> list[str]:
    """How ``edition`` differs from ``default`` in anything but prose and string labels."""
    if not edition.exists():
        return [f"docs/{edition.name} is missing: every page exists in both editions"]
    read = notebook_blocks if default.suffix == ".ipynb" else _markdown_file
    (ours, our_headings), (theirs, their_headings) = read(default), read(edition)
    name, other = f"docs/{default.name}", f"docs/{edition.name}"
    unit = "cell" if default.suffix == ".ipynb" else "line"
    problems = []
    if our_headings != their_headings:
        problems.append(
            f"{other}: headings {''.join(' ' + h for h in their_headings)} do not match "
            f"{name}:{''.join(' ' + h for h in our_headings)}"
        )
    if default.suffix == ".md":
        directives = [_DIRECTIVE.findall(p.read_text(encoding="utf-8")) for p in (default, edition)]
        if directives[0] != directives[1]:
            problems.append(f"{other}: its ::: directives differ from {name}'s")
    if len(ours) != len(theirs):
        problems.append(f"{other} has {len(theirs)} executed blocks, {name} has {len(ours)}")
    for mine, yours in zip(ours, theirs, strict=False):
        where = f"{other} {unit} {yours.line} (against {name} {unit} {mine.line})"
        if mine.options != yours.options:
            problems.append(f"{where}: options {yours.options} differ from {mine.options}")
        try:
            same = shape(mine.code) == shape(yours.code)
        except SyntaxError as error:
            problems.append(f"{where}: does not parse: {error}")
            continue
        if not same:
            problems.append(f"{where}: the code differs beyond strings and comments")
    return problems


def _markdown_file(path: Path) -> tuple[list[ExecutedBlock], list[str]]:
    return markdown_blocks(path.read_text(encoding="utf-8"))


# --- the sources ---------------------------------------------------------------------------


def test_the_pages_are_found() -> None:
    names = {name(page) for page in page_sources()}
    assert {"index.md", "01-attention-cues.md", "api/index.md", "05-playground.ipynb"} <= names
    assert {"api/attention.md", "api/heatmaps.md", "api/views.md", "api/diagrams.md"} <= names


def test_every_edition_page_has_a_default_page() -> None:
    orphans = [
        path.name
        for path in [*DOCS.rglob(f"*.{LANGUAGE}.md"), *DOCS.rglob(f"*.{LANGUAGE}.ipynb")]
        if not path.with_suffix("").with_suffix(path.suffix).exists()
    ]
    assert not orphans


@pytest.mark.parametrize("page", page_sources(), ids=name)
def test_the_editions_do_not_drift(page: Path) -> None:
    assert drift(page, counterpart(page)) == []


@pytest.mark.parametrize("page", page_sources(), ids=name)
def test_the_english_edition_is_in_english(page: Path) -> None:
    text = counterpart(page).read_text(encoding="utf-8")
    chinese = re.findall(r"[\u4e00-\u9fff]+", text)
    assert not chinese, f"{counterpart(page).name} still has Chinese text: {chinese[:5]}"


def test_diagrams_take_the_pages_language() -> None:
    for page in page_sources():
        for path, language in ((page, "zh"), (counterpart(page), LANGUAGE)):
            calls = re.findall(
                r"attention_(?:cue_scene|pooling_diagram)\(([^)]*)\)", path.read_text("utf-8")
            )
            for arguments in calls:
                assert f'language="{language}"' in arguments, f"{path.name}: {arguments}"


# --- the check catches drift ----------------------------------------------------------------

CHAPTER = """\
# Title

```python exec="1" session="s" id="setup"
import numpy as np
```

Prose.

## Section

```python exec="1" source="above" session="s" id="weights"
weights = np.ones(5) / 5  # equal weights
print("权重：", weights)
```
"""


def drift_between(tmp_path: Path, default: str, edition: str) -> list[str]:
    first, second = tmp_path / "page.md", tmp_path / "page.en.md"
    first.write_text(default, encoding="utf-8")
    second.write_text(edition, encoding="utf-8")
    return drift(first, second)


def test_each_edition_spells_an_axis_label_one_way() -> None:
    """A reader sees 'Keys' on one page's figures and 'keys' on the next's: not the book's way."""
    for sources in (page_sources(), [counterpart(p) for p in page_sources()]):
        labels: dict[str, set[str]] = {}
        for source in sources:
            text = source.read_text(encoding="utf-8").replace('\\"', '"')
            for label in re.findall(r'\b[xy]label="([^"]+)"', text):
                labels.setdefault(label.lower(), set()).add(label)
        assert labels, "the chapters label their figures' axes"
        assert {key: spellings for key, spellings in labels.items() if len(spellings) > 1} == {}


def test_labels_comments_and_prose_may_differ(tmp_path: Path) -> None:
    english = (
        CHAPTER.replace("Prose.", "Other prose, in English.")
        .replace("# equal weights", "# every key weighs the same")
        .replace('"权重："', '"Weights:"')
        .replace("## Section", "## A section")
    )
    assert drift_between(tmp_path, CHAPTER, english) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("np.ones(5) / 5", "np.ones(5) / 4"),
            "docs/page.en.md line 11 (against docs/page.md line 11)",
        ),
        (("np.ones(5)", "np.zeros(5)"), "the code differs beyond strings and comments"),
        (('id="weights"', 'id="weight"'), "options"),
        (('session="s" id="weights"', 'session="t" id="weights"'), "options"),
        (("## Section", "### Section"), "headings"),
        (
            ('```python exec="1" session="s" id="setup"', '```python session="s" id="setup"'),
            "1 executed blocks",
        ),
    ],
)
def test_changing_code_in_one_edition_only_is_drift(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    changed = CHAPTER.replace(*change)
    assert changed != CHAPTER
    problems = drift_between(tmp_path, CHAPTER, changed)
    assert problems and any(message in problem for problem in problems), problems


def test_a_missing_page_is_drift(tmp_path: Path) -> None:
    (tmp_path / "page.md").write_text(CHAPTER, encoding="utf-8")
    assert "is missing" in drift(tmp_path / "page.md", tmp_path / "page.en.md")[0]


def test_a_changed_notebook_cell_is_drift(tmp_path: Path) -> None:
    playground = DOCS / "05-playground.ipynb"
    notebook = nbformat.read(counterpart(playground), as_version=4)
    cell = next(cell for cell in notebook.cells if cell.cell_type == "code")
    cell.source = cell.source.replace("manual_seed(0)", "manual_seed(1)")
    nbformat.write(notebook, tmp_path / "05-playground.en.ipynb")
    problems = drift(playground, tmp_path / "05-playground.en.ipynb")
    assert any("cell 2" in problem and "differs" in problem for problem in problems), problems


# --- the built site --------------------------------------------------------------------------


def html(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path / "index.html").read_text(encoding="utf-8"), "html.parser")


@pytest.mark.slow
@pytest.mark.parametrize("page", page_sources(), ids=name)
def test_each_page_is_built_in_both_languages_and_links_its_counterpart(
    site: Path, page: Path
) -> None:
    for prefix, language, other in (("", "zh", f"{LANGUAGE}/"), (f"{LANGUAGE}/", LANGUAGE, "")):
        document = html(site, prefix + url_path(page))
        assert document.html["lang"] == language
        selector = {a["hreflang"]: a["href"] for a in document.select("a.md-select__link")}
        assert set(selector) == {"zh", LANGUAGE}
        here = SITE_URL + prefix + url_path(page)
        target = urljoin(here, selector["zh" if prefix else LANGUAGE])
        assert target == SITE_URL + other + url_path(page), selector


@pytest.mark.slow
def test_search_is_per_edition(site: Path) -> None:
    chinese = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    english = json.loads((site / LANGUAGE / "search" / "search_index.json").read_text("utf-8"))
    assert chinese["config"]["lang"] == ["zh"] and english["config"]["lang"] == [LANGUAGE]
    english_text = " ".join(doc["title"] + " " + doc["text"] for doc in english["docs"])
    # The API page quotes the package's doctests, whose default labels are Chinese.
    prose = " ".join(
        doc["text"] for doc in english["docs"] if not doc["location"].startswith("api/")
    )
    assert not re.search(r"[\u4e00-\u9fff]", prose)
    assert "Parameters" in english_text and "参数" not in english_text, "mkdocstrings in English"
    assert any(doc["location"].startswith("01-attention-cues/") for doc in english["docs"])
    assert not any(doc["location"].startswith(f"{LANGUAGE}/") for doc in chinese["docs"])
    assert "attention pooling" in english_text.lower()
    config = re.search(
        r'<script id="__config"[^>]*>(.*?)</script>',
        (site / LANGUAGE / "index.html").read_text("utf-8"),
    )
    assert config and json.loads(config[1])["base"] == f"../{LANGUAGE}/"


@pytest.mark.slow
def test_each_edition_has_its_own_sitemap_for_instant_navigation(site: Path) -> None:
    english = (site / LANGUAGE / "sitemap.xml").read_text(encoding="utf-8")
    locations = re.findall(r"<loc>(.*?)</loc>", english)
    assert locations and all(f"/attnbook/{LANGUAGE}/" in loc for loc in locations)
    assert len(locations) == len(page_sources())


@pytest.mark.slow
def test_each_edition_offers_its_own_notebooks(site: Path) -> None:
    for prefix, credit in (("", "动手学深度学习"), (f"{LANGUAGE}/", "Dive into Deep Learning")):
        with zipfile.ZipFile(site / prefix / "notebooks" / "attnbook-notebooks.zip") as archive:
            names = sorted(archive.namelist())
            # every page with examples: not the home page, nor the API reference's pages
            assert len(names) == len(page_sources()) - 1 - len(API_PAGES)
            first = nbformat.reads(archive.read(names[0]).decode("utf-8"), as_version=4)
            assert credit in first.cells[0].source
    page = html(site, f"{LANGUAGE}/01-attention-cues/")
    link = page.find("a", download=True)
    assert link and link.get_text() == "Download the Jupyter notebook"


@pytest.mark.slow
def test_english_figures_have_english_labels(site: Path) -> None:
    article = html(site, f"{LANGUAGE}/01-attention-cues/").find("article")
    figures = article.select("svg[role=img]")
    assert figures
    text = " ".join(figure.get_text(" ") + figure.get("aria-label", "") for figure in figures)
    assert "coffee cup" in text and not re.search(r"[\u4e00-\u9fff]", text)
    playground = html(site, f"{LANGUAGE}/05-playground/").find("article")
    labels = [svg["aria-label"] for svg in playground.select("svg[role=img]")]
    assert labels and not re.search(r"[\u4e00-\u9fff]", " ".join(labels))


@pytest.mark.slow
@pytest.mark.parametrize("page", page_sources(), ids=name)
def test_what_the_theme_adds_speaks_the_pages_language(site: Path, page: Path) -> None:
    """The ¶ and footnote tooltips and the footer are in the edition's language."""
    for prefix, chinese in (("", True), (f"{LANGUAGE}/", False)):
        document = html(site, prefix + url_path(page))
        tooltips = [a["title"] for a in document.select("a.headerlink, a.footnote-backref")]
        footer = document.select_one(".md-copyright")
        assert tooltips and footer, "every page has a heading link and a footer"
        names = r"Material for MkDocs|MkDocs|d2l\.ai|CC BY-SA 4\.0"
        words = re.sub(names, "", footer.get_text(" "))
        for text in [*tooltips, words]:
            if chinese:
                assert re.search(r"[\u4e00-\u9fff]", text) and not re.search(
                    r"[A-Za-z]{3,}", text
                ), f"{prefix + url_path(page)}: {text.strip()!r} is not Chinese"
            else:
                assert not re.search(r"[\u4e00-\u9fff]", text), text
        assert footer.find("a", href=re.compile("mkdocs-material")), "the theme is credited"
        if chinese:  # no space between two Chinese sentences (a folded line in mkdocs.yml)
            cjk = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
            between = re.search(rf"{cjk}\s+{cjk}", footer.get_text().strip())
            assert not between, f"{prefix + url_path(page)}: a space in {between[0]!r}"


@pytest.mark.slow
@pytest.mark.parametrize("api", API_PAGES)
@pytest.mark.parametrize("prefix", ["", f"{LANGUAGE}/"], ids=["default", LANGUAGE])
def test_the_api_page_shows_public_names_in_the_pages_language(
    site: Path, prefix: str, api: str
) -> None:
    """No private base class, no multi-line link title, no English label on a Chinese page.

    The docstrings themselves are English in both editions; what mkdocstrings adds around
    them (section titles, headings) follows the edition.
    """
    article = html(site, prefix + api).select_one("article")
    assert article is not None
    private = sorted(set(re.findall(r"attnbook(?:\.\w+)*\._\w+", str(article))))
    assert private == [], f"{prefix}{api} shows private names: {private}"
    titles = [link["title"] for link in article.select("a[title]")]
    assert [title for title in titles if "\n" in title] == [], "a link's tooltip spans lines"
    for heading in article.select(".doc-heading"):
        shown = heading.get_text(" ", strip=True).replace("¶", "")
        for name in heading.select(".doc-object-name"):
            shown = shown.replace(name.get_text(" ", strip=True), "")
        if not prefix:  # Chinese: a heading is the object's name, and nothing English beside it
            assert not re.search(r"[A-Za-z]{3,}", shown), f"{api}: {shown.strip()!r} by a name"
    if not prefix:
        assert "Bases:" not in article.get_text(), f"{api} says 'Bases:' in English"


@pytest.mark.slow
@pytest.mark.parametrize(
    "page",
    [page for page in page_sources() if page.stem[:2].isdigit()],
    ids=name,
)
def test_every_chapter_ends_with_its_source(site: Path, page: Path) -> None:
    """Chapters and the playground end with the same box: where the book's text comes from."""
    for prefix, title in (("", "来源"), (f"{LANGUAGE}/", "Source")):
        document = html(site, prefix + url_path(page))
        boxes = document.select("article .admonition.quote")
        where = prefix + url_path(page)
        assert boxes, f"{where}: no source box"
        box = boxes[-1]
        assert box.select_one(".admonition-title").get_text(strip=True) == title, where
        links = [a["href"] for a in box.select("a[href]")]
        assert any("d2l.ai/chapter_attention-mechanisms/attention-cues" in h for h in links)
        assert any("creativecommons.org/licenses/by-sa/4.0" in h for h in links), where
        after = [  # the footnotes (end matter) may follow; no more of the chapter does
            element
            for element in box.find_all_next(["p", "pre", "table", "ul", "h2", "h3"])
            if element.find_parent("article") is not None
            and box not in element.parents
            and element.find_parent(class_="footnote") is None
        ]
        assert not after, f"{where}: {after[0].get_text()[:60]!r} comes after the source box"
        if prefix:  # the English edition writes straight quotes, as its chapters do
            assert not re.search("[“”‘’]", box.get_text()), where
