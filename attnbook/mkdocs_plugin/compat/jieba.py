"""jieba internals: its word frequencies, so a user dictionary loaded again adds nothing.

mkdocs-material's search loads ``search.jieba_dict_user`` into jieba in its
``on_config``, which runs again for every build of the process (the second edition, each
rebuild of ``mkdocs serve``). jieba adds a word's frequency to its running total on each
load, so every rebuild shifted the probabilities it segments Chinese with, and the search
index under ``serve`` drifted from a fresh build's. Before each load the build puts back
the total and the frequencies of the dictionary's words as they were before the first:
loading the dictionary then gives the same state every time. jieba offers no public way
to remove a word's frequency, so its tokenizer's ``FREQ`` and ``total`` are used here.
"""

from __future__ import annotations

from pathlib import Path

import jieba

from attnbook.mkdocs_plugin.compat import Contract

__all__ = ["CONTRACT", "forget_user_words"]

CONTRACT = Contract(
    "jieba",
    "0.42.1",
    ("jieba:dt.FREQ", "jieba:dt.total", "jieba:dt.check_initialized"),
)

_BEFORE: dict[str, tuple[int, dict[str, int | None]]] = {}  # dictionary -> state before it


def forget_user_words(dictionary: Path) -> None:
    """Undo what loading the user ``dictionary`` into jieba did, if it was loaded before.

    The first call records jieba's total and the frequency of each of the dictionary's
    words and their prefixes; later calls restore them.
    """
    tokenizer = jieba.dt
    tokenizer.check_initialized()
    key = str(dictionary.resolve())
    if key not in _BEFORE:
        words = [line.split()[0] for line in dictionary.read_text("utf-8").splitlines() if line]
        pieces = {word[:end] for word in words for end in range(1, len(word) + 1)}
        _BEFORE[key] = (tokenizer.total, {piece: tokenizer.FREQ.get(piece) for piece in pieces})
        return
    total, frequencies = _BEFORE[key]
    tokenizer.total = total
    for piece, frequency in frequencies.items():
        if frequency is None:
            tokenizer.FREQ.pop(piece, None)
        else:
            tokenizer.FREQ[piece] = frequency
