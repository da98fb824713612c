"""The example cache of attnbook/mkdocs_plugin/examples.py: what a serve rebuild runs again.

``mkdocs serve`` rebuilds in the same process; these tests build a small site three
times in one fresh process, as serve does, and read which examples ran.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support import SMALL_BOOK_CONFIG as CONFIG
from tests.support import plugin_config

pytestmark = pytest.mark.slow


CHAPTER = """\
# Cache

Prose.

```python exec="1" session="s" id="first"
import pathlib
log = pathlib.Path({log!r})
log.write_text(log.read_text() + "first ")
total = 20
```

```python exec="1" session="s" id="second"
log.write_text(log.read_text() + "second ")
print("total:", total + 1)
```

```python exec="1" id="alone"
import pathlib
pathlib.Path({log!r}).write_text(pathlib.Path({log!r}).read_text() + "alone ")
```
"""

BUILDS = """\
import json, sys
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config

root, log = Path(sys.argv[1]), Path(sys.argv[2])
chapter = root / "docs" / "index.md"
edits = [
    None,
    lambda text: text.replace("Prose.", "Prose, edited."),  # prose only
    lambda text: text.replace("total + 1", "total + 2"),  # the second example
]
runs = []
for edit in edits:
    if edit:
        chapter.write_text(edit(chapter.read_text()))
    log.write_text("")
    build(load_config(str(root / "mkdocs.yml"), site_dir=str(root / "site")))
    html = (root / "site" / "index.html").read_text()
    runs.append({"ran": log.read_text().split(), "total": html.count("total: 21"),
                 "total2": html.count("total: 22")})
print(json.dumps(runs))
"""


def three_builds(root: Path, log: Path) -> list[dict[str, object]]:
    """Build the site at ``root`` cold, after a prose edit and after a code edit."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(BUILDS), str(root), str(log)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    runs: list[dict[str, object]] = json.loads(result.stdout.strip().splitlines()[-1])
    return runs


def test_a_rebuild_runs_only_what_changed(tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(CHAPTER.format(log=str(log)))
    (tmp_path / "mkdocs.yml").write_text(CONFIG.format(plugin=plugin_config("en")))
    cold, prose, example = three_builds(tmp_path, log)
    assert cold == {"ran": ["first", "second", "alone"], "total": 1, "total2": 0}
    assert prose == {"ran": [], "total": 1, "total2": 0}  # the page shows the kept output
    # The edited example runs after the example before it in its session, which it needs.
    assert example == {"ran": ["first", "second"], "total": 0, "total2": 1}


# The same site with mkdocs-static-i18n: index.md and index.en.md, built in turn.
I18N_CONFIG = CONFIG.replace(
    "plugins:\n",
    """plugins:
  - i18n:
      docs_structure: suffix
      fallback_to_default: false
      languages:
        - locale: zh
          name: 中文
          default: true
        - locale: en
          name: English
""",
)


def test_each_edition_keeps_its_own_outputs(tmp_path: Path) -> None:
    """mkdocs-static-i18n builds the editions in turn; neither may evict the other's."""
    log = tmp_path / "log.txt"
    (tmp_path / "docs").mkdir()
    chapter = CHAPTER.format(log=str(log))
    (tmp_path / "docs" / "index.md").write_text(chapter)
    english = chapter.replace("Prose.", "English prose.").replace('"total:"', '"sum:"')
    (tmp_path / "docs" / "index.en.md").write_text(english)
    (tmp_path / "mkdocs.yml").write_text(I18N_CONFIG.format(plugin=plugin_config("zh", "en")))
    cold, prose, example = three_builds(tmp_path, log)
    assert cold["ran"] == ["first", "second", "alone"] * 2  # both editions, once each
    assert prose["ran"] == [], "a prose edit reruns no example in either edition"
    assert example["ran"] == ["first", "second"], "only the edited edition reruns its example"
