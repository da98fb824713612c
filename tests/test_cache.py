"""The on-disk example cache never puts on a page what the code would not print now.

Each fault is injected between two builds of a small book; the second build's page must
be byte for byte the page of a fresh, uncached build of the same sources, and the
examples whose entries were bad must have run again. The cache also survives two
builders at once, stays the size of one build, follows the environment's fingerprint,
and is bypassed entirely by ``ATTNBOOK_NO_CACHE=1``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nbformat
import pytest

from attnbook.mkdocs_plugin import cache as disk
from attnbook.mkdocs_plugin.examples import package_hash
from tests.support import SMALL_BOOK_CONFIG as CONFIG
from tests.support import SOURCE_DATE_EPOCH, plugin_config

pytestmark = pytest.mark.slow


CHAPTER = """\
# Cached

```python exec="1" session="s" id="first"
import pathlib
log = pathlib.Path({log!r})
log.write_text(log.read_text() + "first ")
total = 20
print("first:", total)
```

Prose.

```python exec="1" session="s" id="second"
log.write_text(log.read_text() + "second ")
print("second:", total + 1)
```

```python exec="1" id="alone"
import pathlib
pathlib.Path({log!r}).write_text(pathlib.Path({log!r}).read_text() + "alone ")
print("alone")
```
"""

# The CLI, with os.replace failing as on a full disk (the cache's only rename).
FULL_DISK = """\
import errno, os, sys
def full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")
os.replace = full
from mkdocs.__main__ import cli
cli(sys.argv[1:])
"""

# The CLI, with another environment fingerprint (another numpy, another font...).
OTHER_ENVIRONMENT = """\
import sys
from attnbook.mkdocs_plugin import cache
cache.fingerprint = lambda: "another environment"
from mkdocs.__main__ import cli
cli(sys.argv[1:])
"""


@dataclass
class Build:
    ran: list[str]  # the examples that ran, in order
    page: bytes  # the built index.html
    output: str  # what mkdocs printed


@dataclass
class Book:
    root: Path
    log: Path

    @property
    def cache(self) -> Path:
        return self.root / ".cache" / "attnbook"

    def entries(self) -> list[Path]:
        return sorted(self.cache.glob("examples-*/*.json"))

    def build(self, site: str = "site", script: str | None = None, **env: str) -> Build:
        return self.wait(self.start(site, script, **env), site)

    def start(self, site: str = "site", script: str | None = None, **env: str) -> Any:
        command = ["build", "--strict", "-f", str(self.root / "mkdocs.yml"), "-d", site]
        launcher = [sys.executable, "-c", script] if script else [sys.executable, "-m", "mkdocs"]
        inherited = {k: v for k, v in os.environ.items() if k != disk.NO_CACHE_VARIABLE}
        variables = {**inherited, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, **env}
        return subprocess.Popen(
            [*launcher, *command],
            cwd=self.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=variables,
        )

    def wait(self, process: Any, site: str) -> Build:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output
        ran = self.log.read_text().split()
        self.log.write_text("")
        return Build(ran=ran, page=(self.root / site / "index.html").read_bytes(), output=output)

    def fresh(self) -> Build:
        """An uncached build of the same sources, into another folder."""
        return self.build("fresh-site", **{disk.NO_CACHE_VARIABLE: "1"})


def make_book(root: Path) -> Book:
    log = root / "log.txt"
    log.write_text("")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text(CHAPTER.format(log=str(log)))
    (root / "mkdocs.yml").write_text(CONFIG.format(plugin=plugin_config("en")))
    return Book(root=root, log=log)


@pytest.fixture
def book(tmp_path: Path) -> Book:
    return make_book(tmp_path)


@pytest.fixture(scope="module")
def fresh_page(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The page of a fresh, uncached build of the book: the same for every test's copy."""
    fresh = make_book(tmp_path_factory.mktemp("fresh")).fresh()
    assert fresh.ran == ["first", "second", "alone"]
    return fresh.page


def test_a_second_build_reuses_the_cache_and_shows_the_same_page(
    book: Book, fresh_page: bytes
) -> None:
    first = book.build()
    assert first.ran == ["first", "second", "alone"]
    assert len(book.entries()) == 3
    second = book.build()
    assert second.ran == []
    assert second.page == first.page == fresh_page
    assert b"second: 21" in second.page


def truncate(entry: Path) -> None:
    entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])


def random_bytes(entry: Path) -> None:
    entry.write_bytes(os.urandom(200))


def older_layout(entry: Path) -> None:
    data = json.loads(entry.read_text())
    data["layout"] = disk.LAYOUT - 1
    entry.write_text(json.dumps(data))


def wrong_key(entry: Path) -> None:
    data = json.loads(entry.read_text())
    data["key"] = "0" * 64
    entry.write_text(json.dumps(data))


def wrong_content(entry: Path) -> None:
    data = json.loads(entry.read_text())
    data["value"] += " (tampered with)"
    entry.write_text(json.dumps(data))


FAULTS: dict[str, Callable[[Path], None]] = {
    "truncated": truncate,
    "random bytes": random_bytes,
    "older layout": older_layout,
    "key does not match": wrong_key,
    "content does not match": wrong_content,
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_bad_entry_is_run_again_and_never_shown(
    book: Book, fault: str, fresh_page: bytes
) -> None:
    book.build()
    for entry in book.entries():
        FAULTS[fault](entry)
    second = book.build()
    assert second.ran == ["first", "second", "alone"], "every bad entry runs again"
    assert second.output.count("attnbook cache:") == 1, second.output
    assert second.page == fresh_page
    assert book.build().ran == [], "the bad entries were replaced"


def test_a_folder_that_cannot_be_written_is_no_failure(book: Book, fresh_page: bytes) -> None:
    book.build()
    namespace = book.entries()[0].parent
    for entry in book.entries():
        entry.unlink()
    namespace.rmdir()
    namespace.write_text("not a folder")  # neither readable nor writable as a folder
    second = book.build()
    assert second.ran == ["first", "second", "alone"]
    assert second.output.count("attnbook cache:") == 1, second.output
    assert second.page == fresh_page


def test_a_full_disk_is_no_failure_and_leaves_no_partial_entry(
    book: Book, fresh_page: bytes
) -> None:
    first = book.build(script=FULL_DISK)
    assert first.ran == ["first", "second", "alone"]
    assert first.output.count("attnbook cache:") == 1, first.output
    assert "No space left on device" in first.output
    assert not list(book.cache.rglob("*.json")), "nothing half-written is left"
    assert first.page == fresh_page


def test_two_builds_at_once_leave_only_whole_entries(book: Book, fresh_page: bytes) -> None:
    builds = [book.start(f"site-{index}") for index in range(2)]
    pages = [book.wait(process, f"site-{index}").page for index, process in enumerate(builds)]
    assert not list(book.cache.rglob(".tmp-*")), "no temporary file is left"
    cache = disk.DiskCache(book.cache)
    for entry in book.entries():
        assert cache.get(entry.parent.name, entry.stem) is not None, entry
    assert cache.problems == []
    third = book.build()
    assert third.ran == []
    assert pages[0] == pages[1] == third.page == fresh_page


def test_entries_no_longer_reachable_are_pruned(book: Book) -> None:
    chapter = book.root / "docs" / "index.md"
    book.build()
    for total in (21, 22, 23):
        chapter.write_text(chapter.read_text().replace(f"total = {total - 1}", f"total = {total}"))
        assert book.build().ran == ["first", "second"], "the edited session runs again"
    assert len(book.entries()) == 3, "one entry per example of the last build"


def test_a_changed_environment_runs_every_example_again(book: Book, fresh_page: bytes) -> None:
    book.build()
    assert book.build().ran == []
    other = book.build(script=OTHER_ENVIRONMENT)
    assert other.ran == ["first", "second", "alone"]
    assert other.page == fresh_page


def test_the_fingerprint_follows_library_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    before = disk.fingerprint()
    assert disk.fingerprint() == before
    real = disk.version
    monkeypatch.setattr(disk, "version", lambda name: "0.0" if name == "numpy" else real(name))
    assert disk.fingerprint() != before


def test_the_package_hash_follows_the_views_script(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Outputs embed attnbook/views.js (a figure's script for Jupyter): editing it is a change."""
    package = tmp_path / "attnbook"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "views.js").write_text("(() => {})();")
    spec = SimpleNamespace(submodule_search_locations=[str(package)])
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: spec)
    before = package_hash()
    (package / "views.js").write_text("(() => { console.log(1); })();")
    assert package_hash() != before


def test_the_bypass_runs_everything_and_writes_nothing(book: Book) -> None:
    book.build()
    assert book.fresh().ran == ["first", "second", "alone"]
    for entry in book.entries():
        entry.unlink()
    book.build(**{disk.NO_CACHE_VARIABLE: "1"})
    assert book.entries() == [], "the bypass writes no entry"


NOTEBOOK_CONFIG = """\
site_name: notebook cache
docs_dir: docs
plugins:
  - mkdocs-jupyter:
      execute: true
      allow_errors: false
      cache: false
{plugin}"""


def test_a_notebook_page_is_cached_until_the_notebook_changes(tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    log.write_text("")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    code = (
        f"import pathlib\nlog = pathlib.Path({str(log)!r})\n"
        "log.write_text(log.read_text() + 'ran ')\nprint(6 * 7)"
    )
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Play", id="title"),
            nbformat.v4.new_code_cell(code, id="run"),
        ],
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "P"}},
    )
    nbformat.write(notebook, tmp_path / "docs" / "play.ipynb")
    (tmp_path / "mkdocs.yml").write_text(NOTEBOOK_CONFIG.format(plugin=plugin_config("en")))
    book = Book(root=tmp_path, log=log)
    first = book.build()
    assert first.ran == ["ran"]
    page = (tmp_path / "site" / "play" / "index.html").read_bytes()
    assert b"42" in page
    assert book.build().ran == [], "the second build takes the page from the cache"
    assert (tmp_path / "site" / "play" / "index.html").read_bytes() == page
    assert len(list(book.cache.glob("notebooks-*/*.json"))) == 1
    notebook.cells[1].source = code.replace("6 * 7", "6 * 8")
    nbformat.write(notebook, tmp_path / "docs" / "play.ipynb")
    assert book.build().ran == ["ran"], "an edited notebook runs again"
    assert b"48" in (tmp_path / "site" / "play" / "index.html").read_bytes()
    assert len(list(book.cache.glob("notebooks-*/*.json"))) == 1, "the old page is pruned"
