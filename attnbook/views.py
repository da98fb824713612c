"""Interactive views of attention weights for web pages and Jupyter, with no server or CDN.

Each view is one self-contained piece of HTML: its data, and optionally the one script
that brings every view to life, ``attnbook/views.js`` (``views_script``), shipped
inside the package. The book's site loads that script once per page (``mkdocs.yml``'s
``extra_javascript``) and the chapters print ``view.to_html(script=False)``; in Jupyter a
view shows itself with the script inlined, and running the script again is harmless.
The same script makes every heatmap of ``attnbook.to_svg`` interactive (hover, tap or
arrow keys show the query, the key and the weight), which is why a ``BookFigure`` shown
in Jupyter inlines it too.

- ``attention_view``: the model view (a thumbnail per layer and head; open one to see
  it at full size with its tokens) and the token view (hover a token: the others are
  shaded by how much it attends to them). Weights travel as 256 levels, one byte a
  weight, deflated (by whichever of zlib's strategies gives the fewest bytes) and in
  base64: a 12 × 12 × 128 × 128 grid is tens of KB to about 1 MB, depending on how
  peaked the heads are.
- ``pooling_explorable``: attention pooling with a Gaussian kernel over keys on a
  line, with sliders for the query and the kernel's width; the page computes what
  ``attention_pooling(score="gaussian")`` computes.
"""

from __future__ import annotations

import base64
import html
import json
import math
import numbers
import zlib
from collections.abc import Collection, Iterable, Sequence, Sized
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote

import numpy as np
from matplotlib.colors import Colormap
from numpy.typing import NDArray

from attnbook._arrays import check_finite, describe, to_numpy

__all__ = [
    "AttentionView",
    "PoolingExplorable",
    "attention_view",
    "pooling_explorable",
    "views_script",
]

#: What a view shows where its script does not run, in both of the book's languages.
_FALLBACK = (
    '<p class="ab-fallback">This interactive view needs JavaScript. '
    "这个交互视图需要 JavaScript。</p>"
)


@cache
def views_script() -> str:
    """Return the script behind attnbook's interactive views, ``attnbook/views.js``.

    Taught in: "Visualizing attention" (docs/03-visualizing-attention.md).

    It enhances every heatmap SVG of ``attnbook.to_svg`` on the page and every view of
    [`attention_view`][attnbook.attention_view] and
    [`pooling_explorable`][attnbook.pooling_explorable], and re-scans the page when
    run again, so pages may include it once or once per figure. No framework, nothing
    loaded from another host.

    Returns:
        The JavaScript source, free of ``</script`` so that it can be inlined.

    Examples:
        >>> script = views_script()
        >>> "attnbookViews" in script, "</script" in script
        (True, False)
    """
    script = (resources.files("attnbook") / "views.js").read_text(encoding="utf-8")
    if "</script" in script.lower():  # pragma: no cover - a guard on the shipped file
        raise RuntimeError("attnbook/views.js must not contain '</script'")
    return script


# What a data: URL in a double-quoted attribute may hold as it is: base64's own characters
# and the loader's punctuation. Quotes, spaces, "&", "<", ">", "#" and "%" are encoded.
_URL_SAFE = "/+=(){};,.!"


def _script_tag() -> str:
    """Return ``<script>`` running ``views_script()``, for an HTML output that carries it.

    The script travels deflated (base64), inside a small loader, as a ``data:`` URL: no
    page pipeline that rewrites text, such as one typesetting ``$…$`` as math, can touch
    it, it loads nothing, and a notebook of many figures stays light (about 16 KB each).
    The loader is percent-encoded, not base64-encoded a second time: base64 passes
    through a URL as it is, four thirds smaller than encoded again.

    Examples:
        >>> _script_tag().startswith('<script src="data:text/javascript,(function()')
        True
    """
    return f'<script src="data:text/javascript,{quote(_loader(), safe=_URL_SAFE)}"></script>'


@cache
def _loader() -> str:
    packed = base64.b64encode(zlib.compress(views_script().encode("utf-8"), 9)).decode()
    # Runs the inflated script as a script element of its own; a second copy re-scans.
    return (
        "(function(){if(window.attnbookViews){window.attnbookViews.scan();return}"
        f'var t=atob("{packed}"),b=new Uint8Array(t.length);'
        "for(var i=0;i<t.length;i++)b[i]=t.charCodeAt(i);"
        'var d=new DecompressionStream("deflate"),w=d.writable.getWriter();w.write(b);w.close();'
        "new Response(d.readable).text().then(function(s){"
        'var e=document.createElement("script");e.textContent=s;document.head.appendChild(e)})})()'
    )


def _json_attribute(data: dict[str, Any]) -> str:
    """The data as JSON in an HTML attribute's value (quoted with ``"``).

    An attribute, not a ``<script type="application/json">``: mkdocs-material's instant
    navigation re-creates every script of a new page to run it, whatever its type.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return html.escape(text, quote=True)


class _HTMLView:
    """What the views share: their HTML, with or without the script, and Jupyter display."""

    _kind = ""

    def _data(self) -> dict[str, Any]:  # pragma: no cover - every view overrides it
        raise NotImplementedError

    def to_html(self, *, script: bool = True) -> str:
        """Return the view as one piece of HTML.

        Args:
            script: Whether to inline the views' script (as Jupyter needs). A page that
                loads ``attnbook/views.js`` itself, as the book's site does, passes False.

        Returns:
            A ``<div>`` holding the view's data as JSON (in ``data-spec``) and a line for
            readers without JavaScript, followed by a ``<script>`` if ``script`` is true.
        """
        if not isinstance(script, bool):
            raise TypeError(f"script must be a bool, got {describe(script)}")
        html = (
            f'<div class="{self._kind}" data-search-exclude data-spec="'
            f'{_json_attribute(self._data())}">{_FALLBACK}</div>'
        )
        return html + _script_tag() if script else html

    def _repr_html_(self) -> str:
        """Return the self-contained widget, for Jupyter."""
        return self.to_html()

    def _repr_mimebundle_(
        self, include: Collection[str] | None = None, exclude: Collection[str] | None = None
    ) -> dict[str, str]:
        """Return the widget (``text/html``) and a one-line description (``text/plain``)."""
        renderers = {"text/html": self._repr_html_, "text/plain": self.__repr__}
        return {
            mimetype: render()
            for mimetype, render in renderers.items()
            if (include is None or mimetype in include)
            and (exclude is None or mimetype not in exclude)
        }


class AttentionView(_HTMLView):
    """Attention weights of layers × heads as an interactive model view and token view.

    Made by [`attention_view`][attnbook.attention_view]; shows itself in Jupyter, and
    ``to_html`` gives the same widget for a web page.

    Attributes:
        levels: The weights as levels 0 to 255, shape (layers, heads, queries, keys).
        low: The weight of level 0.
        high: The weight of level 255.
        query_tokens: One label per query.
        key_tokens: One label per key.
        layer_names: One name per layer, or ``None`` for "Layer 1", … in the page's language.
        head_names: One name per head, or ``None`` for "Head 1", … in the page's language.
        palette: The colour of each level, shape (256, 3), RGB bytes.
    """

    _kind = "attnbook-view"

    def __init__(
        self,
        levels: NDArray[np.uint8],
        low: float,
        high: float,
        query_tokens: list[str],
        key_tokens: list[str],
        layer_names: list[str] | None,
        head_names: list[str] | None,
        palette: NDArray[np.uint8],
    ) -> None:
        """Hold checked data; use [`attention_view`][attnbook.attention_view] to make one."""
        self.levels = levels
        self.low = low
        self.high = high
        self.query_tokens = query_tokens
        self.key_tokens = key_tokens
        self.layer_names = layer_names
        self.head_names = head_names
        self.palette = palette

    @property
    def step(self) -> float:
        """The weight between two neighbouring levels; a weight is within half of it."""
        return (self.high - self.low) / 255

    def weights(self) -> NDArray[np.float64]:
        """Return the weights as the page shows them: each level's weight.

        Returns:
            Shape (layers, heads, queries, keys), float64.
        """
        return self.low + self.step * self.levels.astype(np.float64)

    def __repr__(self) -> str:
        """Describe the view in one line."""
        layers, heads, queries, keys = self.levels.shape
        return (
            f"<AttentionView: {layers} layer(s) × {heads} head(s), {queries} queries × "
            f"{keys} keys, weights {self.low:.3g} to {self.high:.3g}>"
        )

    def _data(self) -> dict[str, Any]:
        layers, heads, queries, keys = self.levels.shape
        compressed = _deflate(np.ascontiguousarray(self.levels).tobytes())
        return {
            "layers": layers,
            "heads": heads,
            "queries": queries,
            "keys": keys,
            "query_tokens": self.query_tokens,
            "key_tokens": self.key_tokens,
            "layer_names": self.layer_names,
            "head_names": self.head_names,
            "token_view": self.query_tokens == self.key_tokens,
            "low": self.low,
            "high": self.high,
            "palette": base64.b64encode(self.palette.tobytes()).decode(),
            "levels": base64.b64encode(compressed).decode(),
        }


def _deflate(data: bytes) -> bytes:
    """Compress with zlib at level 9, by whichever strategy gives the fewest bytes.

    Heads with structure (diagonals, stripes) deflate best with zlib's default, string
    matching; diffuse heads, whose levels are mostly a few small values, with Huffman
    coding alone (a seventh smaller for softmax of random scores) or runs. Any of them
    is plain zlib data, for the page's DecompressionStream: the page's HTML is smaller,
    so quicker to parse, and the page decodes no slower.

    Examples:
        >>> import random
        >>> diffuse = bytes(random.Random(0).choices(range(4), [8, 2, 1, 1], k=9999))
        >>> len(_deflate(diffuse)) < len(zlib.compress(diffuse, 9))
        True
        >>> zlib.decompress(_deflate(diffuse)) == diffuse
        True
    """
    candidates = []
    for strategy in (zlib.Z_DEFAULT_STRATEGY, zlib.Z_RLE, zlib.Z_HUFFMAN_ONLY):
        compressor = zlib.compressobj(9, zlib.DEFLATED, 15, 9, strategy)
        candidates.append(compressor.compress(data) + compressor.flush())
    return min(candidates, key=len)


def attention_view(
    weights: object,
    tokens: Sequence[str] | None = None,
    *,
    key_tokens: Sequence[str] | None = None,
    layer_names: Sequence[str] | None = None,
    head_names: Sequence[str] | None = None,
    cmap: str | Colormap = "Reds",
) -> AttentionView:
    """Make an interactive view of attention weights: the model view and the token view.

    Taught in: "Visualizing attention" (docs/03-visualizing-attention.md).

    The model view shows one thumbnail per layer and head; clicking or tapping one opens
    that head at full size with its tokens (hover, tap or arrow keys give the query, the
    key and the weight; Escape or the back button returns). When the queries are the
    keys (self-attention), the token view below shows the sentence: hover or focus a
    token and the others are shaded by how much it attends to them, for the layer and
    head chosen (opening a head chooses it). Labels follow the page's language (Chinese
    or English).

    Weights are stored as 256 levels between ``min(0, lowest weight)`` and the highest
    weight, coloured like ``show_heatmaps`` colours them; a weight shown is within half a
    level of the true one.

    Args:
        weights: Attention weights of shape (queries, keys), (heads, queries, keys),
            (layers, heads, queries, keys), or a model's per-layer weights with a batch
            of one, (layers, 1, heads, queries, keys) — e.g. a transformers model's
            ``outputs.attentions``. numpy arrays, nested lists or torch tensors.
        tokens: One label per query; by default their positions. They also label the
            keys when there are as many keys as queries and ``key_tokens`` is not given.
        key_tokens: One label per key, if the keys are not the queries.
        layer_names: One name per layer; by default the script names them "Layer 1", …
            in the page's language.
        head_names: One name per head; by default "Head 1", …, likewise.
        cmap: A matplotlib colormap or its name, as for ``show_heatmaps``.

    Returns:
        An [`AttentionView`][attnbook.AttentionView]: the last expression of a Jupyter
        cell shows it; ``to_html(script=False)`` gives its HTML for a page that loads the script.

    Raises:
        TypeError: If ``weights`` is not numbers, a label list is not a list of str, or
            ``cmap`` is neither a name nor a Colormap.
        ValueError: If ``weights`` has the wrong number of dimensions, is empty or not
            finite, or a label list has the wrong length; if ``cmap`` is unknown.

    Examples:
        >>> import numpy as np
        >>> weights = np.full((2, 3, 4, 4), 0.25)
        >>> view = attention_view(weights, ["I", "read", "a", "book"])
        >>> view
        <AttentionView: 2 layer(s) × 3 head(s), 4 queries × 4 keys, weights 0 to 0.25>
        >>> bool(abs(view.weights() - weights).max() <= view.step / 2)
        True
        >>> view.to_html(script=False).startswith('<div class="attnbook-view"')
        True
        >>> attention_view(weights, ["I", "read"])
        Traceback (most recent call last):
        ...
        ValueError: tokens must have 4 item(s), one per query, got 2: ['I', 'read']
    """
    from attnbook.heatmaps import _check_cmap  # the same colormaps as show_heatmaps

    grid = _weights_grid(weights)
    layers, heads, n_queries, n_keys = grid.shape
    query_tokens = _labels(tokens, n_queries, "tokens", "one per query")
    if key_tokens is not None:
        keys = _labels(key_tokens, n_keys, "key_tokens", "one per key")
    elif tokens is not None and n_keys != n_queries:
        raise ValueError(
            f"weights has {n_queries} queries but {n_keys} keys: give key_tokens, one per key"
        )
    else:
        keys = query_tokens if tokens is not None else [str(k) for k in range(n_keys)]
    colormap = _check_cmap(cmap)
    low = min(0.0, float(grid.min()))
    high = float(grid.max())
    if high <= low:
        high = low + 1.0  # all weights equal: any scale shows them
    levels = np.rint((grid - low) / (high - low) * 255).astype(np.uint8)
    palette = np.rint(colormap(np.linspace(0.0, 1.0, 256))[:, :3] * 255).astype(np.uint8)
    return AttentionView(
        levels=levels,
        low=low,
        high=high,
        query_tokens=query_tokens,
        key_tokens=keys,
        layer_names=_optional_labels(layer_names, layers, "layer_names", "one per layer"),
        head_names=_optional_labels(head_names, heads, "head_names", "one per head"),
        palette=palette,
    )


def _weights_grid(weights: object) -> NDArray[np.float64]:
    """Check ``weights`` and return it as (layers, heads, queries, keys)."""
    array = to_numpy(weights, "weights")
    if array.ndim == 5:
        if array.shape[1] != 1:
            raise ValueError(
                f"weights has shape {tuple(array.shape)}: (layers, batch, heads, queries, "
                f"keys) with a batch of {array.shape[1]}; view one example at a time, e.g. "
                "[layer[0:1] for layer in attentions]"
            )
        array = array[:, 0]
    if array.ndim not in (2, 3, 4):
        raise ValueError(
            "weights must have shape (queries, keys), (heads, queries, keys), (layers, "
            "heads, queries, keys) or (layers, 1, heads, queries, keys), got shape "
            f"{tuple(array.shape)}"
        )
    if array.size == 0:
        raise ValueError(f"weights must not be empty, got shape {tuple(array.shape)}")
    check_finite(array, "weights")
    return array.reshape((1,) * (4 - array.ndim) + array.shape)


def _labels(labels: object, expected: int, name: str, what: str) -> list[str]:
    """Check a list of labels; ``None`` gives the positions as labels."""
    checked = _optional_labels(labels, expected, name, what)
    return checked if checked is not None else [str(i) for i in range(expected)]


def _optional_labels(labels: object, expected: int, name: str, what: str) -> list[str] | None:
    if labels is None:
        return None
    if isinstance(labels, (str, bytes)) or not isinstance(labels, (Iterable)):
        raise TypeError(f"{name} must be a list of str, {what}, got {describe(labels)}")
    items = list(labels) if not isinstance(labels, Sized) else labels
    if len(items) != expected:
        raise ValueError(
            f"{name} must have {expected} item(s), {what}, got {len(items)}: {labels!r:.60}"
        )
    checked = []
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{name} must hold str, got {describe(item)}: {item!r:.40}")
        checked.append(item)
    return checked


class PoolingExplorable(_HTMLView):
    """Gaussian-kernel attention pooling over keys on a line, with sliders.

    Made by [`pooling_explorable`][attnbook.pooling_explorable].

    Attributes:
        keys: The keys' positions.
        values: One value per key.
        query: The query's first position.
        bandwidth: The kernel's first width.
        bandwidth_range: The slider's narrowest and widest kernel.
        alt: What the plot shows, for screen readers.
    """

    _kind = "attnbook-pooling"

    def __init__(
        self,
        keys: list[float],
        values: list[float],
        query: float,
        bandwidth: float,
        bandwidth_range: tuple[float, float],
        alt: str,
    ) -> None:
        """Hold checked data; [`pooling_explorable`][attnbook.pooling_explorable] makes one."""
        self.keys = keys
        self.values = values
        self.query = query
        self.bandwidth = bandwidth
        self.bandwidth_range = bandwidth_range
        self.alt = alt

    def __repr__(self) -> str:
        """Describe the explorable in one line."""
        return (
            f"<PoolingExplorable: {len(self.keys)} keys, query {self.query:.3g}, "
            f"bandwidth {self.bandwidth:.3g}>"
        )

    def _data(self) -> dict[str, Any]:
        return {
            "keys": self.keys,
            "values": self.values,
            "query": self.query,
            "query_range": [min(self.keys), max(self.keys)],
            "bandwidth": self.bandwidth,
            "bandwidth_range": list(self.bandwidth_range),
            "alt": self.alt,
        }


def pooling_explorable(
    keys: Sequence[float] | NDArray[Any],
    values: Sequence[float] | NDArray[Any],
    *,
    query: float | None = None,
    bandwidth: float = 0.2,
    bandwidth_range: tuple[float, float] = (0.02, 5.0),
    alt: str = "Attention pooling with a Gaussian kernel",
) -> PoolingExplorable:
    """Make an explorable of attention pooling with a Gaussian kernel.

    Taught in: "Visualizing attention" (docs/03-visualizing-attention.md).

    The keys lie on a line, each with a value. Two sliders move the query along the keys
    and change the kernel's width σ (on a log scale); the bars show the weights and a
    ring the pooled output, which for a wide kernel settles on the dashed line of average
    pooling. The page computes exactly what
    ``attention_pooling([[query]], keys, values, "gaussian", bandwidth=σ)`` computes.

    Args:
        keys: The keys' positions: at least two finite numbers, not all equal.
        values: One finite number per key.
        query: The query's first position, within the keys' range; by default the middle.
        bandwidth: The kernel's first width, within ``bandwidth_range``.
        bandwidth_range: The narrowest and widest width the slider reaches, positive.
        alt: What the plot shows, for screen readers (in the page's language).

    Returns:
        A [`PoolingExplorable`][attnbook.PoolingExplorable], shown by Jupyter;
        ``to_html(script=False)`` for a page that loads the script.

    Raises:
        TypeError: If a number is not a real number or ``alt`` not a str.
        ValueError: If the keys and values differ in length, are too few or not finite,
            the keys are all equal, or ``query``/``bandwidth`` is out of its range.

    Examples:
        >>> keys, values = [0.0, 0.5, 1.0], [1.0, 3.0, 2.0]
        >>> explorable = pooling_explorable(keys, values, bandwidth=0.3)
        >>> explorable
        <PoolingExplorable: 3 keys, query 0.5, bandwidth 0.3>
        >>> pooling_explorable([0.0, 1.0], [1.0, 2.0], query=3.0)
        Traceback (most recent call last):
        ...
        ValueError: query must lie within the keys' range [0, 1], got 3.0
    """
    key_list = _finite_list(keys, "keys")
    value_list = _finite_list(values, "values")
    if len(key_list) < 2:
        raise ValueError(f"keys must hold at least 2 positions, got {len(key_list)}")
    if len(value_list) != len(key_list):
        raise ValueError(
            f"values must have one number per key ({len(key_list)}), got {len(value_list)}"
        )
    low, high = min(key_list), max(key_list)
    if low == high:
        raise ValueError(f"keys must not all be equal, got {key_list!r:.60}")
    start = (low + high) / 2 if query is None else _real(query, "query")
    if not low <= start <= high:
        raise ValueError(f"query must lie within the keys' range [{low:g}, {high:g}], got {query}")
    if not isinstance(bandwidth_range, tuple) or len(bandwidth_range) != 2:
        raise TypeError(
            f"bandwidth_range must be a tuple (narrowest, widest), got {describe(bandwidth_range)}"
        )
    narrow, wide = (_real(x, "bandwidth_range") for x in bandwidth_range)
    if not 0 < narrow < wide:
        raise ValueError(
            f"bandwidth_range must be two positive numbers, narrowest first, got {bandwidth_range}"
        )
    width = _real(bandwidth, "bandwidth")
    if not narrow <= width <= wide:
        raise ValueError(
            f"bandwidth must lie within bandwidth_range [{narrow:g}, {wide:g}], got {bandwidth}"
        )
    if not isinstance(alt, str):
        raise TypeError(f"alt must be a str, got {describe(alt)}")
    return PoolingExplorable(key_list, value_list, start, width, (narrow, wide), alt)


def _real(x: object, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {describe(x)}")
    value = float(x)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {x!r}")
    return value


def _finite_list(x: object, name: str) -> list[float]:
    array = to_numpy(x, name)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one number per key (1-D), got shape {array.shape}")
    check_finite(array, name)
    return [float(v) for v in array]
