"""The book's build touches other packages' internals only in its compat modules.

Each compat module names the package, the version pinned in ``.ci/constraints.txt`` and
the internals it uses; its contract fails with a message naming all three when an
internal moves (an upgrade), and the rest of the build imports nothing private.
"""

from __future__ import annotations

import ast
import re
from importlib.metadata import version
from pathlib import Path

import pytest

from attnbook.mkdocs_plugin.compat import Contract
from attnbook.mkdocs_plugin.compat import jieba as jieba_compat
from attnbook.mkdocs_plugin.compat import markdown_exec as markdown_exec_compat
from attnbook.mkdocs_plugin.compat import mkdocs_autorefs as mkdocs_autorefs_compat
from attnbook.mkdocs_plugin.compat import mkdocs_jupyter as mkdocs_jupyter_compat
from attnbook.mkdocs_plugin.compat import mkdocs_static_i18n as mkdocs_static_i18n_compat
from tests.support import ROOT

CONTRACTS = [
    jieba_compat.CONTRACT,
    markdown_exec_compat.CONTRACT,
    mkdocs_autorefs_compat.CONTRACT,
    mkdocs_jupyter_compat.CONTRACT,
    mkdocs_static_i18n_compat.CONTRACT,
]
PLUGIN = ROOT / "attnbook" / "mkdocs_plugin"


def pinned(package: str) -> str:
    constraints = (ROOT / ".ci" / "constraints.txt").read_text(encoding="utf-8")
    found = re.search(rf"^{re.escape(package)}==(\S+)$", constraints, re.MULTILINE)
    assert found, f"{package} is not pinned in .ci/constraints.txt"
    return found[1]


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda contract: contract.package)
def test_the_contract_names_the_pinned_version(contract: Contract) -> None:
    assert contract.pinned == pinned(contract.package)
    assert version(contract.package) == contract.pinned, (
        f"{contract.package} {version(contract.package)} is installed, the build is written "
        f"for {contract.pinned}: install with -c .ci/constraints.txt"
    )


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda contract: contract.package)
def test_every_internal_the_build_uses_is_where_it_was(contract: Contract) -> None:
    assert contract.check() == []


def test_a_moved_internal_is_named_with_its_package_and_version() -> None:
    moved = Contract(
        "markdown-exec",
        "1.12.6",
        ("markdown_exec._internal.formatters.python:_run_python_renamed",),
    )
    [problem] = moved.check()
    assert "markdown-exec (pinned 1.12.6, installed 1.12.6)" in problem
    assert "markdown_exec._internal.formatters.python:_run_python_renamed" in problem
    gone = Contract("mkdocs-jupyter", "0.26.3", ("mkdocs_jupyter.nbconvert3:nb2html",))
    assert "mkdocs_jupyter.nbconvert3:nb2html" in gone.check()[0]
    instance = "mkdocs_autorefs:AutorefsPlugin()._url_map_renamed"
    assert instance in Contract("mkdocs-autorefs", "1.4.5", (instance,)).check()[0]


def private_uses(path: Path) -> list[str]:
    """Imports of another package's private names, and assignments to its attributes."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported_modules: set[str] = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            foreign = not node.module.startswith(("attnbook", "__future__"))
            names = [alias.name for alias in node.names]
            if foreign and (
                any(part.startswith("_") for part in node.module.split("."))
                or any(name.startswith("_") for name in names)
            ):
                found.append(f"{path.name}:{node.lineno}: from {node.module} import {names}")
            if foreign:
                imported_modules.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if not alias.name.startswith("attnbook"):
                    imported_modules.add(alias.asname or alias.name.split(".")[0])
                if any(part.startswith("_") for part in alias.name.split(".")):
                    found.append(f"{path.name}:{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id in imported_modules
                ):
                    found.append(
                        f"{path.name}:{node.lineno}: assigns {target.value.id}.{target.attr}"
                    )
    return found


def test_only_the_compat_modules_touch_internals() -> None:
    outside = [path for path in PLUGIN.rglob("*.py") if "compat" not in path.parts]
    assert outside
    assert [use for path in outside for use in private_uses(path)] == []


def test_the_check_of_internals_can_fail(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from markdown_exec._internal import main\n"
        "from mkdocs_jupyter import nbconvert2\n"
        "nbconvert2.nb2html = None\n",
        encoding="utf-8",
    )
    uses = private_uses(sample)
    assert len(uses) == 2 and "sample.py:1" in uses[0] and "assigns nbconvert2.nb2html" in uses[1]
    assert private_uses(PLUGIN / "compat" / "mkdocs_jupyter.py"), "the compat module does"


def test_a_user_dictionary_loaded_again_segments_as_the_first_time(tmp_path: Path) -> None:
    """mkdocs-material loads it on every build; search must not drift from build to build."""
    import jieba

    dictionary = tmp_path / "terms.txt"
    dictionary.write_text("注意力汇聚 200000 n\n热力图 200000 n\n", encoding="utf-8")
    text = "读热力图时，注意力汇聚的权重突出性和易见性都看得见"

    def load() -> None:  # as mkdocs-material does on each build, after the plugin's on_config
        jieba_compat.forget_user_words(dictionary)
        with dictionary.open("rb") as words:
            jieba.load_userdict(words)

    load()
    first, total = jieba.lcut(text), jieba.dt.total
    for _ in range(3):
        load()
    assert jieba.dt.total == total
    assert jieba.lcut(text) == first
    assert "注意力汇聚" in first and "热力图" in first
