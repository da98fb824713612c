"""The on-disk cache of what examples and notebook pages produced, which never lies.

An entry is one JSON file, ``<folder>/<namespace>/<key>.json``, holding the layout of the
cache, its own key, the output and the output's SHA-256. The key is a hash of everything
the output depends on (see ``fingerprint`` and the callers); the namespace is the kind
of output and the edition (``examples-zh``, ``notebooks-en``).

- A read checks the layout, the key and the checksum: a truncated, random, foreign or
  mismatched entry is a miss (the example runs again), is deleted, and is reported once
  per build, at INFO level, so the cache can never fail a strict build.
- A write goes to a temporary file in the same folder, then is renamed over the entry,
  so two builds writing at once never leave a half-written entry. A folder that cannot
  be written (read-only, full disk) turns writing off for the rest of the build, with
  one message.
- At the end of a build, entries of its namespaces that the build did not use are
  deleted, so the folder stays about the size of one build's outputs.

Deleting the folder is always safe; ``ATTNBOOK_NO_CACHE=1`` (or ``cache: false`` under
``plugins: - attnbook:``) bypasses the cache entirely.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import platform
import tempfile
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = ["LAYOUT", "NO_CACHE_VARIABLE", "DiskCache", "fingerprint"]

log = logging.getLogger("mkdocs.plugins.attnbook.cache")

LAYOUT = 1  # bump when the entries' format changes: older entries then count as foreign
NO_CACHE_VARIABLE = "ATTNBOOK_NO_CACHE"
_STALE_TEMPORARY = 3600  # seconds after which another writer's temporary file is litter


def fingerprint() -> str:
    """What every output depends on beyond its sources: Python, libraries and fonts.

    Returns:
        A hash of the Python version, the versions of numpy, torch and matplotlib, and
        the fonts matplotlib can draw with.
    """
    from matplotlib import font_manager

    parts = [platform.python_implementation(), platform.python_version()]
    for package in ("numpy", "torch", "matplotlib"):
        try:
            parts.append(f"{package}=={version(package)}")
        except PackageNotFoundError:
            parts.append(f"{package} absent")
    fonts = sorted(
        f"{font.name}|{font.style}|{font.weight}|{font.stretch}|{Path(font.fname).name}"
        for font in font_manager.fontManager.ttflist
    )
    parts += fonts
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _check(text: str, key: str) -> tuple[str | None, str]:
    """An entry's value, or None and what is wrong with it."""
    try:
        entry = json.loads(text)
    except json.JSONDecodeError:
        return None, "not a whole entry (truncated or not JSON)"
    if not isinstance(entry, dict) or entry.get("layout") != LAYOUT:
        return None, "written by another layout of the cache"
    if entry.get("key") != key:
        return None, "its key does not match its name"
    value = entry.get("value")
    if not isinstance(value, str) or entry.get("sha256") != _digest(value):
        return None, "its content does not match its checksum"
    return value, ""


class DiskCache:
    """Entries on disk under ``folder``; ``folder=None`` is a cache that holds nothing.

    Args:
        folder: Where the entries live, or None to bypass the cache.
    """

    def __init__(self, folder: Path | None) -> None:
        """Open the cache at ``folder`` (created on the first write)."""
        self.folder = folder
        self.used: dict[str, set[str]] = {}  # namespace -> keys read or written this build
        self.problems: list[str] = []
        self.writable = True

    @property
    def enabled(self) -> bool:
        """Whether the cache is in use at all."""
        return self.folder is not None

    def _path(self, namespace: str, key: str) -> Path:
        assert self.folder is not None
        return self.folder / namespace / f"{key}.json"

    def get(self, namespace: str, key: str) -> str | None:
        """The output stored under ``key``, or None on a miss or a bad entry."""
        if self.folder is None:
            return None
        self.used.setdefault(namespace, set()).add(key)
        path = self._path(namespace, key)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as error:
            self._bad(path, f"unreadable ({type(error).__name__})")
            return None
        value, problem = _check(text, key)
        if problem:
            self._bad(path, problem)
        return value

    def _bad(self, path: Path, reason: str) -> None:
        """Note a bad entry for the build's one message, and delete it if possible."""
        self.problems.append(f"{path}: {reason}")
        with contextlib.suppress(OSError):  # a read-only folder: the entry stays, ignored
            path.unlink()
        return None

    def put(self, namespace: str, key: str, value: str) -> None:
        """Store ``value`` under ``key``: written whole, then renamed into place."""
        if self.folder is None:
            return
        self.used.setdefault(namespace, set()).add(key)
        if not self.writable:
            return
        path = self._path(namespace, key)
        entry = {"layout": LAYOUT, "key": key, "sha256": _digest(value), "value": value}
        temporary = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=path.parent, prefix=".tmp-", suffix=".json", delete=False
            ) as file:
                temporary = Path(file.name)
                json.dump(entry, file, ensure_ascii=False)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except OSError as error:
            self.writable = False
            self.problems.append(f"{path.parent}: cannot write ({error}); not caching this build")
            if temporary is not None:
                with contextlib.suppress(OSError):
                    temporary.unlink()

    def finish(self, namespaces: tuple[str, ...]) -> None:
        """End of a build: prune what it did not use in ``namespaces``; report problems once."""
        if self.folder is not None and self.writable:
            for namespace in namespaces:
                self._prune(namespace)
        if self.problems:
            more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
            log.info(
                "attnbook cache: %s%s; what those entries held was made afresh",
                self.problems[0],
                more,
            )
        self.used.clear()
        self.problems.clear()
        self.writable = True

    def _prune(self, namespace: str) -> None:
        assert self.folder is not None
        folder = self.folder / namespace
        used = self.used.get(namespace, set())
        try:
            entries = list(folder.iterdir())
        except OSError:
            return
        now = time.time()
        for entry in entries:
            try:
                if entry.name.startswith(".tmp-"):
                    if now - entry.stat().st_mtime > _STALE_TEMPORARY:
                        entry.unlink()
                elif entry.suffix == ".json" and entry.stem not in used:
                    entry.unlink()
            except OSError:
                continue
