"""Heatmaps of attention weights: panels of query × key matrices on one shared colour scale.

``show_heatmaps`` draws each matrix of weights as a panel whose rows are queries and whose
columns are keys. All panels share a single colour scale, so the one colorbar is true for
every panel. The figure is returned, never shown: it displays itself in Jupyter, and
``attnbook.to_svg`` turns it into an inline SVG whose cells tell their query, key and
weight on hover. Nothing global changes: no pyplot, no rcParams.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Sized

import numpy as np
from matplotlib import colormaps, rc_context
from matplotlib.axes import Axes
from matplotlib.colors import Colormap, Normalize
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator
from numpy.typing import ArrayLike, NDArray

from attnbook import _style
from attnbook._arrays import check_finite, describe, to_numpy
from attnbook.svg import BookFigure

__all__ = ["show_heatmaps"]

_PANEL_INCHES = (0.5, 50)  # smaller panels leave no room for labels; larger cannot render
_COLORBAR_WIDTH = 0.5  # inches added to the figure's width for the colorbar
_CHARACTER_POINTS = 5.5  # rough width of a narrow character at 9 pt; wide ones count twice
_COMMON_CMAPS = ("Reds", "Blues", "Greens", "Greys", "Purples", "viridis", "magma", "YlOrRd")


def show_heatmaps(
    matrices: ArrayLike,
    xlabel: str,
    ylabel: str,
    titles: Iterable[str] | None = None,
    figsize: tuple[float, float] = (2.5, 2.5),
    cmap: str | Colormap = "Reds",
    *,
    row_titles: Iterable[str] | None = None,
    xticklabels: Iterable[str] | None = None,
    yticklabels: Iterable[str] | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
) -> BookFigure:
    """Draw matrices of attention weights as heatmaps that share one colour scale.

    Taught in: 注意力的可视化 (docs/03-visualizing-attention.md).

    Each matrix is a panel: its rows are queries (the y axis) and its columns are keys
    (the x axis). Panels are laid out in a grid of display rows and display columns, as
    in d2l's function of the same name: one title per display column (above the top
    row), the x label under the bottom row, the y label beside the first column and a
    single colorbar. Unlike d2l's, all panels are coloured on one scale, from the
    smallest to the largest value of all panels unless ``vmin`` or ``vmax`` is given,
    so the colorbar is true for every panel. A constant input is coloured on the scale
    from 0 to its value.

    Nothing global changes: no pyplot figure is opened and no rcParams are touched. The
    returned figure shows itself as a PNG when it is the last expression of a Jupyter
    cell; ``attnbook.to_svg(fig)`` makes an SVG for a web page, in which hovering a cell
    shows its query, key and weight, e.g. "Queries 3, Keys 5: 0.12".

    Args:
        matrices: The weights: a numpy array, nested lists or a torch tensor of any real
            dtype (float16 and bfloat16 included, on any device, with or without
            ``requires_grad``). Its shape is ``(queries, keys)`` for one panel,
            ``(columns, queries, keys)`` for a row of panels, or ``(rows, columns,
            queries, keys)`` for a grid of panels.
        xlabel: The label of the x axis (the keys), shown under the bottom row.
        ylabel: The label of the y axis (the queries), shown beside the first column.
        titles: One title per display column, or ``None``.
        figsize: The width and height of one panel, in inches (from 0.5 to 50); the
            colorbar adds a little width to the figure.
        cmap: The name of a matplotlib colormap, or a ``Colormap``.
        row_titles: One title per display row (e.g. layer names), or ``None``.
        xticklabels: One label per key (e.g. tokens), or ``None`` for key indices.
        yticklabels: One label per query (e.g. tokens), or ``None`` for query indices.
        vmin: The value drawn in the colormap's first colour; default the smallest weight.
        vmax: The value drawn in the colormap's last colour; default the largest weight.

    Returns:
        The figure, a ``matplotlib.figure.Figure`` (an ``attnbook.svg.BookFigure``) with
        one axes per panel, then the colorbar's axes.

    Raises:
        TypeError: If an argument has the wrong type, or ``matrices`` is not real numbers.
        ValueError: If ``matrices`` has the wrong number of dimensions, is empty, is
            ragged or holds NaN or infinite values; if ``titles``, ``row_titles`` or the
            tick labels have the wrong length; if ``figsize`` is not two positive
            numbers from 0.5 to 50; if ``cmap`` is unknown; or if ``vmin`` is not below
            ``vmax``.

    Examples:
        >>> import numpy as np
        >>> fig = show_heatmaps(np.eye(10).reshape((1, 1, 10, 10)), "Keys", "Queries")
        >>> len(fig.axes)  # one panel and the colorbar
        2
        >>> grid = np.full((2, 3, 4, 5), 0.2)
        >>> fig = show_heatmaps(grid, "Keys", "Queries", titles=["a", "b", "c"])
        >>> len(fig.axes), fig.axes[0].images[0].norm.vmax
        (7, 0.2)
        >>> show_heatmaps(np.ones(4), "Keys", "Queries")
        Traceback (most recent call last):
        ...
        ValueError: matrices must have 2, 3 or 4 dimensions ((queries, keys), (columns,
        queries, keys) or (rows, columns, queries, keys)), got shape (4,)
    """
    weights = _grid_of_matrices(matrices)
    n_rows, n_cols, n_queries, n_keys = weights.shape
    xlabel = _check_label(xlabel, "xlabel")
    ylabel = _check_label(ylabel, "ylabel")
    column_titles = _check_labels(titles, n_cols, "titles", "one per display column")
    row_names = _check_labels(row_titles, n_rows, "row_titles", "one per display row")
    key_labels = _check_labels(xticklabels, n_keys, "xticklabels", "one per key")
    query_labels = _check_labels(yticklabels, n_queries, "yticklabels", "one per query")
    width, height = _check_figsize(figsize)
    colormap = _check_cmap(cmap)
    norm = Normalize(*_colour_limits(weights, vmin, vmax))

    with rc_context(_style.rc_params()):
        fig = BookFigure(
            figsize=(width * n_cols + _COLORBAR_WIDTH, height * n_rows), layout="constrained"
        )
        axes = fig.subplots(n_rows, n_cols, sharex=True, sharey=True, squeeze=False)
        for i in range(n_rows):
            for j in range(n_cols):
                ax: Axes = axes[i, j]
                image = ax.imshow(
                    weights[i, j], cmap=colormap, norm=norm, interpolation="none", aspect="auto"
                )
                image.set_clip_on(False)  # it fills the axes exactly: no clip path needed
                _frame(ax)
                _label_ticks(ax, key_labels, query_labels, width)
                if i == n_rows - 1:
                    ax.set_xlabel(xlabel)
                if j == 0:
                    ax.set_ylabel(ylabel)
                    if row_names is not None:
                        _add_row_title(ax, row_names[i])
                if i == 0 and column_titles is not None:
                    ax.set_title(column_titles[j])
                # to_svg finds the image by its gid and lays a hover text over each cell.
                gid = f"attnbook-heatmap-{i}-{j}"
                image.set_gid(gid)
                panel = [names[k] for names, k in ((row_names, i), (column_titles, j)) if names]
                fig.cell_titles[gid] = _hover_texts(
                    weights[i, j], xlabel, ylabel, key_labels, query_labels, panel
                )
        _add_colorbar(fig, image, norm, axes.ravel().tolist())
    fig.alt_text = _describe_heatmap(xlabel, ylabel, n_rows * n_cols, norm)
    return fig


# --- checking the arguments ----------------------------------------------------------


def _grid_of_matrices(matrices: object) -> NDArray[np.float64]:
    """Check ``matrices`` and return it as a 4-D array (rows, columns, queries, keys)."""
    array = to_numpy(matrices, "matrices")
    if array.ndim not in (2, 3, 4):
        raise ValueError(
            "matrices must have 2, 3 or 4 dimensions ((queries, keys), (columns, queries, "
            f"keys) or (rows, columns, queries, keys)), got shape {tuple(array.shape)}"
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


def _check_figsize(figsize: object) -> tuple[float, float]:
    message = (
        f"figsize must be two numbers from {_PANEL_INCHES[0]} to {_PANEL_INCHES[1]}, the "
        f"width and height of one panel in inches, got {figsize!r:.60}"
    )
    if isinstance(figsize, (str, bytes)) or not isinstance(figsize, (tuple, list, np.ndarray)):
        raise TypeError(message)
    if len(figsize) != 2:
        raise ValueError(message)
    sizes = []
    for size in figsize:
        if isinstance(size, (bool, np.bool_)) or not isinstance(size, (int, float, np.number)):
            raise TypeError(message)
        if np.iscomplexobj(size) or not _PANEL_INCHES[0] <= size <= _PANEL_INCHES[1]:
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


def _colour_limits(weights: NDArray[np.float64], vmin: object, vmax: object) -> tuple[float, float]:
    """Return one (vmin, vmax) for all panels: the range of the data unless given."""
    low, high = _check_limit(vmin, "vmin"), _check_limit(vmax, "vmax")
    if low is None and high is None and weights.min() == weights.max():
        # A constant input: colour it on the scale from 0 to its value (0 to 1 if zero).
        value = float(weights.min())
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


def _index_locator() -> MaxNLocator:
    """Ticks at whole indices, about six at most, as in d2l's 0, 2, 4, 6, 8."""
    return MaxNLocator(nbins=6, integer=True, steps=[1, 2, 5, 10])


def _label_ticks(
    ax: Axes, key_labels: list[str] | None, query_labels: list[str] | None, panel_width: float
) -> None:
    """Put the token labels on the ticks if given, else a few whole indices."""
    # Labels without tick marks, as in most attention plots: lighter, and smaller as SVG.
    ax.tick_params(labelfontfamily=list(_style.font_family()), bottom=False, left=False)
    if key_labels is None:
        ax.xaxis.set_major_locator(_index_locator())
    else:
        # Turn the key labels upright only if they would not fit side by side.
        cell_points = 0.75 * panel_width * 72 / len(key_labels)
        label_points = max(_display_width(label) for label in key_labels) * _CHARACTER_POINTS
        rotation = 90 if label_points > 0.9 * cell_points else 0
        ax.set_xticks(range(len(key_labels)), key_labels, rotation=rotation)
    if query_labels is None:
        ax.yaxis.set_major_locator(_index_locator())
    else:
        ax.set_yticks(range(len(query_labels)), query_labels)


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


def _add_colorbar(fig: BookFigure, image: AxesImage, norm: Normalize, axes: list[Axes]) -> None:
    """Add one colorbar for all panels: a colour ramp with a few round ticks, no outline."""
    colorbar = fig.colorbar(image, ax=axes, shrink=0.6)
    colorbar.outline.set_visible(False)
    colorbar.ax.tick_params(length=2.5)
    colorbar.locator = MaxNLocator(nbins=4, steps=[1, 2, 5, 10])
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


# --- texts ---------------------------------------------------------------------------


def _format_weight(value: float) -> str:
    """Format a weight with 3 significant digits, never as ``-0``."""
    return f"{value + 0.0:.3g}"


def _hover_texts(
    matrix: NDArray[np.float64],
    xlabel: str,
    ylabel: str,
    key_labels: list[str] | None,
    query_labels: list[str] | None,
    panel_names: list[str],
) -> list[list[str]]:
    """Return one hover text per cell, e.g. ``"Head 2 · Queries 3, Keys 5: 0.12"``."""
    n_queries, n_keys = matrix.shape
    keys = key_labels if key_labels is not None else [str(k) for k in range(n_keys)]
    queries = query_labels if query_labels is not None else [str(q) for q in range(n_queries)]
    panel = "".join(f"{name} · " for name in panel_names)
    return [
        [
            f"{panel}{f'{ylabel} {queries[q]}'.strip()}, "
            f"{f'{xlabel} {keys[k]}'.strip()}: {_format_weight(matrix[q, k])}"
            for k in range(n_keys)
        ]
        for q in range(n_queries)
    ]


def _describe_heatmap(xlabel: str, ylabel: str, n_panels: int, norm: Normalize) -> str:
    """Return the default alt text of a heatmap figure, in Chinese like the book."""
    assert norm.vmin is not None and norm.vmax is not None
    axes = " × ".join(label for label in (ylabel, xlabel) if label)
    panels = f"{n_panels} 个" if n_panels > 1 else ""
    return (
        f"{panels}热力图：{axes}{'，' if axes else ''}"
        f"{_format_weight(norm.vmin)} 到 {_format_weight(norm.vmax)}"
    )
