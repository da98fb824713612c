"""Heatmaps of attention weights: panels of query × key matrices on one shared colour scale.

``show_heatmaps`` draws each matrix of weights as a panel whose rows are queries and whose
columns are keys. All panels share a single colour scale, so the one colorbar is true for
every panel. The figure is returned, never shown: it displays itself in Jupyter, and
``attnbook.to_svg`` turns it into an inline SVG whose cells tell their query, key and
weight on hover. Nothing global changes: no pyplot, no rcParams.

A small grid gets one matplotlib axes per panel, with every cell a vector shape in SVG.
A model-size grid (e.g. 12 layers × 12 heads) is *composed* instead: all panels are one
image of palette indices (see ``attnbook._raster``) in one axes, with the labels, titles
and colorbar drawn once and the layout computed once, which is many times faster and
smaller. Both show the same values on the same colour scale with the same labels.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import re
import unicodedata
from collections.abc import Iterable, Sized
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from matplotlib import colormaps, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.colorbar import Colorbar
from matplotlib.colors import Colormap, Normalize
from matplotlib.image import AxesImage
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path
from matplotlib.ticker import FuncFormatter, MaxNLocator
from numpy.typing import ArrayLike, NDArray

from attnbook import _style
from attnbook._arrays import check_finite, describe, to_numpy
from attnbook._raster import IndexedRaster, RasterImage, colour_indices
from attnbook.svg import MAX_HOVER_CELLS, BookFigure

__all__ = ["show_heatmaps"]

_FIGURE_INCHES = (0.5, 100)  # figsize's range: smaller leaves no room; larger cannot render
_PANEL_INCHES = 2.5  # a panel's size when figsize is omitted, as d2l's default figure
_AUTO_FIGURE = (10.0, 10.0)  # the most figsize=None grows to: what a page or notebook shows
_MIN_PANEL = 0.05  # inches: a figsize leaving panels smaller than this is an error
_TEXT_POINTS = 9.0  # the figures' font size
_TICK_SPACING = 1.6  # tick labels stand at least this many text heights apart
_MAX_TICK_STEPS = 6  # an axis or the colorbar is a scale to read, not a ruler
_CHARACTER_POINTS = 5.5  # rough width of a narrow character at 9 pt; wide ones count twice
_COMMON_CMAPS = ("Reds", "Blues", "Greens", "Greys", "Purples", "viridis", "magma", "YlOrRd")
# Layout, in inches: figures are laid out once, when they are made.
_PAD = 0.04  # around everything
_PANEL_SPACING = 0.1  # between the axes of neighbouring panels
_COLORBAR_GAP = 0.15  # between the panels and the colorbar
# A composed grid:
_PNG_DPI = 100  # to_png's default dpi, at which every cell is a whole number of pixels
_PANEL_GAP = 1 / 16  # space between panels, as a fraction of a panel (at least one cell)
_MIN_TOKEN_POINTS = 6.0  # cells narrower than this get index ticks instead of token labels
_CJK = re.compile(r"[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]")  # labels in Chinese (or kin)


@dataclass(frozen=True)
class _Texts:
    """The checked labels and titles of a grid of heatmaps."""

    xlabel: str
    ylabel: str
    column_titles: list[str] | None
    row_titles: list[str] | None
    key_labels: list[str] | None
    query_labels: list[str] | None
    exponent: int = 0  # the drawn weights times 2 ** exponent are the reader's weights


def show_heatmaps(
    matrices: ArrayLike,
    xlabel: str,
    ylabel: str,
    titles: Iterable[str] | None = None,
    figsize: tuple[float, float] | None = None,
    cmap: str | Colormap = "Reds",
    *,
    row_titles: Iterable[str] | None = None,
    xticklabels: Iterable[str] | None = None,
    yticklabels: Iterable[str] | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
    composed: bool | None = None,
) -> BookFigure:
    """Draw matrices of attention weights as heatmaps that share one colour scale.

    Taught in: "Visualizing attention" (docs/03-visualizing-attention.md).

    Each matrix is a panel: its rows are queries (the y axis) and its columns are keys
    (the x axis). Panels are laid out in a grid of display rows and display columns, as
    in d2l's function of the same name, whose parameters (names, order and meaning)
    come first here: one title per display column (above the top row), the x label
    under the bottom row, the y label beside the first column and a single colorbar.
    ``figsize``, as in d2l, is the size of the whole figure, and the panels, labels and
    colorbar are fitted inside it (tick labels thin out rather than collide); omitted,
    the figure grows with the grid, 2.5 inches a panel (d2l's default figure for one),
    up to 10 × 10 inches.

    Unlike d2l's, all panels are coloured on one scale, from the smallest to the
    largest value of all panels unless ``vmin`` or ``vmax`` is given, so the colorbar is
    true for every panel. A constant input, or one whose values differ only by rounding
    (a few units in the last place), is coloured on the scale from 0 to its value.
    Values of any finite size, down to 1e-308 and up to 1.7e308, are coloured and
    labelled truly.

    Model outputs are taken as they come: a tuple or list of per-layer weights (what a
    transformers model returns as ``outputs.attentions``, one ``(batch, heads, queries,
    keys)`` tensor per layer) is a grid of layers × heads, and a batch of one is
    dropped; for a larger batch, pick one example first (``[layer[i] for layer in
    attentions]``).

    A grid of more than ``attnbook.svg.MAX_HOVER_CELLS`` (4096) cells in all, such as
    the 12 layers × 12 heads of a BERT-size model, is *composed* unless ``composed``
    says otherwise: the panels become one image in one axes, with the x label, y label
    and colorbar drawn once for the whole grid, ticks only along its bottom and left
    edges, and the cells sized to a whole number of pixels at 100 dpi (at least one
    pixel a cell, so a grid too fine for ``figsize`` makes a larger figure).
    It is drawn and exported many times faster, as one lossless indexed PNG inside the
    SVG; its cells have hover texts only when there are at most 4096 of them. Token
    labels on cells narrower than 6 points are replaced by a few indices.

    Nothing global changes: no pyplot figure is opened and no rcParams are touched. The
    returned figure shows itself when it is the last expression of a Jupyter cell, as
    the SVG of ``attnbook.to_svg(fig)`` (the one the book's pages print), in which
    hovering a cell shows its query, key and weight, e.g. "Queries 3, Keys 5: 0.12",
    with a PNG for front-ends that show no HTML. The figure is laid
    out once, when it is made, so that an export draws it only once; something added to
    it later must find its own room.

    Args:
        matrices: The weights: a numpy array, nested lists or a torch tensor of any real
            dtype (float16 and bfloat16 included, on any device, with or without
            ``requires_grad``), or a tuple or list of them (one per layer). Its shape is
            ``(queries, keys)`` for one panel, ``(columns, queries, keys)`` for a row of
            panels, ``(rows, columns, queries, keys)`` for a grid of panels, or
            ``(layers, 1, heads, queries, keys)`` for a model's layers with a batch of
            one.
        xlabel: The label of the x axis (the keys), shown under the bottom row.
        ylabel: The label of the y axis (the queries), shown beside the first column.
        titles: One title per display column, or ``None``.
        figsize: The width and height of the whole figure, in inches (from 0.5 to
            100), as in d2l; ``None`` (the default) for 2.5 inches a panel, at most
            10 × 10 inches in all.
        cmap: The name of a matplotlib colormap, or a ``Colormap``.
        row_titles: One title per display row (e.g. layer names), or ``None``.
        xticklabels: One label per key (e.g. tokens), or ``None`` for key indices.
        yticklabels: One label per query (e.g. tokens), or ``None`` for query indices.
        vmin: The value drawn in the colormap's first colour; default the smallest weight.
        vmax: The value drawn in the colormap's last colour; default the largest weight.
        composed: Whether to compose the panels into one image: ``None`` (the default)
            composes grids of more than 4096 cells, ``True`` always, ``False`` never
            (one axes per panel, slow for large grids).

    Returns:
        The figure, a ``matplotlib.figure.Figure`` (an ``attnbook.svg.BookFigure``) with
        one axes per panel, then the colorbar's axes; or, composed, one axes holding
        one image of all panels (an ``attnbook._raster.RasterImage``: its array holds
        palette indices, its ``weights`` the weights), then the colorbar's axes.

    Raises:
        TypeError: If an argument has the wrong type, or ``matrices`` is not real numbers.
        ValueError: If ``matrices`` has the wrong number of dimensions, is empty, is
            ragged or holds NaN or infinite values; if ``titles``, ``row_titles`` or the
            tick labels have the wrong length; if ``figsize`` is not two numbers from
            0.5 to 100 or leaves no room for the panels; if ``matrices`` is a batch of
            more than one model output; if ``cmap`` is unknown; if ``vmin`` is not below
            ``vmax``; or if a composed grid would need more than 256 colours (a
            colormap of more colours).

    Examples:
        >>> import numpy as np
        >>> fig = show_heatmaps(np.eye(10).reshape((1, 1, 10, 10)), "Keys", "Queries")
        >>> len(fig.axes)  # one panel and the colorbar
        2
        >>> grid = np.full((2, 3, 4, 5), 0.2)
        >>> fig = show_heatmaps(grid, "Keys", "Queries", titles=["a", "b", "c"])
        >>> len(fig.axes), fig.axes[0].images[0].norm.vmax
        (7, 0.2)
        >>> model = np.full((12, 12, 8, 8), 1 / 8)  # 12 layers × 12 heads: composed
        >>> fig = show_heatmaps(model, "Keys", "Queries")
        >>> len(fig.axes), fig.axes[0].images[0].get_array().shape  # with gaps
        (2, (107, 107))
        >>> fig = show_heatmaps(model, "Keys", "Queries", figsize=(7, 7))  # as d2l
        >>> fig.get_size_inches()
        array([7., 7.])

        A PyTorch module's weights per head, and a model's tuple of per-layer weights:

        >>> import torch
        >>> mha = torch.nn.MultiheadAttention(8, num_heads=2, batch_first=True)
        >>> x = torch.randn(1, 5, 8)
        >>> _, weights = mha(x, x, x, need_weights=True, average_attn_weights=False)
        >>> weights.shape  # (batch, heads, queries, keys); it requires grad
        torch.Size([1, 2, 5, 5])
        >>> fig = show_heatmaps(weights, "Keys", "Queries", titles=["Head 1", "Head 2"])
        >>> attentions = (weights, weights.to(torch.bfloat16))  # one per layer
        >>> fig = show_heatmaps(attentions, "Keys", "Queries", row_titles=["L1", "L2"])
        >>> len(fig.axes)  # 2 layers × 2 heads and the colorbar
        5
        >>> show_heatmaps(np.ones(4), "Keys", "Queries")
        Traceback (most recent call last):
        ...
        ValueError: matrices must have 2, 3 or 4 dimensions ((queries, keys), (columns,
        queries, keys) or (rows, columns, queries, keys)), or 5 for a model's per-layer
        weights with a batch of one ((layers, 1, heads, queries, keys)), got shape (4,)
    """
    weights = _grid_of_matrices(matrices)
    n_rows, n_cols, n_queries, n_keys = weights.shape
    texts = _Texts(
        xlabel=_check_label(xlabel, "xlabel"),
        ylabel=_check_label(ylabel, "ylabel"),
        column_titles=_check_labels(titles, n_cols, "titles", "one per display column"),
        row_titles=_check_labels(row_titles, n_rows, "row_titles", "one per display row"),
        key_labels=_check_labels(xticklabels, n_keys, "xticklabels", "one per key"),
        query_labels=_check_labels(yticklabels, n_queries, "yticklabels", "one per query"),
    )
    size = _check_figsize(figsize)
    colormap = _check_cmap(cmap)
    low, high = _colour_limits(weights, vmin, vmax)
    # Drawn values are scaled by a power of two (exact) when their range would overflow
    # or their size fall out of matplotlib's reach; the colorbar's labels undo it.
    exponent = _drawing_exponent(low, high)
    if exponent:
        weights = np.ldexp(weights, -exponent)
    norm = Normalize(math.ldexp(low, -exponent), math.ldexp(high, -exponent))
    if composed is None:
        composed = weights.size > MAX_HOVER_CELLS
    elif not isinstance(composed, (bool, np.bool_)):
        raise TypeError(f"composed must be True, False or None, got {describe(composed)}")
    draw = _composed_heatmaps if composed else _panel_heatmaps
    with rc_context(_style.rc_params()):
        fig = draw(weights, dataclasses.replace(texts, exponent=exponent), size, colormap, norm)
    fig.alt_text = _describe_heatmap(texts.xlabel, texts.ylabel, n_rows * n_cols, low, high)
    return fig


def _panel_heatmaps(
    weights: NDArray[np.float64],
    texts: _Texts,
    figsize: tuple[float, float] | None,
    colormap: Colormap,
    norm: Normalize,
) -> BookFigure:
    """Draw one axes per panel, each cell a vector shape in SVG with its hover text."""
    n_rows, n_cols = weights.shape[:2]
    if figsize is None:
        width, height = _auto_panel_inches(n_rows, n_cols)
        figsize = (width * n_cols, height * n_rows)
    fig = BookFigure(figsize=figsize, laid_out=True)
    axes = fig.subplots(n_rows, n_cols, sharex=True, sharey=True, squeeze=False)
    for i in range(n_rows):
        for j in range(n_cols):
            ax: Axes = axes[i, j]
            image = ax.imshow(
                weights[i, j], cmap=colormap, norm=norm, interpolation="none", aspect="auto"
            )
            image.set_clip_on(False)  # it fills the axes exactly: no clip path needed
            _frame(ax)
            if i == n_rows - 1:
                ax.set_xlabel(texts.xlabel)
            if j == 0:
                ax.set_ylabel(texts.ylabel)
                if texts.row_titles is not None:
                    _add_row_title(ax, texts.row_titles[i])
            if i == 0 and texts.column_titles is not None:
                ax.set_title(texts.column_titles[j])
            # to_svg finds the image by its gid and lays a hover text over each cell.
            gid = f"attnbook-heatmap-{i}-{j}"
            image.set_gid(gid)
            fig.cell_titles[gid] = _hover_texts(weights[i, j], texts, _panel_names(texts, i, j))
            fig.cell_axes[gid] = _cell_axes(texts)
    colorbar = fig.colorbar(image, cax=fig.add_axes((0.0, 0.0, 1.0, 1.0)))
    _style_colorbar(colorbar, image, norm, texts.exponent)
    _fit_panels(fig, axes, colorbar, texts)
    return fig


def _composed_heatmaps(
    weights: NDArray[np.float64],
    texts: _Texts,
    figsize: tuple[float, float] | None,
    colormap: Colormap,
    norm: Normalize,
) -> BookFigure:
    """Draw all panels as one image in one axes, laid out once, edge to edge."""
    n_rows, n_cols, n_queries, n_keys = weights.shape
    step_x = n_keys + math.ceil(n_keys * _PANEL_GAP)  # a panel and the gap after it
    step_y = n_queries + math.ceil(n_queries * _PANEL_GAP)
    width, height = n_cols * step_x - (step_x - n_keys), n_rows * step_y - (step_y - n_queries)

    codes, palette = colour_indices(weights, colormap, norm)
    indices = np.zeros((n_rows, step_y, n_cols, step_x), np.uint8)
    indices[:, :n_queries, :, :n_keys] = codes.transpose(0, 2, 1, 3)
    del codes
    raster = IndexedRaster(
        indices=np.ascontiguousarray(indices.reshape(n_rows * step_y, -1)[:height, :width]),
        palette=palette,
        rows=tuple((i * step_y, i * step_y + n_queries) for i in range(n_rows)),
        columns=tuple((j * step_x, j * step_x + n_keys) for j in range(n_cols)),
    )
    del indices

    fig = BookFigure(laid_out=True)  # _fit_figure sizes it
    grid = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    image = RasterImage(
        grid,
        raster=raster,
        weights=weights,
        cmap=colormap,
        norm=norm,
        interpolation="none",
        origin="upper",
        extent=(-0.5, width - 0.5, height - 0.5, -0.5),
    )
    image.set_clip_on(False)
    image.set_gid("attnbook-heatmaps")
    grid.add_image(image)
    grid.set_xlim(-0.5, width - 0.5)
    grid.set_ylim(height - 0.5, -0.5)
    grid.set_frame_on(False)  # each panel gets its own frame instead
    grid.add_patch(_panel_frames(raster))
    _label_grid(grid, raster, texts)
    if weights.size <= MAX_HOVER_CELLS:
        fig.cell_titles["attnbook-heatmaps"] = _grid_hover_texts(weights, raster, texts)
        fig.cell_axes["attnbook-heatmaps"] = _cell_axes(texts)
    colorbar = fig.colorbar(image, cax=fig.add_axes((0.0, 0.0, 1.0, 1.0)))
    _style_colorbar(colorbar, image, norm, texts.exponent)
    _fit_figure(fig, grid, colorbar, raster, texts, figsize)
    return fig


# --- checking the arguments ----------------------------------------------------------


def _grid_of_matrices(matrices: object) -> NDArray[np.float64]:
    """Check ``matrices`` and return it as a 4-D array (rows, columns, queries, keys)."""
    array = to_numpy(matrices, "matrices")
    if array.ndim == 5:  # a model's layers, each (batch, heads, queries, keys)
        layers, batch = array.shape[:2]
        if batch != 1:
            raise ValueError(
                f"matrices has shape {tuple(array.shape)}: {layers} layer(s) of a batch of "
                f"{batch} examples (layers, batch, heads, queries, keys); show one example "
                "at a time, e.g. [layer[0] for layer in attentions] for the first"
            )
        array = array[:, 0]
    if array.ndim not in (2, 3, 4):
        raise ValueError(
            "matrices must have 2, 3 or 4 dimensions ((queries, keys), (columns, queries, "
            "keys) or (rows, columns, queries, keys)), or 5 for a model's per-layer "
            "weights with a batch of one ((layers, 1, heads, queries, keys)), got shape "
            f"{tuple(array.shape)}"
        )
    if array.size == 0:
        raise ValueError(
            f"matrices must not be empty, got shape {tuple(array.shape)} "
            "(every dimension must be at least 1)"
        )
    check_finite(array, "matrices")
    return array.reshape((1,) * (4 - array.ndim) + array.shape)


def _check_label(label: object, name: str) -> str:
    if not isinstance(label, str):
        raise TypeError(f"{name} must be a str, got {describe(label)}: {label!r:.40}")
    return label


def _check_labels(labels: object, expected: int, name: str, what: str) -> list[str] | None:
    """Check a list of titles or tick labels and return it as strings."""
    if labels is None:
        return None
    if (
        isinstance(labels, (str, bytes))
        or not isinstance(labels, Iterable)
        or not isinstance(labels, Sized)
    ):
        raise TypeError(
            f"{name} must be a list of str, {what}, got {describe(labels)}: {labels!r:.40}"
        )
    if len(labels) != expected:
        raise ValueError(
            f"{name} must have {expected} item(s), {what}, got {len(labels)}: {labels!r:.60}"
        )
    return [str(label) for label in labels]


def _check_figsize(figsize: object) -> tuple[float, float] | None:
    """Return ``figsize`` as two floats, or ``None`` for a figure that grows with the grid."""
    if figsize is None:
        return None
    low, high = _FIGURE_INCHES
    message = (
        f"figsize must be None or two numbers from {low:g} to {high:g}, the width and "
        f"height of the whole figure in inches (as in d2l), got {figsize!r:.60}"
    )
    if isinstance(figsize, (str, bytes)) or not isinstance(figsize, (tuple, list, np.ndarray)):
        raise TypeError(message)
    if len(figsize) != 2:
        raise ValueError(message)
    sizes = []
    for size in figsize:
        if isinstance(size, (bool, np.bool_)) or not isinstance(size, (int, float, np.number)):
            raise TypeError(message)
        if np.iscomplexobj(size) or not low <= size <= high:
            raise ValueError(message)
        sizes.append(float(size))
    return sizes[0], sizes[1]


def _check_cmap(cmap: object) -> Colormap:
    if isinstance(cmap, Colormap):
        return cmap
    if not isinstance(cmap, str):
        raise TypeError(f"cmap must be a colormap name or a Colormap, got {describe(cmap)}")
    if cmap in colormaps:
        return colormaps[cmap]
    close = difflib.get_close_matches(cmap, list(colormaps), n=3)
    hint = f"did you mean {', '.join(map(repr, close))}? " if close else ""
    raise ValueError(
        f"cmap {cmap!r} is not a matplotlib colormap; {hint}"
        f"valid names include {', '.join(_COMMON_CMAPS)} (see matplotlib.colormaps)"
    )


def _check_limit(value: object, name: str) -> float | None:
    if value is None:
        return None
    message = f"{name} must be a finite real number or None, got {describe(value)}: {value!r:.40}"
    if isinstance(value, (bool, str, bytes)):
        raise TypeError(message)
    try:
        array = to_numpy(value, name)
    except (TypeError, ValueError):
        raise TypeError(message) from None
    if array.ndim != 0 or not np.isfinite(array):
        raise TypeError(message)
    return float(array)


def _drawing_exponent(low: float, high: float) -> int:
    """The power of two to divide the weights by before drawing: 0 unless they are extreme.

    matplotlib computes ``high - low`` (infinite beyond 1.7e308) and treats a scale
    smaller than about 1e-287 as empty; a power of two moves the weights to around 1
    exactly, and the colorbar's labels multiply back.
    """
    size = max(abs(low), abs(high))
    return 0 if 1e-150 < size < 1e150 else math.frexp(size)[1]


def _colour_limits(weights: NDArray[np.float64], vmin: object, vmax: object) -> tuple[float, float]:
    """Return one (vmin, vmax) for all panels: the range of the data unless given."""
    low, high = _check_limit(vmin, "vmin"), _check_limit(vmax, "vmax")
    smallest, largest = float(weights.min()), float(weights.max())
    # Values that differ only by rounding (a few units in the last place) are constant.
    rounding = 8 * np.spacing(max(abs(smallest), abs(largest)))
    if low is None and high is None and largest - smallest <= rounding:
        # A constant input: colour it on the scale from 0 to its value (0 to 1 if zero).
        value = float(weights.max())
        low, high = min(value, 0.0), max(value, 0.0)
        if low == high:
            high = 1.0
    given = low is not None and high is not None
    low = float(weights.min()) if low is None else low
    high = float(weights.max()) if high is None else high
    if not low < high:
        raise ValueError(
            f"vmin must be less than vmax, got vmin={low:g} and vmax={high:g}"
            + ("" if given else " (the other one comes from the data)")
        )
    return low, high


# --- drawing -------------------------------------------------------------------------


def _display_width(text: str) -> int:
    """Width of ``text`` in columns: East Asian wide characters count twice."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _index_bins(length_points: float, n: int, axis: str) -> int:
    """How many index ticks an axis has room for: at most six, fewer if short.

    Along x the labels stand side by side: each needs its digits' width and a text
    height of space before the next. Along y they are stacked ``_TICK_SPACING`` text
    heights apart. Labels then never run into each other.
    """
    if axis == "x":
        spacing = len(str(max(n - 1, 0))) * _CHARACTER_POINTS + _TEXT_POINTS
    else:
        spacing = _TICK_SPACING * _TEXT_POINTS
    return int(min(_MAX_TICK_STEPS, max(1, length_points / spacing)))


def _index_bins_across_and_down(
    width_points: float, height_points: float, n_keys: int, n_queries: int, indices: bool
) -> tuple[int, int]:
    """``_index_bins`` along x and y; a square matrix of indices steps alike on both.

    Examples:
        >>> _index_bins_across_and_down(60, 108, 10, 10, indices=False)  # tokens, say
        (4, 6)
        >>> _index_bins_across_and_down(60, 108, 10, 10, indices=True)  # 0, 5 both ways
        (4, 4)
    """
    x_bins = _index_bins(width_points, n_keys, "x")
    y_bins = _index_bins(height_points, n_queries, "y")
    if indices and n_keys == n_queries:
        x_bins = y_bins = min(x_bins, y_bins)
    return x_bins, y_bins


def _index_locator(bins: int) -> MaxNLocator:
    """Ticks at whole indices, as in d2l's 0, 2, 4, 6, 8, at most ``bins`` steps apart."""
    return MaxNLocator(nbins=bins, integer=True, steps=[1, 2, 5, 10], min_n_ticks=1)


def _index_ticks(n: int, bins: int) -> list[int]:
    """The indices of ``n`` cells that ``_index_locator(bins)`` ticks."""
    ticks = _index_locator(bins).tick_values(-0.5, n - 0.5)
    return [int(tick) for tick in ticks if 0 <= tick <= n - 1]


def _token_ticks(
    labels: list[str], cell_points: float, upright: bool
) -> tuple[list[int], list[str]]:
    """Every token if the cells are tall enough for a line of text, else every k-th."""
    room = cell_points if upright else cell_points * 2  # side by side labels may overhang
    step = max(1, math.ceil(_TICK_SPACING * _TEXT_POINTS / max(room, 1e-9)))
    if step == 1:
        return list(range(len(labels))), labels
    return list(range(0, len(labels), step)), labels[::step]


def _upright(labels: list[str], cell_points: float) -> bool:
    """Whether key labels must turn upright: they would not fit side by side."""
    widest = max(_display_width(label) for label in labels) * _CHARACTER_POINTS
    return widest > 0.9 * cell_points


def _set_ticks(ax: Axes, texts: _Texts, n_queries: int, n_keys: int) -> None:
    """Tick a panel for its size now: token labels, thinned if need be, else indices."""
    # Labels without tick marks, as in most attention plots: lighter, and smaller as SVG.
    ax.tick_params(labelfontfamily=list(_style.font_family()), bottom=False, left=False)
    box = ax.get_position()
    width, height = ax.get_figure(root=True).get_size_inches()  # type: ignore[union-attr]
    width_points, height_points = 72 * box.width * width, 72 * box.height * height
    x_bins, y_bins = _index_bins_across_and_down(
        width_points,
        height_points,
        n_keys,
        n_queries,
        indices=texts.key_labels is None and texts.query_labels is None,
    )
    if texts.key_labels is None:
        ax.xaxis.set_major_locator(_index_locator(x_bins))
    else:
        cell = width_points / n_keys
        upright = _upright(texts.key_labels, cell)
        positions, labels = _token_ticks(texts.key_labels, cell, upright=upright)
        ax.set_xticks(positions, labels, rotation=90 if upright else 0)
    if texts.query_labels is None:
        ax.yaxis.set_major_locator(_index_locator(y_bins))
    else:
        ax.set_yticks(*_token_ticks(texts.query_labels, height_points / n_queries, upright=True))


def _frame(ax: Axes) -> None:
    """Outline the panel with one rectangle instead of four spines (one path in SVG)."""
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.add_patch(
        Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, linewidth=0.8, clip_on=False)
    )


def _add_row_title(ax: Axes, title: str) -> None:
    """Write a row's title in bold left of its y label, turned like the label."""
    ax.annotate(
        title,
        xy=(0, 0.5),
        xycoords=ax.yaxis.label,
        xytext=(-6, 0),
        textcoords="offset points",
        ha="right",
        va="center",
        rotation=90,
        rotation_mode="anchor",
        fontweight="bold",
    )


def _colorbar_ticks(colorbar: Colorbar, length_inches: float) -> None:
    """Round ticks as close together as the colorbar's length leaves room for, no closer.

    The step is the smallest of 1, 2 or 5 times a power of ten that keeps the labels
    ``_TICK_SPACING`` text heights apart, and cuts the range into at most
    ``_MAX_TICK_STEPS`` steps (a tall colorbar gets 0.2 apart, not 0.05). A colorbar
    needs two labels to show its range: if that step leaves fewer on it, a smaller step
    is taken, down to labels one text height apart; with no room for two, one tick marks
    the middle.

    Examples:
        >>> fig = show_heatmaps(np.array([[0.025, 0.9]]), "k", "q", figsize=(3, 1.5))
        >>> fig.axes[-1].get_yticks()  # 0.5 alone would not tell the range
        array([0.2, 0.4, 0.6, 0.8])
    """
    low, high = float(colorbar.norm.vmin), float(colorbar.norm.vmax)  # type: ignore[arg-type]
    per_text = (high - low) * _TEXT_POINTS / max(72 * length_inches, 1e-9)  # one text height
    smallest = max(per_text * _TICK_SPACING, (high - low) / _MAX_TICK_STEPS)
    power = 10.0 ** math.floor(math.log10(smallest))
    steps = [power * m for m in (0.1, 0.2, 0.5, 1, 2, 5, 10)]
    step = next(step for step in steps if step >= smallest)
    ticks = _multiples(step, low, high)
    for smaller in reversed([s for s in steps if per_text <= s < step]):
        if len(ticks) >= 2:
            break
        ticks = _multiples(smaller, low, high)
    if not ticks:
        ticks = [float(f"{(low + high) / 2:.2g}")]
    colorbar.set_ticks(ticks)


def _multiples(step: float, low: float, high: float) -> list[float]:
    """The multiples of ``step`` from ``low`` to ``high``, rounded to what they print as."""
    first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
    return [round(k * step, 12) if abs(step) >= 1e-12 else k * step for k in range(first, last + 1)]


def _style_colorbar(colorbar: Colorbar, image: AxesImage, norm: Normalize, exponent: int) -> None:
    """Style the one colorbar: a colour ramp, no outline, labels of the reader's values."""
    colorbar.outline.set_visible(False)
    colorbar.ax.tick_params(length=2.5)
    if exponent:  # the weights were drawn scaled: label the ticks with the true values
        colorbar.formatter = FuncFormatter(partial(_format_scaled, exponent=exponent))
    low, high = float(norm.vmin), float(norm.vmax)  # type: ignore[arg-type]
    # matplotlib rasterizes the colorbar at the figure's dpi, a 6×120 RGBA image in SVG;
    # a 1×64 ramp drawn pixel for pixel looks the same in half the bytes.
    if colorbar.solids is not None:
        colorbar.solids.set_visible(False)
    ramp = colorbar.ax.imshow(
        np.linspace(low, high, 64)[:, np.newaxis],
        cmap=image.get_cmap(),
        norm=norm,
        extent=(0.0, 1.0, low, high),
        origin="lower",
        aspect="auto",
        interpolation="none",
    )
    ramp.set_clip_on(False)


# --- drawing a composed grid ---------------------------------------------------------


def _panel_frames(raster: IndexedRaster) -> PathPatch:
    """Outline every panel, all in one path (one ``<path>`` in SVG)."""
    corners = [
        [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
        for y0, y1 in ((start - 0.5, stop - 0.5) for start, stop in raster.rows)
        for x0, x1 in ((start - 0.5, stop - 0.5) for start, stop in raster.columns)
    ]
    codes = [Path.MOVETO, Path.LINETO, Path.LINETO, Path.LINETO, Path.CLOSEPOLY] * len(corners)
    path = Path(np.reshape(corners, (-1, 2)), codes)
    return PathPatch(path, fill=False, linewidth=0.8, clip_on=False)


def _grid_tokens(labels: list[str] | None, cell_points: float) -> bool:
    """Whether the composed grid's cells are wide enough to be ticked with their tokens."""
    return labels is not None and cell_points >= _MIN_TOKEN_POINTS


def _grid_ticks(
    spans: tuple[tuple[int, int], ...],
    labels: list[str] | None,
    cell_points: float,
    axis: str,
    bins: int,
) -> tuple[list[int], list[str]]:
    """Tick every cell with its token if the cells are wide enough, else a few indices."""
    if labels is not None and _grid_tokens(labels, cell_points):
        upright = axis == "y" or _upright(labels, cell_points)
        cells, names = _token_ticks(labels, cell_points, upright)
    else:
        cells = _index_ticks(spans[0][1] - spans[0][0], bins)
        names = [str(cell) for cell in cells]
    return [start + cell for start, _ in spans for cell in cells], names * len(spans)


def _tick_grid(
    grid: Axes, raster: IndexedRaster, texts: _Texts, cell_points: tuple[float, float]
) -> None:
    """Tick the composed grid along its bottom and left for cells of ``cell_points``."""
    grid.tick_params(labelfontfamily=list(_style.font_family()), bottom=False, left=False)
    n_keys = raster.columns[0][1] - raster.columns[0][0]
    n_queries = raster.rows[0][1] - raster.rows[0][0]
    x_bins, y_bins = _index_bins_across_and_down(
        cell_points[0] * n_keys,
        cell_points[1] * n_queries,
        n_keys,
        n_queries,
        indices=not _grid_tokens(texts.key_labels, cell_points[0])
        and not _grid_tokens(texts.query_labels, cell_points[1]),
    )
    positions, labels = _grid_ticks(raster.columns, texts.key_labels, cell_points[0], "x", x_bins)
    upright = texts.key_labels is not None and _upright(labels, cell_points[0])
    grid.set_xticks(positions, labels, rotation=90 if upright else 0)
    grid.set_yticks(*_grid_ticks(raster.rows, texts.query_labels, cell_points[1], "y", y_bins))


def _label_grid(grid: Axes, raster: IndexedRaster, texts: _Texts) -> None:
    """Label the composed grid: the axis labels and the titles of rows and columns."""
    grid.set_xlabel(texts.xlabel)
    grid.set_ylabel(texts.ylabel)
    for (start, stop), title in zip(raster.columns, texts.column_titles or [], strict=False):
        grid.annotate(
            title,
            xy=((start + stop - 1) / 2, 1),
            xycoords=("data", "axes fraction"),
            xytext=(0, 6),  # matplotlib's title pad
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize="large",
        )
    for (start, stop), title in zip(raster.rows, texts.row_titles or [], strict=False):
        # Bold, left of the y label, turned like it, as for a grid of panels.
        grid.annotate(
            title,
            xy=(0, (start + stop - 1) / 2),
            xycoords=(grid.yaxis.label, "data"),
            xytext=(-6, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            rotation=90,
            rotation_mode="anchor",
            fontweight="bold",
        )


# --- laying out ---------------------------------------------------------------------
#
# matplotlib's constrained layout moves the axes a little on every draw until it settles,
# so an export had to draw a figure three times to be the same every time. Instead, the
# texts sit at fixed offsets from their axes: one measurement when the figure is made
# places everything for good, and an export draws the figure once.


@dataclass(frozen=True)
class _Margins:
    """How far the texts reach beyond the panels and the colorbar, in inches."""

    left: float
    bottom: float
    right: float
    top: float
    colorbar: float  # beyond the colorbar's right edge: its tick labels


def _colorbar_width(height: float) -> float:
    """The colorbar's width for panels ``height`` inches high: 0.6 of it long, 1/20 wide."""
    return min(max(0.6 * height / 20, 0.06), 0.15)


def _measure(fig: BookFigure, panels: NDArray[Any], colorbar: Axes) -> _Margins:
    """Measure the texts around the panels (a 2-D array of axes) and the colorbar."""
    renderer = RendererAgg(1, 1, fig.dpi)  # type: ignore[no-untyped-call]  # sizes need the dpi only
    inches = fig.dpi_scale_trans.inverted()

    def reach(ax: Axes) -> tuple[float, float, float, float]:
        frame = ax.get_window_extent(renderer).transformed(inches)
        texts = ax.get_tightbbox(renderer)
        assert texts is not None
        box = texts.transformed(inches)
        return frame.x0 - box.x0, frame.y0 - box.y0, box.x1 - frame.x1, box.y1 - frame.y1

    n_rows, n_cols = panels.shape
    border = {(i, j) for i in range(n_rows) for j in range(n_cols)}
    border = {(i, j) for i, j in border if i in (0, n_rows - 1) or j in (0, n_cols - 1)}
    reaches = {(i, j): reach(panels[i, j]) for i, j in sorted(border)}
    return _Margins(
        left=max(reaches[i, 0][0] for i in range(n_rows)),
        bottom=max(reaches[n_rows - 1, j][1] for j in range(n_cols)),
        right=max(reaches[i, n_cols - 1][2] for i in range(n_rows)),
        top=max(reaches[0, j][3] for j in range(n_cols)),
        colorbar=reach(colorbar)[2],
    )


def _fit_panels(fig: BookFigure, axes: NDArray[Any], colorbar: Colorbar, texts: _Texts) -> None:
    """Fit a grid of panels and the colorbar into the figure, texts included.

    The ticks depend on the panels' size and the margins on the ticks, so the texts are
    measured twice: with the panels at a provisional place, then where they will go.
    """
    width, height = fig.get_size_inches()
    n_queries, n_keys = axes[0, 0].images[0].get_array().shape
    block = (width / 4, height / 4, width / 2, height / 2)
    for _ in range(2):
        _place(fig, axes, colorbar.ax, block)
        for ax in axes.flat:
            _set_ticks(ax, texts, n_queries, n_keys)
        _colorbar_ticks(colorbar, 0.6 * block[3])
        margins = _measure(fig, axes, colorbar.ax)
        bottom, top = _PAD + margins.bottom, height - _PAD - margins.top
        beside = max(
            margins.right, _COLORBAR_GAP + _colorbar_width(top - bottom) + margins.colorbar
        )
        left, right = _PAD + margins.left, width - _PAD - beside
        block = (left, bottom, right - left, top - bottom)
        _check_room(fig, axes.shape, block)
    _place(fig, axes, colorbar.ax, block)
    for ax in axes.flat:
        _set_ticks(ax, texts, n_queries, n_keys)
    _colorbar_ticks(colorbar, 0.6 * block[3])


def _check_room(fig: BookFigure, grid: tuple[int, int], block: tuple[float, ...]) -> None:
    """Raise a ``ValueError`` if the texts leave the panels less than ``_MIN_PANEL``."""
    short = [
        max(0.0, n * _MIN_PANEL * 1.125 - size)
        for n, size in zip(grid[::-1], block[2:], strict=True)
    ]
    if any(short):
        width, height = fig.get_size_inches()
        raise ValueError(
            f"figsize ({width:g}, {height:g}) leaves no room for {grid[0]} × {grid[1]} "
            f"panels beside their labels; make it at least ({math.ceil(width + short[0]):g}, "
            f"{math.ceil(height + short[1]):g}), or pass figsize=None"
        )


def _auto_panel_inches(n_rows: int, n_cols: int) -> tuple[float, float]:
    """A panel's share of the figure when figsize is omitted: 2.5 inches, or less.

    2.5 inches is d2l's figure for one panel; a grid that would be larger than
    ``_AUTO_FIGURE`` shrinks.
    """
    shrink = min(
        1.0, _AUTO_FIGURE[0] / (_PANEL_INCHES * n_cols), _AUTO_FIGURE[1] / (_PANEL_INCHES * n_rows)
    )
    return _PANEL_INCHES * shrink, _PANEL_INCHES * shrink


def _cell_pixels(inches: float, cells: int) -> int:
    """Whole pixels at 100 dpi for each of ``cells`` in ``inches``, at least one."""
    return max(1, math.floor(inches * _PNG_DPI / cells + 1e-9))


def _fit_figure(
    fig: BookFigure,
    grid: Axes,
    colorbar: Colorbar,
    raster: IndexedRaster,
    texts: _Texts,
    figsize: tuple[float, float] | None,
) -> None:
    """Size a composed grid's cells and the figure around them, in whole pixels at 100 dpi.

    Omitted, ``figsize`` follows from the cells (``_auto_panel_inches`` a panel); given,
    the cells get the whole pixels that the texts leave, at least one a cell, so a grid
    too fine for ``figsize`` makes a larger figure.
    """
    panels = np.array([[grid]])
    height_cells, width_cells = raster.indices.shape
    n_queries = raster.rows[0][1] - raster.rows[0][0]
    n_keys = raster.columns[0][1] - raster.columns[0][0]
    if figsize is None:
        panel = _auto_panel_inches(len(raster.rows), len(raster.columns))
        pixels = _cell_pixels(panel[0], n_keys), _cell_pixels(panel[1], n_queries)
    else:  # a first guess of the texts' room; measured below
        pixels = (
            _cell_pixels(figsize[0] - 1.2, width_cells),
            _cell_pixels(figsize[1] - 0.9, height_cells),
        )

    def to_pixels(inches: float) -> int:
        return math.ceil((inches + _PAD) * _PNG_DPI - 1e-6)

    for _ in range(3):
        width, height = width_cells * pixels[0] / _PNG_DPI, height_cells * pixels[1] / _PNG_DPI
        fig.set_size_inches(width + 4, height + 2)
        _place(fig, panels, colorbar.ax, (1.0, 1.0, width, height))
        _tick_grid(grid, raster, texts, (72 * pixels[0] / _PNG_DPI, 72 * pixels[1] / _PNG_DPI))
        _colorbar_ticks(colorbar, 0.6 * height)
        margins = _measure(fig, panels, colorbar.ax)
        beside = max(margins.right, _COLORBAR_GAP + _colorbar_width(height) + margins.colorbar)
        left, bottom, right, top = (
            to_pixels(margin) for margin in (margins.left, margins.bottom, beside, margins.top)
        )
        if figsize is None:
            break
        room = (
            round(figsize[0] * _PNG_DPI) - left - right,
            round(figsize[1] * _PNG_DPI) - bottom - top,
        )
        fitted = max(1, room[0] // width_cells), max(1, room[1] // height_cells)
        if fitted == pixels:
            break
        pixels = fitted
    grid_pixels = width_cells * pixels[0], height_cells * pixels[1]
    total = [left + grid_pixels[0] + right, bottom + grid_pixels[1] + top]
    if figsize is not None:  # as given, with what is left over shared on both sides
        spare = [
            max(0, round(size * _PNG_DPI) - used) for size, used in zip(figsize, total, strict=True)
        ]
        left, bottom = left + spare[0] // 2, bottom + spare[1] // 2
        total = [used + extra for used, extra in zip(total, spare, strict=True)]
    fig.set_size_inches(total[0] / _PNG_DPI, total[1] / _PNG_DPI)
    _place(fig, panels, colorbar.ax, (left / _PNG_DPI, bottom / _PNG_DPI, width, height))


def _panel_spacing(size: float, n: int) -> float:
    """The space between neighbouring panels: a tenth of an inch, less for small panels."""
    if n == 1 or (size - (n - 1) * _PANEL_SPACING) / n >= 8 * _PANEL_SPACING:
        return _PANEL_SPACING
    return size / (8 * n + n - 1)  # an eighth of a panel


def _place(
    fig: BookFigure, axes: NDArray[Any], colorbar: Axes, block: tuple[float, float, float, float]
) -> None:
    """Put the panels in ``block`` (left, bottom, width, height) and the colorbar beside.

    Inches from the figure's lower left corner; the colorbar is 0.6 of the block's
    height, centred.
    """
    fig_width, fig_height = fig.get_size_inches()
    left, bottom, width, height = block
    n_rows, n_cols = axes.shape
    space_x, space_y = _panel_spacing(width, n_cols), _panel_spacing(height, n_rows)
    panel_width = (width - (n_cols - 1) * space_x) / n_cols
    panel_height = (height - (n_rows - 1) * space_y) / n_rows
    for i in range(n_rows):
        for j in range(n_cols):
            x = left + j * (panel_width + space_x)
            y = bottom + (n_rows - 1 - i) * (panel_height + space_y)
            axes[i, j].set_position(
                (x / fig_width, y / fig_height, panel_width / fig_width, panel_height / fig_height)
            )
    colorbar.set_position(
        (
            (left + width + _COLORBAR_GAP) / fig_width,
            (bottom + 0.2 * height) / fig_height,
            _colorbar_width(height) / fig_width,
            0.6 * height / fig_height,
        )
    )


# --- texts ---------------------------------------------------------------------------


def _format_scaled(value: float, _: object = None, *, exponent: int = 0) -> str:
    """Format a drawn value times ``2 ** exponent``; "" for ticks beyond every float.

    Examples:
        >>> _format_scaled(0.75, exponent=1024), _format_scaled(2.0, exponent=1024)
        ('1.35e+308', '')
    """
    try:
        return _format_weight(math.ldexp(value, exponent))
    except OverflowError:  # a tick past the colorbar's end, never shown
        return ""


def _format_weight(value: float) -> str:
    """Format a weight with 3 significant digits, never as ``-0``."""
    return f"{value + 0.0:.3g}"


def _panel_names(texts: _Texts, row: int, column: int) -> list[str]:
    """The titles that name a panel: its row's and its column's, if given."""
    names = ((texts.row_titles, row), (texts.column_titles, column))
    return [titles[k] for titles, k in names if titles]


def _cell_axes(texts: _Texts) -> tuple[str, str, list[str] | None, list[str] | None]:
    """Return what names a cell's query and key: the axis labels and the tick labels."""
    return texts.ylabel, texts.xlabel, texts.query_labels, texts.key_labels


def _hover_texts(
    matrix: NDArray[np.float64], texts: _Texts, panel_names: list[str]
) -> list[list[str]]:
    """Return one hover text per cell, e.g. ``"Head 2 · Queries 3, Keys 5: 0.12"``."""
    n_queries, n_keys = matrix.shape
    matrix = np.ldexp(matrix, texts.exponent)
    keys = texts.key_labels or [str(k) for k in range(n_keys)]
    queries = texts.query_labels or [str(q) for q in range(n_queries)]
    panel = "".join(f"{name} · " for name in panel_names)
    return [
        [
            f"{panel}{f'{texts.ylabel} {queries[q]}'.strip()}, "
            f"{f'{texts.xlabel} {keys[k]}'.strip()}: {_format_weight(matrix[q, k])}"
            for k in range(n_keys)
        ]
        for q in range(n_queries)
    ]


def _grid_hover_texts(
    weights: NDArray[np.float64], raster: IndexedRaster, texts: _Texts
) -> list[list[str]]:
    """Return the hover texts of a composed grid, one per pixel, empty in the gaps."""
    height, width = raster.indices.shape
    grid = [[""] * width for _ in range(height)]
    for i, (top, _) in enumerate(raster.rows):
        for j, (left, _) in enumerate(raster.columns):
            for q, row in enumerate(_hover_texts(weights[i, j], texts, _panel_names(texts, i, j))):
                grid[top + q][left : left + len(row)] = row
    return grid


def _describe_heatmap(xlabel: str, ylabel: str, n_panels: int, low: float, high: float) -> str:
    """Return the default alt text of a heatmap figure, in the language of its labels."""
    axes = " × ".join(label for label in (ylabel, xlabel) if label)
    if _CJK.search(xlabel + ylabel):
        panels = f"{n_panels} 个" if n_panels > 1 else ""
        return (
            f"{panels}热力图：{axes}{'，' if axes else ''}"
            f"{_format_weight(low)} 到 {_format_weight(high)}"
        )
    panels = f"{n_panels} heatmaps" if n_panels > 1 else "Heatmap"
    return f"{panels}: {axes}{', ' if axes else ''}{_format_weight(low)} to {_format_weight(high)}"
