"""attnbook: attention cues, attention pooling and heatmaps for a small executable book.

Everything public is re-exported here; the chapters import from ``attnbook`` only.
Importing attnbook never imports torch: torch tensors are accepted when the reader
has imported torch themselves.

Examples:
    >>> from attnbook import attention_pooling
    >>> output, weights = attention_pooling([[1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]], [[1.0], [2.0]])
    >>> weights.sum(axis=-1)
    array([1.])
"""

from attnbook.attention import attention_pooling, average_pooling, masked_softmax, softmax
from attnbook.diagrams import DIAGRAM_LABELS, attention_cue_scene, attention_pooling_diagram
from attnbook.heatmaps import show_heatmaps
from attnbook.svg import BookFigure, to_png, to_svg

__all__ = [
    "DIAGRAM_LABELS",
    "BookFigure",
    "attention_cue_scene",
    "attention_pooling",
    "attention_pooling_diagram",
    "average_pooling",
    "masked_softmax",
    "show_heatmaps",
    "softmax",
    "to_png",
    "to_svg",
]
