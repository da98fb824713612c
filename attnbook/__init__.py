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
from attnbook.views import (
    AttentionView,
    PoolingExplorable,
    attention_view,
    pooling_explorable,
    views_script,
)

__all__ = [
    "DIAGRAM_LABELS",
    "AttentionView",
    "BookFigure",
    "PoolingExplorable",
    "attention_cue_scene",
    "attention_pooling",
    "attention_pooling_diagram",
    "attention_view",
    "average_pooling",
    "masked_softmax",
    "pooling_explorable",
    "show_heatmaps",
    "softmax",
    "to_png",
    "to_svg",
    "views_script",
]
