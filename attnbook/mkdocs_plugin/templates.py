"""Compiled Jinja templates, kept for every build the process runs.

A build renders its pages through two Jinja environments, the theme's (MkDocs makes a
new one per build) and mkdocstrings' Python handler's (a new one per edition), and
compiling mkdocs-material's and mkdocstrings' templates from source is a third of a
rebuild under ``mkdocs serve``. Jinja's public extension point for that is a
:class:`jinja2.BytecodeCache`: the plugin, which lives as long as the process, holds one
:class:`CompiledTemplates` and gives it to each new environment, so the second edition
and every rebuild load the compiled code instead of parsing again.

Jinja keys an entry on the template's name and file and checks it against a hash of the
template's source, so an edited template (``docs/overrides/``) is compiled again.

>>> from jinja2 import DictLoader, Environment
>>> compiled = CompiledTemplates()
>>> first = Environment(loader=DictLoader({"t.html": "{{ 6 * 7 }}"}))
>>> keep_compiled(first, compiled)
>>> first.get_template("t.html").render(), len(compiled)
('42', 1)
>>> second = Environment(loader=DictLoader({"t.html": "{{ 6 * 7 }}"}))
>>> keep_compiled(second, compiled)
>>> second.get_template("t.html").render(), compiled.hits
('42', 1)
"""

from __future__ import annotations

from jinja2 import BytecodeCache, Environment
from jinja2.bccache import Bucket

__all__ = ["CompiledTemplates", "keep_compiled"]


class CompiledTemplates(BytecodeCache):
    """Compiled templates in memory, shared by every Jinja environment given it."""

    def __init__(self) -> None:
        """Start empty."""
        self._code: dict[str, bytes] = {}
        self.hits = 0
        """How many templates were loaded compiled rather than parsed."""
        self.files: set[str] = set()
        """The files of the templates asked for."""

    def __len__(self) -> int:
        """How many compiled templates are kept."""
        return len(self._code)

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        """Jinja's key for a template; its file is remembered in ``files``."""
        self.files.add(filename or name)
        return super().get_cache_key(name, filename)

    def load_bytecode(self, bucket: Bucket) -> None:
        """Fill ``bucket`` with the template's compiled code, if it is kept."""
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)
            # Jinja discards code compiled from another source (its checksum differs).
            self.hits += bucket.code is not None

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Keep the template Jinja has just compiled."""
        self._code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        """Forget every compiled template."""
        self._code.clear()


def keep_compiled(environment: Environment, compiled: CompiledTemplates) -> None:
    """Have ``environment`` load and store its compiled templates in ``compiled``."""
    environment.bytecode_cache = compiled
