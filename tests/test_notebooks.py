"""The chapters as Jupyter notebooks, and the notebook page made by mkdocs-jupyter.

The tests read the session's one strict build of the site as a reader gets it: the generated
notebooks (executed here, each in a fresh kernel of this Python), the zip, the download
links, and the playground page (its anchors, requests, search entries and weight).

Weight budget: the playground page's HTML may weigh at most twice the **median** of the
four Markdown chapter pages. The median, not the heaviest, so that one figure-heavy
chapter cannot raise the budget for everyone; only the page's own HTML counts, since the
CSS and JavaScript it uses are the theme's files that every page shares.
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin

import nbformat
import pytest
from bs4 import BeautifulSoup
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

from attnbook.mkdocs_plugin import notebooks
from attnbook.mkdocs_plugin.blocks import executed_blocks
from tests.support import EDITIONS as SITE_EDITIONS
from tests.support import PLUGIN_OPTIONS, ROOT, article, mkdocs_build, page, plugin_config

CHAPTERS = sorted(
    path.stem for path in (ROOT / "docs").glob("[0-9][0-9]-*.md") if "." not in path.stem
)
PLAYGROUND = "05-playground"
NOTEBOOKS = [*CHAPTERS, PLAYGROUND]
# Each edition's pages live under its prefix: the Chinese at the root, the English in en/.
EDITIONS = {prefix: language for language, prefix in SITE_EDITIONS.items()}
TEXTS = PLUGIN_OPTIONS["editions"]
LINK_TEXT = {language: TEXTS[language]["notebook_link"] for language in SITE_EDITIONS}
ZIP = "notebooks/attnbook-notebooks.zip"
CELL_TIMEOUT = 120  # seconds, for one cell
NOTEBOOK_TIME_LIMIT = 180  # seconds, for a whole notebook in a fresh kernel
KERNEL = "attnbook-test"


# --- the conversion, without a build --------------------------------------------------------

SAMPLE = """\
# 样章

```python exec="1" session="sample" id="setup-sample"
import numpy as np

from attnbook import show_heatmaps, to_svg
```

正文有==重点==和脚注[^one]，`==不是重点==` 和 $x^2$ 原样保留。
见 [`softmax`](api/attention.md#attnbook.softmax)。

!!! note "旁注"
    只有文字的旁注。

??? success "参考答案"
    先说明。

    ```python exec="1" source="above" session="sample" id="answer"
    fig = show_heatmaps(np.eye(3), xlabel="键", ylabel="查询")
    np.set_printoptions(precision=2)  # markdown-exec: hide
    print(to_svg(fig, alt="单位矩阵"))  # markdown-exec: hide
    ```

    再总结。

```bash
pip install -e .
```

[^one]: 一条脚注，
    写了两行。
"""


def test_a_chapter_becomes_the_notebook_a_reader_would_write() -> None:
    notebook = notebooks.chapter_notebook(
        SAMPLE,
        page_url="https://example.org/sample/",
        home_url="https://example.org/",
        link=lambda target: f"https://example.org/{target}",
        credit=TEXTS["zh"]["notebook_credit"],
    )
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds == ["markdown", "markdown", "code", "markdown", "code", "markdown"]
    credit, title, setup, prose, answer, rest = (cell.source for cell in notebook.cells)
    assert "d2l.ai" in credit and "CC BY-SA 4.0" in credit
    assert "(https://example.org/sample/)" in credit
    assert title == "# 样章"
    assert setup == "import numpy as np\n\nfrom attnbook import show_heatmaps"
    assert "<mark>重点</mark>" in prose and "`==不是重点==`" in prose and "$x^2$" in prose
    assert "[`softmax`](https://example.org/api/attention.md#attnbook.softmax)" in prose
    assert "脚注<sup>1</sup>" in prose
    assert "> **旁注**\n>\n> 只有文字的旁注。" in prose
    assert prose.endswith("**参考答案**\n\n先说明。")
    assert answer == 'fig = show_heatmaps(np.eye(3), xlabel="键", ylabel="查询")\nfig'
    assert rest.startswith("再总结。")
    assert "```bash\npip install -e .\n```" in rest
    assert "<sup>1</sup> 一条脚注， 写了两行。" in rest
    assert [cell.id for cell in notebook.cells if cell.cell_type == "code"] == [
        "setup-sample",
        "answer",
    ]
    again = notebooks.chapter_notebook(
        SAMPLE,
        page_url="https://example.org/sample/",
        home_url="",
        link=lambda t: t,
        credit=TEXTS["zh"]["notebook_credit"],
    )
    assert [cell.id for cell in again.cells] == [cell.id for cell in notebook.cells]


def test_a_figure_shown_mid_cell_is_displayed() -> None:
    code = 'for fig in figs:\n    print(to_svg(fig, alt="x"))  # markdown-exec: hide\nprint(1)'
    assert notebooks._notebook_code(code) == "for fig in figs:\n    display(fig)\nprint(1)"


def test_an_interactive_view_is_shown_in_the_notebook() -> None:
    code = (
        "view = attention_view(weights)\nprint(view.to_html(script=False))  # markdown-exec: hide"
    )
    assert notebooks._notebook_code(code) == "view = attention_view(weights)\nview"


def test_the_committed_playground_has_no_outputs() -> None:
    notebook = nbformat.read(ROOT / "docs" / f"{PLAYGROUND}.ipynb", as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code, "the playground has code to run"
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, cell.id


# --- notebooks a reader downloads -----------------------------------------------------------


def site_notebook(site: Path, edition: str, name: str) -> nbformat.NotebookNode:
    return nbformat.read(site / edition / "notebooks" / f"{name}.ipynb", as_version=4)


def source(edition: str, name: str, suffix: str = ".md") -> Path:
    """The source of a page in an edition: ``docs/name.md`` or ``docs/name.en.md``."""
    language = EDITIONS[edition]
    return ROOT / "docs" / (f"{name}{suffix}" if not edition else f"{name}.{language}{suffix}")


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_notebook_page_links_its_notebook(site: Path, edition: str, name: str) -> None:
    text = LINK_TEXT[EDITIONS[edition]]
    links = [
        link for link in article(site, edition + name).find_all("a") if link.get_text() == text
    ]
    assert len(links) == 1, f"{edition}{name} needs one {text!r} link"
    href = links[0]["href"]
    assert not re.match(r"^(?:[a-z]+:|/)", href), f"{href} must be relative"
    assert links[0]["download"] == f"{name}.ipynb"
    target = urljoin(f"http://site/{edition}{name}/", href).removeprefix("http://site/")
    assert target == f"{edition}notebooks/{name}.ipynb", "the edition's own notebook"
    assert (site / target).is_file(), target


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
def test_the_zip_holds_every_notebook(site: Path, edition: str) -> None:
    home = article(site, edition or ".")
    links = [a["href"] for a in home.find_all("a") if a["href"].endswith(".zip")]
    assert links == [ZIP], "the home page links the zip, relatively"
    with zipfile.ZipFile(site / edition / ZIP) as archive:
        infos = archive.infolist()
        assert sorted(info.filename for info in infos) == [
            f"attnbook-notebooks/{name}.ipynb" for name in NOTEBOOKS
        ]
        for info in infos:
            assert info.date_time == (1980, 1, 1, 0, 0, 0), "no build timestamp"
            name = PurePosixPath(info.filename).name
            assert archive.read(info) == (site / edition / "notebooks" / name).read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_chapter_notebook_follows_its_chapter(site: Path, edition: str, chapter: str) -> None:
    notebook = site_notebook(site, edition, chapter)
    markdown = source(edition, chapter).read_text(encoding="utf-8")
    blocks = executed_blocks(markdown, str(source(edition, chapter)))
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert len(code) == len(blocks), "one code cell per executed block"
    assert code[0].source.lstrip().startswith("import"), "the imports come first"
    first = notebook.cells[0]
    assert first.cell_type == "markdown"
    assert "d2l.ai" in first.source and "CC BY-SA 4.0" in first.source
    assert f"https://attnbook.github.io/attnbook/{edition}{chapter}/" in first.source
    assert f"https://attnbook.github.io/attnbook/{edition})" in first.source, "links its home"
    text = nbformat.writes(notebook)
    assert "markdown-exec" not in text and "to_svg" not in text
    assert "==" not in "".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    figures = len(re.findall(r"print\((?:to_svg\(|\w+\.to_html\()", markdown))
    ends_with_figure = [cell for cell in code if re.search(r"\n\w+$|^\w+$", cell.source)]
    assert len(ends_with_figure) == figures, "each figure of the chapter shows in Jupyter"


@pytest.fixture
def venv_kernel(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernel spec that runs this very Python, whatever kernels the machine has."""
    data = tmp_path_factory.mktemp("jupyter")
    (data / "kernels" / KERNEL).mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "attnbook test kernel",
        "language": "python",
    }
    (data / "kernels" / KERNEL / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(data))  # searched before any other kernel folder
    assert KernelSpecManager().get_kernel_spec(KERNEL).argv[0] == sys.executable
    return KERNEL


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_notebook_runs_top_to_bottom_in_a_fresh_kernel(
    site: Path, edition: str, name: str, venv_kernel: str, tmp_path: Path
) -> None:
    notebook = site_notebook(site, edition, name)
    client = NotebookClient(
        notebook,
        kernel_name=venv_kernel,
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(tmp_path)}},  # run outside the repository
    )
    started = time.monotonic()
    client.execute()
    elapsed = time.monotonic() - started
    assert elapsed < NOTEBOOK_TIME_LIMIT, f"{name} took {elapsed:.0f} s"
    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    assert not [output for output in outputs if output.output_type == "error"]
    stderr = [output.text for output in outputs if output.get("name") == "stderr"]
    assert not stderr, f"{name} warned: {stderr}"
    images = [output for output in outputs if "image/png" in output.get("data", {})]
    assert images, f"{name} shows its figures"


# --- the playground page (mkdocs-jupyter) ---------------------------------------------------


PLAYGROUND_CHECK = {"zh": "与 torch.softmax(dim=-1) 一致： True", "en": "dim=-1): True"}


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
def test_the_playground_is_executed_at_build_time(site: Path, edition: str) -> None:
    playground = article(site, edition + PLAYGROUND)
    text = playground.get_text()
    assert PLAYGROUND_CHECK[EDITIONS[edition]] in text
    assert "Traceback" not in text
    # Its figures are the chapters' inline SVG (BookFigure's rich display): they follow
    # the theme and tell each cell's weight on hover, and the page goes on after them.
    figures = playground.select("svg[role=img]")
    assert len(figures) >= 3
    assert all(figure.get("aria-label") for figure in figures)
    assert all(figure.select("title") for figure in figures)
    suffix = ".en" if EDITIONS[edition] == "en" else ""
    source = nbformat.read(ROOT / "docs" / f"05-playground{suffix}.ipynb", 4)
    headings = [
        line.lstrip("#").strip()
        for cell in source.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("## ")
    ]
    shown = [h.get_text().rstrip("¶").strip() for h in playground.find_all("h2")]
    assert shown == headings


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
def test_the_playground_has_working_anchors(site: Path, edition: str) -> None:
    soup = page(site, edition + PLAYGROUND)
    headings = soup.find("article").find_all(re.compile("^h[1-6]$"))
    ids = [heading.get("id", "") for heading in headings]
    assert all(ids), f"empty heading ids: {ids}"
    assert len(set(ids)) == len(ids)
    chinese = [
        i for i, h in zip(ids, headings, strict=True) if re.search(r"[\u4e00-\u9fff]", h.get_text())
    ]
    if EDITIONS[edition] == "zh":
        assert chinese and all(re.search(r"[\u4e00-\u9fff]", i) for i in chinese), ids
    toc = soup.select('nav.md-nav--secondary a.md-nav__link[href^="#"]')
    targets = [unquote(link["href"][1:]) for link in toc]
    assert set(targets) == set(ids[1:]), "the table of contents lists every section"
    for heading in headings:
        permalink = heading.find("a", class_="headerlink")
        assert permalink is not None and permalink["href"] == f"#{heading['id']}"


def external_requests(soup: BeautifulSoup) -> list[str]:
    """Everything on a page that makes the browser ask another host."""
    other_host = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
    found = []
    for tag in soup.find_all(["script", "link", "img", "iframe", "source", "video", "audio"]):
        for attribute in ("src", "href", "srcset"):
            value = tag.get(attribute)
            if tag.name == "link" and tag.get("rel") in (["canonical"], ["alternate"]):
                continue  # metadata, never fetched
            if value and other_host.match(value):
                found.append(f"<{tag.name} {attribute}={value}>")
    for code in [*soup.find_all("script"), *soup.find_all("style")]:
        text = code.get_text()
        found += re.findall(r"""(?:import\s*\(?|from)\s*["'](?:https?:)?//[^"']+""", text)
        found += re.findall(r"@import[^;]*|url\(\s*[\"']?(?:https?:)?//[^)]*\)", text)
    return found


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("name", [*NOTEBOOKS, ""])
def test_no_request_to_another_host(site: Path, edition: str, name: str) -> None:
    assert external_requests(page(site, edition + name or ".")) == []


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
def test_the_playground_uses_the_site_theme_only(site: Path, edition: str) -> None:
    playground = article(site, edition + PLAYGROUND)
    # A figure's inline SVG keeps its own hover rule (scoped to its id) and sizing; the
    # figure's colours come from currentColor, so the palette toggle still applies.
    # A heatmap's output carries attnbook's views script for Jupyter; on the site the page
    # loads it once (extra_javascript), so the outputs' copies are left out: each would
    # run while the page is parsed, and one built from an older views.js would win.
    outside = [
        tag for tag in playground.find_all(["style", "script"]) if not tag.find_parent("svg")
    ]
    assert not outside, "no CSS or script of its own, no copy of the views script"
    # The one inline style allowed: a figure's box states the figure's height (figures.py).
    styled = [
        tag
        for tag in playground.select("[style]")
        if tag.name != "svg"
        and not tag.find_parent("svg")
        and not re.fullmatch(r"contain-intrinsic-block-size: auto \d+px", tag["style"])
    ]
    assert not styled, "no inline colours: the palette toggle applies"
    assert not playground.select('[class*="jp-"]'), "no JupyterLab markup left unstyled"
    assert len(playground.select("div.highlight > pre > code")) >= 10


@pytest.mark.slow
def test_search_indexes_the_playground_prose_not_its_code(site: Path) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs = [doc for doc in index["docs"] if doc["location"].startswith(f"{PLAYGROUND}/")]
    text = re.sub(r"[\u200b\s]", "", " ".join(doc["title"] + doc["text"] for doc in docs))
    for prose in ("试一试", "温度越低", "掩码：只看前面的键"):
        assert prose in text
    for code in ("manual_seed", "torch.stack", "causal_scores", "tensor(", "每行之和"):
        assert code not in text, f"{code!r} is code or output"


@pytest.mark.slow
@pytest.mark.parametrize("edition", EDITIONS)
def test_the_playground_weighs_at_most_twice_a_chapter(site: Path, edition: str) -> None:
    chapters = {name: (site / edition / name / "index.html").stat().st_size for name in CHAPTERS}
    budget = 2 * statistics.median(chapters.values())
    weight = (site / edition / PLAYGROUND / "index.html").stat().st_size
    print(f"playground {weight} B; chapters {chapters}; budget {budget:.0f} B")
    assert weight <= budget, f"{weight} B > 2 × median chapter ({budget / 2:.0f} B)"


# --- a failing notebook fails the build -------------------------------------------------------

NOTEBOOK_CONFIG = """\
INHERIT: {root}/mkdocs.yml
docs_dir: docs
nav: null
watch: []
validation:
  omitted_files: info
theme:
  name: material
  custom_dir: {root}/docs/overrides
"""


def build_with_notebook(
    tmp_path: Path, *sources: str, options: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "docs").mkdir(parents=True)
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    (tmp_path / "docs" / "index.en.md").write_text("# Home\n")
    shutil.copy(ROOT / "docs" / "search_terms.txt", tmp_path / "docs")
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# 坏笔记本", id="title")]
        + [nbformat.v4.new_code_cell(source, id=f"c{i}") for i, source in enumerate(sources)],
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "P"}},
    )
    nbformat.write(notebook, tmp_path / "docs" / "broken.ipynb")
    (tmp_path / "mkdocs.yml").write_text(NOTEBOOK_CONFIG.format(root=ROOT))
    return mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site", *options)


@pytest.mark.slow
def test_the_kernels_own_log_stays_out_of_the_build_output(tmp_path: Path) -> None:
    """ipykernel 7.4 sometimes logs 'ERROR … ZMQError' as it shuts down: not the reader's problem.

    The kernel's log (its process's stderr) is shown with --verbose, not by a plain build.
    """
    noise = 'get_ipython().kernel.log.error("the kernel logs this")'
    result = build_with_notebook(tmp_path, noise)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "the kernel logs this" not in result.stdout + result.stderr
    result = build_with_notebook(tmp_path / "verbose", noise, options=("--verbose",))
    assert "broken.ipynb: the kernel logged:" in result.stderr
    assert "the kernel logs this" in result.stderr


@pytest.mark.slow
def test_a_failing_cell_fails_the_build(tmp_path: Path) -> None:
    result = build_with_notebook(
        tmp_path,
        "weights = [0.5, 0.4]",
        "def check(weights):\n    if sum(weights) != 1:\n"
        '        raise ValueError("weights do not sum to one")\n\ncheck(weights)',
    )
    assert result.returncode != 0
    assert (
        "docs/broken.ipynb: cell 3, line 3 failed with ValueError: weights do not sum to one"
        in result.stderr
    )
    assert "Aborted with a BuildError" in result.stdout + result.stderr


@pytest.mark.slow
def test_a_warning_in_a_cell_fails_the_build(tmp_path: Path) -> None:
    result = build_with_notebook(tmp_path, 'import warnings\nwarnings.warn("sloppy")')
    assert result.returncode != 0
    assert "docs/broken.ipynb: a cell wrote to stderr" in result.stderr
    assert "UserWarning: sloppy" in result.stderr


@pytest.mark.slow
def test_allow_errors_is_refused(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    config = NOTEBOOK_CONFIG + "plugins:\n  - mkdocs-jupyter:\n      allow_errors: true\n"
    config += plugin_config("zh").replace("{", "{{").replace("}", "}}")
    (tmp_path / "mkdocs.yml").write_text(config.format(root=ROOT))
    result = mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode != 0
    assert "set allow_errors: false" in result.stderr
