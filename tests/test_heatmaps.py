"""Tests of show_heatmaps: shapes, the shared colour scale, inputs, errors, no global state."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import matplotlib
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

from attnbook import _style
from attnbook._raster import RasterImage, colour_indices
from attnbook.heatmaps import show_heatmaps
from attnbook.svg import BookFigure, to_png, to_svg
from tests.support import baseline_heatmaps


def panels(fig: Figure) -> list[Axes]:
    """The axes that hold a heatmap (not the colorbar)."""
    return [ax for ax in fig.axes if not hasattr(ax, "_colorbar")]


def colorbars(fig: Figure) -> list[Axes]:
    return [ax for ax in fig.axes if hasattr(ax, "_colorbar")]


def heatmap(ax: Axes) -> AxesImage:
    (image,) = ax.images
    return image


# --- the seed check and shapes -------------------------------------------------------


def test_seed_check_identity_tensor_gives_one_panel_and_one_colorbar() -> None:
    fig = show_heatmaps(torch.eye(10).reshape((1, 1, 10, 10)), xlabel="Keys", ylabel="Queries")
    assert isinstance(fig, Figure)
    assert len(panels(fig)) == 1
    assert len(colorbars(fig)) == 1
    np.testing.assert_array_equal(heatmap(panels(fig)[0]).get_array(), np.eye(10))
    assert panels(fig)[0].get_xlabel() == "Keys"
    assert panels(fig)[0].get_ylabel() == "Queries"


@pytest.mark.parametrize(
    ("shape", "grid"),
    [((4, 5), (1, 1)), ((3, 4, 5), (1, 3)), ((2, 3, 4, 5), (2, 3)), ((1, 1, 1, 1), (1, 1))],
)
def test_two_three_and_four_dimensions(shape: tuple[int, ...], grid: tuple[int, int]) -> None:
    fig = show_heatmaps(np.random.default_rng(0).random(shape), "Keys", "Queries")
    axes = panels(fig)
    assert len(axes) == grid[0] * grid[1]
    assert len(colorbars(fig)) == 1
    for ax in axes:
        assert np.asarray(heatmap(ax).get_array()).shape == shape[-2:]


def test_labels_and_titles_follow_d2l() -> None:
    weights = np.random.default_rng(1).random((2, 3, 4, 5))
    fig = show_heatmaps(
        weights, "Keys", "Queries", titles=["a", "b", "c"], row_titles=["Layer 1", "Layer 2"]
    )
    grid = np.array(panels(fig)).reshape(2, 3)
    assert [ax.get_xlabel() for ax in grid.ravel()] == ["", "", "", "Keys", "Keys", "Keys"]
    assert [ax.get_ylabel() for ax in grid.ravel()] == ["Queries", "", "", "Queries", "", ""]
    assert [ax.get_title() for ax in grid[0]] == ["a", "b", "c"]
    assert [ax.get_title() for ax in grid[1]] == ["", "", ""]
    assert [text.get_text() for text in grid[0, 0].texts] == ["Layer 1"]
    assert [text.get_text() for text in grid[1, 0].texts] == ["Layer 2"]
    np.testing.assert_array_equal(heatmap(grid[1, 2]).get_array(), weights[1, 2])


def test_figsize_is_the_whole_figure_as_in_d2l() -> None:
    small = show_heatmaps(np.ones((1, 1, 3, 3)), "k", "q", figsize=(2, 1.5))
    grid = show_heatmaps(np.ones((2, 3, 3, 3)), "k", "q", figsize=(2, 1.5))
    assert list(small.get_size_inches()) == list(grid.get_size_inches()) == [2, 1.5]
    # d2l's transformer call: 2 layers × 4 heads in a 7 × 3.5 inch figure.
    heads = show_heatmaps(
        np.full((2, 4, 10, 10), 0.1),
        xlabel="Key positions",
        ylabel="Query positions",
        titles=["Head %d" % i for i in range(1, 5)],  # noqa: UP031  (d2l's own call)
        figsize=(7, 3.5),
    )
    assert list(heads.get_size_inches()) == [7, 3.5]


def test_figsize_omitted_grows_with_the_grid_up_to_a_page() -> None:
    one = show_heatmaps(np.ones((3, 3)), "k", "q").get_size_inches()
    row = show_heatmaps(np.ones((3, 3, 3)), "k", "q").get_size_inches()
    assert list(one) == [2.5, 2.5]  # d2l's default figure
    assert list(row) == [7.5, 2.5]
    large = show_heatmaps(np.ones((6, 6, 3, 3)), "k", "q").get_size_inches()
    assert max(large) <= 10
    model = show_heatmaps(np.ones((12, 12, 64, 64)), "k", "q").get_size_inches()
    assert max(model) <= 10.5  # whole pixels a cell: a little over or under the bound


def test_figsize_too_small_for_the_grid_says_what_would_do() -> None:
    with pytest.raises(ValueError, match=r"figsize \(0.5, 0.5\) leaves no room for 4 × 4 panels"):
        show_heatmaps(np.ones((4, 4, 3, 3)), "Keys", "Queries", figsize=(0.5, 0.5))


def test_token_labels_on_the_ticks() -> None:
    fig = show_heatmaps(
        np.full((3, 5), 0.2),
        "键（物品）",
        "汇聚方式",
        xticklabels=["报纸", "论文", "咖啡杯", "笔记本", "书"],
        yticklabels=["平均汇聚", "查询：显眼", "查询：想读书"],
        figsize=(4.7, 2.2),
    )
    ax = panels(fig)[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "报纸",
        "论文",
        "咖啡杯",
        "笔记本",
        "书",
    ]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "平均汇聚",
        "查询：显眼",
        "查询：想读书",
    ]
    assert {t.get_rotation() for t in ax.get_xticklabels()} == {0}  # short enough to fit


def test_long_key_labels_turn_upright() -> None:
    words = ["attention", "is", "all", "you", "need", "really"]
    fig = show_heatmaps(np.eye(6), "Keys", "Queries", xticklabels=words, yticklabels=words)
    assert {t.get_rotation() for t in panels(fig)[0].get_xticklabels()} == {90}


def test_index_ticks_are_whole_numbers() -> None:
    fig = show_heatmaps(np.eye(3), "Keys", "Queries")
    ax = panels(fig)[0]
    assert list(ax.get_xticks()[(ax.get_xticks() >= 0) & (ax.get_xticks() <= 2)]) == [0, 1, 2]


def shown_ticks(axis_ticks: np.ndarray, n: int) -> list[int]:
    return [int(t) for t in axis_ticks if 0 <= t <= n - 1]


@pytest.mark.parametrize("figsize", [None, (2.5, 2.5), (6.0, 2.0), (2.0, 6.0)])
def test_a_square_matrix_of_indices_is_ticked_alike_on_both_axes(
    figsize: tuple[float, float] | None,
) -> None:
    """d2l's identity matrix: keys and queries step alike (not 0, 5 across and 0, 2, … down)."""
    fig = show_heatmaps(np.eye(10), "Keys", "Queries", figsize=figsize)
    ax = panels(fig)[0]
    x, y = shown_ticks(ax.get_xticks(), 10), shown_ticks(ax.get_yticks(), 10)
    assert x == y and len(x) >= 2, (x, y)


def test_a_composed_grid_of_square_heads_is_ticked_alike_on_both_axes() -> None:
    fig = show_heatmaps(np.full((2, 2, 100, 100), 0.01), "Keys", "Queries", composed=True)
    grid = fig.axes[0]
    # The grid repeats each head's ticks: compare the first head's along each axis.
    x, y = shown_ticks(grid.get_xticks(), 100), shown_ticks(grid.get_yticks(), 100)
    assert x == y and len(x) >= 2, (x, y)


# --- one colour scale ----------------------------------------------------------------


@pytest.mark.parametrize("composed", [False, True])
def test_a_tall_colorbar_is_a_scale_not_a_ruler(composed: bool) -> None:
    """Beside a grid of 3 × 4 heads, a few round ticks (0.2 apart), not one every 0.05."""
    weights = np.random.default_rng(0).dirichlet(np.ones(12) * 0.3, size=(3, 4, 12))
    fig = show_heatmaps(weights, "Keys", "Queries", composed=composed)
    (colorbar_axes,) = colorbars(fig)
    low, high = colorbar_axes.get_ylim()
    ticks = [t for t in colorbar_axes.get_yticks() if low <= t <= high]
    assert 2 <= len(ticks) <= 7, ticks


def test_all_panels_share_one_colour_scale() -> None:
    weights = np.stack([np.full((4, 4), 0.1), np.eye(4) * 0.9, np.full((4, 4), 0.5)])
    fig = show_heatmaps(weights, "Keys", "Queries")
    images = [heatmap(ax) for ax in panels(fig)]
    norms = {id(image.norm) for image in images}
    assert len(norms) == 1  # literally one Normalize for every panel
    assert (images[0].norm.vmin, images[0].norm.vmax) == (0.0, 0.9)
    (colorbar_axes,) = colorbars(fig)
    colorbar = colorbar_axes._colorbar  # type: ignore[attr-defined]
    assert colorbar.norm is images[0].norm
    assert colorbar_axes.get_ylim() == pytest.approx((0.0, 0.9))
    # The same weight has the same colour in every panel.
    colours = [image.to_rgba(np.array([[0.5]])) for image in images]
    assert all(np.array_equal(colours[0], colour) for colour in colours)


def test_explicit_limits() -> None:
    fig = show_heatmaps(np.eye(3) * 0.5, "Keys", "Queries", vmin=0, vmax=1)
    norm = heatmap(panels(fig)[0]).norm
    assert (norm.vmin, norm.vmax) == (0, 1)
    fig = show_heatmaps(np.eye(3) * 0.5, "Keys", "Queries", vmax=torch.tensor(2.0))  # type: ignore[arg-type]
    norm = heatmap(panels(fig)[0]).norm
    assert (norm.vmin, norm.vmax) == (0, 2)


def test_constant_input_is_coloured_from_zero() -> None:
    norm = heatmap(panels(show_heatmaps(np.full((2, 5), 0.2), "k", "q"))[0]).norm
    assert (norm.vmin, norm.vmax) == (0.0, 0.2)
    norm = heatmap(panels(show_heatmaps(np.zeros((2, 2)), "k", "q"))[0]).norm
    assert (norm.vmin, norm.vmax) == (0.0, 1.0)


@settings(max_examples=15, deadline=None)
@given(
    shape=st.integers(2, 4).flatmap(lambda ndim: st.tuples(*[st.integers(1, 4)] * ndim)),
    seed=st.integers(0, 2**32 - 1),
)
def test_scale_and_hover_texts_for_any_shape(shape: tuple[int, ...], seed: int) -> None:
    weights = np.random.default_rng(seed).normal(size=shape)
    fig = show_heatmaps(weights, "Keys", "Queries")
    assert len(panels(fig)) == int(np.prod(shape[:-2]))
    norms = {(heatmap(ax).norm.vmin, heatmap(ax).norm.vmax) for ax in panels(fig)}
    if weights.size > 1:
        assert norms == {(weights.min(), weights.max())}
    assert isinstance(fig, BookFigure)
    assert sum(len(rows) * len(rows[0]) for rows in fig.cell_titles.values()) == weights.size


# --- inputs --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
def test_torch_tensors_of_any_float_dtype(dtype: torch.dtype) -> None:
    weights = torch.softmax(torch.randn(2, 4, 4), dim=-1).to(dtype)
    fig = show_heatmaps(weights, "Keys", "Queries")
    expected = weights.to(torch.float64).numpy()
    for ax, matrix in zip(panels(fig), expected, strict=True):
        np.testing.assert_allclose(np.asarray(heatmap(ax).get_array()), matrix)


def test_tensor_that_requires_grad() -> None:
    scores = torch.randn(3, 3, requires_grad=True)
    fig = show_heatmaps(torch.softmax(scores, dim=-1), "Keys", "Queries")
    assert len(panels(fig)) == 1


def test_nested_lists_and_integers() -> None:
    fig = show_heatmaps([[1, 0], [0, 1]], "Keys", "Queries")
    np.testing.assert_array_equal(heatmap(panels(fig)[0]).get_array(), np.eye(2))


def test_chinese_labels() -> None:
    fig = show_heatmaps(np.eye(3), "键", "查询", titles=["注意力"], row_titles=["第一层"])
    ax = panels(fig)[0]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("键", "查询", "注意力")


def test_cell_titles_name_panel_query_key_and_weight() -> None:
    weights = np.array([[[0.25, 0.75], [1.0, 0.0]]])
    fig = show_heatmaps(
        weights, "键", "查询", titles=["头 1"], xticklabels=["我", "你"], yticklabels=["a", "b"]
    )
    (titles,) = fig.cell_titles.values()
    assert titles == [
        ["头 1 · 查询 a, 键 我: 0.25", "头 1 · 查询 a, 键 你: 0.75"],
        ["头 1 · 查询 b, 键 我: 1", "头 1 · 查询 b, 键 你: 0"],
    ]


# --- errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("matrices", "error", "message"),
    [
        (np.ones(4), ValueError, r"matrices must have 2, 3 or 4 dimensions .* got shape \(4,\)"),
        (np.ones((1, 1, 1, 1, 2, 2)), ValueError, r"got shape \(1, 1, 1, 1, 2, 2\)"),
        (
            np.ones((2, 3, 4, 5, 5)),
            ValueError,
            r"matrices has shape \(2, 3, 4, 5, 5\): 2 layer\(s\) of a batch of 3 examples .*"
            r"\[layer\[0\] for layer in attentions\]",
        ),
        (
            (np.ones((1, 2, 3, 3)), np.ones((1, 2, 3, 4))),
            ValueError,
            r"matrices must hold arrays of one shape, but matrices\[0\] has shape \(1, 2, 3, 3\)",
        ),
        (3.0, ValueError, r"got shape \(\)"),
        (
            np.ones((1, 1, 0, 10)),
            ValueError,
            r"matrices must not be empty, got shape \(1, 1, 0, 10\)",
        ),
        ([[]], ValueError, r"matrices must not be empty, got shape \(1, 0\)"),
        (np.array([[1.0, np.nan]]), ValueError, r"matrices must be finite, got 1 NaN"),
        (np.array([[1.0, np.inf]]), ValueError, r"0 NaN and 1 infinite"),
        (np.ones((2, 2)) * 1j, TypeError, r"matrices must be real"),
        (torch.ones(2, 2, dtype=torch.complex64), TypeError, r"matrices must be real"),
        ([["a", "b"]], TypeError, r"matrices must be real numbers"),
        ("weights", TypeError, r"matrices must be numbers, got str"),
        ([[1, 0], [0]], ValueError, r"matrices must be a rectangular nested list"),
        ({"a": 1}, TypeError, r"matrices must be real numbers"),
    ],
)
def test_bad_matrices(matrices: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        show_heatmaps(matrices, "Keys", "Queries")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"titles": ["a"]},
            ValueError,
            r"titles must have 3 item\(s\), one per display column, got 1",
        ),
        (
            {"titles": "abc"},
            TypeError,
            r"titles must be a list of str, one per display column, got str",
        ),
        ({"titles": 3}, TypeError, r"titles must be a list of str"),
        (
            {"row_titles": ["a", "b"]},
            ValueError,
            r"row_titles must have 1 item\(s\), one per display row, got 2",
        ),
        (
            {"xticklabels": ["a"]},
            ValueError,
            r"xticklabels must have 5 item\(s\), one per key, got 1",
        ),
        (
            {"yticklabels": list("abcde")},
            ValueError,
            r"yticklabels must have 4 item\(s\), one per query, got 5",
        ),
        (
            {"figsize": (0, 2)},
            ValueError,
            r"figsize must be None or two numbers from 0.5 to 100, .* got \(0, 2\)",
        ),
        ({"figsize": (-1, 2)}, ValueError, r"figsize must be None or two numbers from 0.5 to 100"),
        (
            {"figsize": (0.1, 2)},
            ValueError,
            r"the width and height of the whole figure in inches \(as in d2l\)",
        ),
        ({"figsize": (2, 1e6)}, ValueError, r"figsize must be None or two numbers from 0.5 to 100"),
        (
            {"figsize": (2, float("nan"))},
            ValueError,
            r"figsize must be None or two numbers from 0.5 to 100",
        ),
        (
            {"figsize": (1, 2, 3)},
            ValueError,
            r"figsize must be None or two numbers from 0.5 to 100, .* got \(1, 2, 3\)",
        ),
        (
            {"figsize": 2.5},
            TypeError,
            r"figsize must be None or two numbers from 0.5 to 100, .* got 2.5",
        ),
        (
            {"figsize": ("2", "2")},
            TypeError,
            r"figsize must be None or two numbers from 0.5 to 100",
        ),
        ({"figsize": "22"}, TypeError, r"figsize must be None or two numbers from 0.5 to 100"),
        (
            {"cmap": "Redz"},
            ValueError,
            r"cmap 'Redz' is not a matplotlib colormap; did you mean 'Reds'.*"
            r"valid names include Reds, Blues",
        ),
        ({"cmap": "nothing-like-it"}, ValueError, r"valid names include Reds, Blues, Greens"),
        ({"cmap": 3}, TypeError, r"cmap must be a colormap name or a Colormap, got int"),
        ({"xlabel": None}, TypeError, r"xlabel must be a str, got NoneType"),
        ({"ylabel": 1}, TypeError, r"ylabel must be a str, got int"),
        ({"vmin": 2, "vmax": 1}, ValueError, r"vmin must be less than vmax, got vmin=2 and vmax=1"),
        (
            {"vmin": 5},
            ValueError,
            r"vmin must be less than vmax, got vmin=5 and vmax=1 \(the other",
        ),
        ({"vmin": "0"}, TypeError, r"vmin must be a finite real number or None, got str"),
        ({"vmax": float("inf")}, TypeError, r"vmax must be a finite real number or None"),
        ({"vmax": [1, 2]}, TypeError, r"vmax must be a finite real number or None, got list"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], error: type[Exception], message: str) -> None:
    arguments: dict[str, object] = {"xlabel": "Keys", "ylabel": "Queries", **kwargs}
    with pytest.raises(error, match=message):
        show_heatmaps(np.eye(4, 5).reshape(1, 1, 4, 5).repeat(3, axis=1), **arguments)  # type: ignore[arg-type]


# --- no global state, no torch on import, display in Jupyter ---------------------------


def test_no_global_state_changes() -> None:
    import matplotlib.pyplot as plt

    figures = plt.get_fignums()
    rc = dict(matplotlib.rcParams)
    fig = show_heatmaps(np.eye(4), "键", "查询")
    to_svg(fig)
    if len(_style.font_family()) > 1:  # a PNG needs a CJK font for the Chinese labels
        fig._repr_png_()
    assert plt.get_fignums() == figures
    assert dict(matplotlib.rcParams) == rc


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_import_does_not_import_torch_or_pyplot() -> None:
    result = run_python(
        """
        import sys
        import attnbook.heatmaps, attnbook.svg
        import numpy as np
        attnbook.heatmaps.show_heatmaps(np.eye(3), "Keys", "Queries")
        print("torch" in sys.modules, "matplotlib.pyplot" in sys.modules)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_displays_once_in_jupyter_with_or_without_pyplot() -> None:
    pytest.importorskip("IPython")
    result = run_python(
        """
        import warnings
        warnings.simplefilter("error")
        import numpy as np
        from IPython.core.interactiveshell import InteractiveShell
        from attnbook.heatmaps import show_heatmaps

        shell = InteractiveShell.instance()
        fig = show_heatmaps(np.eye(3), "Keys", "Queries")
        data, _ = shell.display_formatter.format(fig)
        print(sorted(data), data["image/png"][:4] == b"\\x89PNG", data["text/html"][:4])

        # The inline backend registers IPython's own formatter for every Figure.
        from IPython.core.pylabtools import select_figure_formats
        import matplotlib.pyplot as plt
        select_figure_formats(shell, {"png"})
        data, _ = shell.display_formatter.format(fig)
        print(sorted(data), plt.get_fignums())
        """
    )
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.strip().splitlines()
    # The site's SVG (hover texts, the notebook's colours) first, a PNG to fall back on.
    assert first == "['image/png', 'text/html', 'text/plain'] True <svg"
    assert second == "['image/png', 'text/html', 'text/plain'] []"


# --- composed grids (the fast path for model-size grids) -------------------------------


def grid_image(fig: Figure) -> RasterImage:
    (image,) = fig.findobj(RasterImage)
    return image


def panel_values(fig: Figure) -> np.ndarray:
    """The weights a composed image shows: (rows, columns, queries, keys)."""
    return grid_image(fig).weights


def panel_colours(fig: Figure) -> np.ndarray:
    """The colours of a composed image's cells, cut back into panels: RGBA bytes."""
    raster = grid_image(fig).raster
    colours = raster.palette[raster.indices]
    return np.array(
        [[colours[r0:r1, c0:c1] for c0, c1 in raster.columns] for r0, r1 in raster.rows]
    )


def gapped(fig: Figure) -> np.ma.MaskedArray:
    """A composed image's weights laid out as its pixels, the gaps masked."""
    image = grid_image(fig)
    raster = image.raster
    values = np.ma.masked_all(raster.indices.shape)
    for i, (r0, r1) in enumerate(raster.rows):
        for j, (c0, c1) in enumerate(raster.columns):
            values[r0:r1, c0:c1] = image.weights[i, j]
    return values


def drawn_texts(fig: Figure) -> dict[str, set[str]]:
    """What the heatmap axes say, after a draw: axis labels, titles and tick labels."""
    with matplotlib.rc_context(_style.rc_params()):
        fig.draw_without_rendering()
    said: dict[str, set[str]] = {"labels": set(), "titles": set(), "ticks": set()}
    for ax in panels(fig):
        said["labels"] |= {ax.get_xlabel(), ax.get_ylabel()} - {""}
        said["titles"] |= {ax.get_title()} | {text.get_text() for text in ax.texts}
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks():
                shown = tick.label1.get_visible() and low <= tick.get_loc() <= high
                if shown and tick.label1.get_text():
                    said["ticks"].add(tick.label1.get_text())
    said["titles"] -= {""}
    return said


def test_grids_of_more_than_4096_cells_are_composed() -> None:
    small = show_heatmaps(np.full((4, 4, 16, 16), 0.5), "Keys", "Queries")  # 4096 cells
    large = show_heatmaps(np.full((4, 4, 16, 17), 0.5), "Keys", "Queries")
    assert len(panels(small)) == 16
    assert len(panels(large)) == 1 and len(colorbars(large)) == 1
    assert isinstance(grid_image(large), AxesImage)
    assert len(panels(show_heatmaps(np.eye(3), "k", "q", composed=True))) == 1
    forced = show_heatmaps(np.full((4, 4, 16, 17), 0.5), "Keys", "Queries", composed=False)
    assert len(panels(forced)) == 16


@pytest.mark.parametrize("shape", [(1, 1, 10, 10), (2, 3, 10, 10)])
@pytest.mark.parametrize("composed", [True, False])
def test_same_meaning_as_the_straightforward_baseline(
    shape: tuple[int, int, int, int], composed: bool
) -> None:
    """Same values, same colour scale, same labels and titles as the benchmark's baseline."""
    weights = np.random.default_rng(3).dirichlet(np.ones(shape[-1]), size=shape[:-1])
    reference = baseline_heatmaps(weights)
    fig = show_heatmaps(
        weights, "Keys", "Queries", titles=[f"Head {j + 1}" for j in range(shape[1])],
        composed=composed,
    )  # fmt: skip
    expected_images = [heatmap(ax) for ax in panels(reference)]
    expected = np.array([np.asarray(image.get_array()) for image in expected_images])
    if composed:
        values = panel_values(fig).reshape(expected.shape)
        images = [grid_image(fig)]
        np.testing.assert_array_equal(  # the colours it shows are the baseline's
            panel_colours(fig), expected_images[0].to_rgba(weights, bytes=True)
        )
    else:
        images = [heatmap(ax) for ax in panels(fig)]
        values = np.array([np.asarray(image.get_array()) for image in images])
    np.testing.assert_array_equal(values, expected)
    np.testing.assert_array_equal(values.reshape(shape), weights)
    for image in images:
        assert (image.norm.vmin, image.norm.vmax) == (
            expected_images[0].norm.vmin,
            expected_images[0].norm.vmax,
        )
        assert image.get_cmap().name == expected_images[0].get_cmap().name
        np.testing.assert_array_equal(
            image.to_rgba(weights, bytes=True), expected_images[0].to_rgba(weights, bytes=True)
        )
    # The same axis labels and titles; ticks name cells by the same index (attnbook
    # labels whole cells only, where the baseline may also mark 2.5).
    ours, theirs = drawn_texts(fig), drawn_texts(reference)
    assert (ours["labels"], ours["titles"]) == (theirs["labels"], theirs["titles"])
    untitled = show_heatmaps(weights, "Keys", "Queries", composed=composed)
    assert ours["ticks"] == drawn_texts(untitled)["ticks"]
    assert ours["ticks"] <= {str(k) for k in range(10)} and "0" in theirs["ticks"] | {
        label.removesuffix(".0") for label in theirs["ticks"]
    }


def test_composed_and_panels_say_the_same_with_tokens_and_row_titles() -> None:
    words = ["我", "想", "读", "书"]
    arguments = {
        "titles": ["头 1", "头 2", "头 3"],
        "row_titles": ["第 1 层", "第 2 层"],
        "xticklabels": words,
        "yticklabels": words,
    }
    weights = np.random.default_rng(4).dirichlet(np.ones(4), size=(2, 3, 4))
    composed = show_heatmaps(weights, "键", "查询", composed=True, **arguments)  # type: ignore[arg-type]
    separate = show_heatmaps(weights, "键", "查询", composed=False, **arguments)  # type: ignore[arg-type]
    assert drawn_texts(composed) == drawn_texts(separate)
    assert drawn_texts(composed)["ticks"] == set(words)
    # The same hover texts, laid out over the composed image (none in the gaps).
    (grid_titles,) = composed.cell_titles.values()
    separate_titles = {
        text for rows in separate.cell_titles.values() for row in rows for text in row
    }
    assert {text for row in grid_titles for text in row} - {""} == separate_titles
    np.testing.assert_array_equal(panel_values(composed), weights)


def test_composed_cells_are_whole_pixels_with_gaps_between_panels() -> None:
    fig = show_heatmaps(
        np.full((3, 2, 10, 20), 0.1), "Keys", "Queries", figsize=(7, 5.5), composed=True
    )
    raster = grid_image(fig).raster
    assert raster.columns == ((0, 20), (22, 42)) and raster.rows == ((0, 10), (11, 21), (22, 32))
    assert raster.indices.shape == (32, 42)
    assert not raster.cell_mask(0)[10] and raster.cell_mask(0)[11]  # a gap, then cells
    # The whole pixels a cell that the texts leave of 7 × 5.5 inches at 100 dpi.
    grid = panels(fig)[0]
    box = grid.get_window_extent()
    assert (box.width, box.height) == pytest.approx((42 * 14, 32 * 15))
    assert list(fig.get_size_inches()) == [7, 5.5]
    assert box.x0 == pytest.approx(round(box.x0)) and box.y0 == pytest.approx(round(box.y0))
    width, height = fig.get_size_inches() * 100
    assert width == pytest.approx(round(width)) and height == pytest.approx(round(height))


def test_composed_tiny_cells_get_a_few_index_ticks() -> None:
    tokens = [f"t{k}" for k in range(200)]
    fig = show_heatmaps(
        np.full((1, 2, 200, 200), 0.005), "Keys", "Queries", xticklabels=tokens, yticklabels=tokens
    )
    ticks = drawn_texts(fig)["ticks"]
    assert ticks and ticks <= {str(k) for k in range(200)}
    assert len(ticks) <= 6


def test_composed_png_pixels_are_drawn_as_matplotlib_draws_them() -> None:
    """The fast drawing gives the pixels matplotlib gives an image of the same weights."""
    import io

    from PIL import Image

    weights = np.random.default_rng(5).random((3, 4, 10, 7))
    fig = show_heatmaps(weights, "k", "q", composed=True, figsize=(4.5, 2.6), titles=list("abcd"))
    image = grid_image(fig)
    reference = AxesImage(
        image.axes,
        cmap=image.get_cmap(),
        norm=image.norm,
        interpolation="none",
        origin="upper",
        extent=image.get_extent(),
    )
    reference.set_data(gapped(fig))
    reference.set_clip_on(False)
    for dpi in (100, 73):
        fast = np.asarray(Image.open(io.BytesIO(to_png(fig, dpi=dpi))).convert("RGB"))
        image.set_visible(False)
        image.axes.add_image(reference)
        try:
            slow = np.asarray(Image.open(io.BytesIO(to_png(fig, dpi=dpi))).convert("RGB"))
        finally:
            reference.remove()
            image.set_visible(True)
        np.testing.assert_array_equal(fast, slow)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32])
def test_composed_torch_tensors(dtype: torch.dtype) -> None:
    weights = torch.softmax(torch.randn(3, 4, 6, 6), dim=-1).to(dtype).requires_grad_()
    fig = show_heatmaps(weights, "Keys", "Queries", composed=True)
    expected = weights.detach().to(torch.float64).numpy()
    np.testing.assert_array_equal(panel_values(fig), expected)
    norm = Normalize(expected.min(), expected.max())
    np.testing.assert_array_equal(panel_colours(fig), colormaps["Reds"](norm(expected), bytes=True))


def test_composed_is_deterministic_and_changes_no_global_state() -> None:
    import matplotlib.pyplot as plt

    figures = plt.get_fignums()
    rc = dict(matplotlib.rcParams)
    weights = np.random.default_rng(6).random((5, 5, 12, 12))
    first = show_heatmaps(weights, "键", "查询", titles=[f"头 {j}" for j in range(5)])
    positions = [ax.get_position().bounds for ax in first.axes]
    svg, png = to_svg(first), to_png(first)
    assert to_svg(first) == svg and to_png(first) == png
    again = show_heatmaps(weights, "键", "查询", titles=[f"头 {j}" for j in range(5)])
    assert to_svg(again) == svg and to_png(again) == png
    assert [ax.get_position().bounds for ax in first.axes] == positions  # exports move nothing
    assert plt.get_fignums() == figures
    assert dict(matplotlib.rcParams) == rc


def test_colour_indices_are_matplotlib_colours() -> None:
    values = np.random.default_rng(7).normal(size=(50, 60))
    for colormap, norm in [
        (colormaps["Reds"], Normalize(values.min(), values.max())),
        (colormaps["viridis"], Normalize(-1.0, 1.5)),  # values beyond both ends
        (ListedColormap(["#ff0000", "#00ff00", "#0000ff"]).with_extremes(under="k", over="w"),
         Normalize(-0.5, 0.5)),
    ]:  # fmt: skip
        indices, palette = colour_indices(values, colormap, norm)
        assert palette.shape[0] <= 256 and indices.dtype == np.uint8
        np.testing.assert_array_equal(palette[indices], colormap(norm(values), bytes=True))


def test_composed_errors() -> None:
    with pytest.raises(TypeError, match=r"composed must be True, False or None, got str"):
        show_heatmaps(np.eye(3), "k", "q", composed="yes")  # type: ignore[arg-type]
    many = ListedColormap(np.random.default_rng(8).random((300, 3)))
    with pytest.raises(ValueError, match=r"use 300 colours .* at most 256 \(use composed=False\)"):
        show_heatmaps(np.linspace(0, 1, 300).reshape(1, 300), "k", "q", cmap=many, composed=True)
