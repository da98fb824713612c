"""Strictness under ``mkdocs serve``: the server's request log is not a build warning.

A small strict book is served on a free port of 127.0.0.1. While a rebuild runs (its one
example waits long enough), something asks for a page that does not exist; the rebuild
must still finish and serve the edit. A real warning (a failing example) still fails a
strict rebuild and names its file and line, and the server runs on and serves the fix;
``mkdocs build --strict`` still fails on a broken link.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support import plugin_config

pytestmark = pytest.mark.slow

CONFIG = """\
site_name: serve
site_url: http://127.0.0.1/book/
docs_dir: docs
strict: true
plugins:
  - markdown-exec
{plugin}markdown_extensions:
  - pymdownx.superfences
"""

CHAPTER = """\
# Served

Prose.

```python exec="1" id="slow"
import pathlib, time
pathlib.Path({marker!r}).write_text("started")
time.sleep(3)  # long enough for a request to arrive during the rebuild
print("edition one")
```
"""

TIMEOUT = 120  # seconds for any one thing the server must do


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A running ``mkdocs serve`` and the lines it has written to stderr so far."""

    process: subprocess.Popen[str]
    url: str
    lines: list[str] = field(default_factory=list)

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        tail = "\n".join(self.lines[-30:])
        raise AssertionError(f"mkdocs serve: {what} did not happen:\n{tail}")

    def line_after(self, start: int, text: str) -> bool:
        return any(text in line for line in self.lines[start:])

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=TIMEOUT) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, ""


def write_book(root: Path, marker: Path) -> Path:
    (root / "docs").mkdir(parents=True)
    chapter = root / "docs" / "index.md"
    chapter.write_text(CHAPTER.format(marker=str(marker)), encoding="utf-8")
    (root / "mkdocs.yml").write_text(CONFIG.format(plugin=plugin_config("en")), encoding="utf-8")
    return chapter


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Server, Path, Path]]:
    """A small strict book served by ``mkdocs serve``; always stopped afterwards."""
    marker = tmp_path / "example-started"
    chapter = write_book(tmp_path / "book", marker)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=tmp_path / "book",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = Server(process=process, url=f"http://127.0.0.1:{port}")

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            server.lines.append(line.rstrip())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        server.wait_for(lambda: server.line_after(0, "Serving on"), "serving")
        yield server, chapter, marker
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        reader.join(timeout=10)
        assert process.stderr is not None
        process.stderr.close()


def edit(chapter: Path, old: str, new: str) -> None:
    text = chapter.read_text(encoding="utf-8")
    assert old in text
    chapter.write_text(text.replace(old, new), encoding="utf-8")


def test_a_404_during_a_rebuild_does_not_abort_it(served: tuple[Server, Path, Path]) -> None:
    server, chapter, marker = served
    status, page = server.get("/book/")
    assert status == 200 and "edition one" in page
    # A notebook downloaded from the dev server links to the published book, not to it.
    status, notebook = server.get("/book/notebooks/index.ipynb")
    assert status == 200 and "http://127.0.0.1/book/" in notebook
    assert server.url not in notebook
    marker.unlink()
    start = len(server.lines)
    edit(chapter, 'print("edition one")', 'print("edition two")')
    server.wait_for(marker.exists, "the edited example starting")
    # Outside the site's path: answered at once, while the example still runs.
    assert server.get("/02-queries-keys-values/")[0] == 404
    server.wait_for(lambda: server.line_after(start, "Reloading browsers"), "the rebuild")
    rebuild = "\n".join(server.lines[start:])
    request = r'INFO\s+-\s+\[[\d:]+\] "GET /02-queries-keys-values/ HTTP/1.1" code 404'
    assert re.search(request, rebuild), rebuild
    assert "Aborted" not in rebuild and "stuck" not in rebuild, rebuild
    status, page = server.get("/book/")
    assert status == 200 and "edition two" in page

    # A real warning still fails the strict rebuild, with its file and line; the server
    # runs on (mkdocs holds requests until a rebuild succeeds) and serves the fix.
    start = len(server.lines)
    edit(chapter, 'print("edition two")', 'raise ValueError("broken on purpose")')
    server.wait_for(lambda: server.line_after(start, "Aborted with"), "the failed rebuild")
    failed = "\n".join(server.lines[start:])
    assert "docs/index.md:9: example failed with ValueError: broken on purpose" in failed
    assert server.process.poll() is None, "the server keeps running"
    start = len(server.lines)
    edit(chapter, 'raise ValueError("broken on purpose")', 'print("edition three")')
    server.wait_for(lambda: server.line_after(start, "Reloading browsers"), "the fixed rebuild")
    status, page = server.get("/book/")
    assert status == 200 and "edition three" in page


def test_a_broken_link_still_fails_a_strict_build(tmp_path: Path) -> None:
    chapter = write_book(tmp_path, tmp_path / "marker")
    edit(chapter, "Prose.", "Prose with a [broken link](gone.md).")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "'index.md' contains a link 'gone.md'" in output, output
    assert "Aborted with 1 warnings in strict mode" in output, output


TEMPLATES_BOOK = """\
site_name: templates
docs_dir: docs
theme:
  name: material
  language: en
plugins:
  - mkdocstrings
{plugin}"""


def test_the_builds_of_one_serve_process_share_compiled_templates(tmp_path: Path) -> None:
    """A rebuild loads the theme's and mkdocstrings' templates compiled, not parsed again."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# API\n\n::: attnbook.softmax\n", "utf-8")
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text(TEMPLATES_BOOK.format(plugin=plugin_config("en")), "utf-8")

    def serve_build() -> Any:
        config = load_config(str(config_file), site_dir=str(tmp_path / "site"))
        build(config)
        return config

    first = load_config(str(config_file), site_dir=str(tmp_path / "site"))
    first.plugins.on_startup(command="serve", dirty=False)
    book = first.plugins["attnbook"]
    book.rendered.enabled = False  # render the API page again: its templates are the test
    build(first)
    compiled, hits = len(book.templates), book.templates.hits
    assert compiled > 20, "the theme's templates and mkdocstrings' were compiled once"

    used = " ".join(sorted(book.templates.files))
    assert "/material/templates/" in used and "/mkdocstrings_handlers/python/" in used, used

    second = serve_build()
    assert second.plugins["attnbook"] is book, "mkdocs keeps the plugin across rebuilds"
    assert len(book.templates) == compiled, "nothing was compiled again"
    assert book.templates.hits - hits >= compiled


REUSE_BOOK = """\
site_name: reuse
docs_dir: docs
theme:
  name: material
  language: en
plugins:
  - search
  - markdown-exec
  - mkdocstrings
{plugin}markdown_extensions:
  - pymdownx.superfences
"""
REUSE_PAGES = {
    "index.md": "# Home\n\nSee [softmax][attnbook.softmax] and [part two](chapter.md#two).\n",
    "api.md": "# API\n\n::: attnbook.softmax\n\n::: attnbook.masked_softmax\n",
    "chapter.md": (
        '# Chapter\n\n```python exec="1" session="c"\nx = 6 * 7\n```\n\n'
        '## Two\n\nProse.\n\n```python exec="1" session="c"\nprint(x)\n```\n'
    ),
    "warned.md": "# Warned\n\nA [broken link](gone.md) is logged again on every rebuild.\n",
}


def site_files(site: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(site)): path.read_bytes() for path in site.rglob("*") if path.is_file()
    }


def test_a_rebuild_under_serve_reuses_what_did_not_change(tmp_path: Path) -> None:
    """Unchanged pages are not rendered again, and the site is the same as a fresh build's."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in REUSE_PAGES.items():
        (docs / name).write_text(text, "utf-8")
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text(REUSE_BOOK.format(plugin=plugin_config("en")), "utf-8")

    def serve_build(site: str, reuse: bool = True) -> dict[str, bytes]:
        config = load_config(str(config_file), site_dir=str(tmp_path / site))
        config.plugins["attnbook"].rendered.enabled = reuse
        build(config)
        return site_files(tmp_path / site)

    first = load_config(str(config_file), site_dir=str(tmp_path / "first"))
    first.plugins.on_startup(command="serve", dirty=False)
    build(first)
    book = first.plugins["attnbook"]
    assert book.rendered.enabled and book.rendered.reused == {"en": []}
    fresh = site_files(tmp_path / "first")
    cached = sorted((tmp_path / ".cache").rglob("*.json"))
    assert cached, "the examples' outputs are in the disk cache"

    again = serve_build("again")
    assert sorted(book.rendered.reused["en"]) == ["api.md", "chapter.md", "index.md"]
    assert "warned.md" not in book.rendered.reused["en"], "its warning is not hidden"
    assert again == fresh, "a reused page gives the site a fresh build gives (links, objects.inv)"
    assert sorted((tmp_path / ".cache").rglob("*.json")) == cached, "reused pages keep theirs"

    edit(docs / "chapter.md", "Prose.", "Prose, edited.")
    edited = serve_build("edited")
    assert sorted(book.rendered.reused["en"]) == ["api.md", "index.md"]
    assert "Prose, edited." in edited["chapter/index.html"].decode()
    assert edited == serve_build("reference", reuse=False)
