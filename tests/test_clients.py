"""The package as its real clients use it: d2l's calls, PyTorch modules, model outputs.

Readers leave the four chapters with d2l's later code, ``torch.nn`` modules and a
transformers model's ``outputs.attentions`` in hand. These tests feed attnbook exactly
that, at sizes and shapes swept by hypothesis, and check what a reader sees: a figure of
the size d2l gives, that exports as PNG and displays in Jupyter, whose colours are the
same in both drawing paths, and whose texts never overlap.
"""

from __future__ import annotations

import io
import warnings

import matplotlib
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from attnbook import _style, masked_softmax, show_heatmaps, to_png
from attnbook._raster import RasterImage
from attnbook.svg import BookFigure


def png_size(data: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(data)).size


def agg_size(fig: Figure, dpi: float) -> tuple[int, int]:
    """The size in pixels of matplotlib's own Agg canvas for the figure at ``dpi``."""
    buffer = io.BytesIO()
    with matplotlib.rc_context(_style.rc_params()):
        fig.savefig(buffer, format="png", dpi=dpi)  # FigureCanvasAgg.print_png
    return png_size(buffer.getvalue())


def overlapping_texts(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of visible, non-empty texts of the figure whose boxes overlap when drawn."""
    with matplotlib.rc_context(_style.rc_params()), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a missing glyph changes no box
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)
        # Tick labels outside the axes' view are never drawn (matplotlib keeps them).
        undrawn = {
            id(label)
            for ax in fig.axes
            for axis in (ax.xaxis, ax.yaxis)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks()
            if not min(axis.get_view_interval()) <= tick.get_loc() <= max(axis.get_view_interval())
            for label in (tick.label1, tick.label2)
        }
        boxes = [
            (text.get_text(), text.get_window_extent(renderer))
            for text in fig.findobj(Text)
            if text.get_visible() and text.get_text() and id(text) not in undrawn
        ]
    pairs = []
    for i, (first, a) in enumerate(boxes):
        for second, b in boxes[i + 1 :]:
            # A shared edge or a pixel of antialiasing is no overlap.
            if a.x0 < b.x1 - 1 and b.x0 < a.x1 - 1 and a.y0 < b.y1 - 1 and b.y0 < a.y1 - 1:
                pairs.append((first, second))
    return pairs


# --- d2l's calls ------------------------------------------------------------------------


def test_d2l_masked_softmax_with_1d_and_2d_valid_lens() -> None:
    scores = torch.rand(2, 2, 4)
    by_batch = masked_softmax(scores, torch.tensor([2, 3]))
    by_query = masked_softmax(scores, torch.tensor([[1, 3], [2, 4]]))
    for weights, lengths in ((by_batch, [[2, 2], [3, 3]]), (by_query, [[1, 3], [2, 4]])):
        assert isinstance(weights, torch.Tensor) and weights.shape == (2, 2, 4)
        for b in range(2):
            for q in range(2):
                n = lengths[b][q]
                expected = torch.softmax(scores[b, q, :n], dim=-1)
                torch.testing.assert_close(weights[b, q, :n], expected)
                assert not weights[b, q, n:].any()


def test_d2l_nadaraya_watson_figure_is_d2l_size() -> None:
    x_train, _ = torch.sort(torch.rand(50) * 5)
    x_test = torch.arange(0, 5, 0.1)
    queries = x_test.repeat_interleave(50).reshape((-1, 50))
    weights = torch.softmax(-((queries - x_train) ** 2) / 2, dim=1)
    fig = show_heatmaps(
        weights.unsqueeze(0).unsqueeze(0),
        xlabel="Sorted training inputs",
        ylabel="Sorted testing inputs",
    )
    assert list(fig.get_size_inches()) == [2.5, 2.5]  # d2l's default figsize
    assert png_size(to_png(fig)) == (250, 250)
    assert overlapping_texts(fig) == []


def test_d2l_transformer_heads_fill_the_whole_figsize() -> None:
    weights = torch.softmax(torch.randn(2, 4, 10, 10), dim=-1)
    fig = show_heatmaps(
        weights,
        xlabel="Key positions",
        ylabel="Query positions",
        titles=["Head %d" % i for i in range(1, 5)],  # noqa: UP031  (d2l's own call)
        figsize=(7, 3.5),
    )
    assert list(fig.get_size_inches()) == [7, 3.5]
    assert png_size(to_png(fig)) == (700, 350)
    for ax in fig.axes:  # panels, labels and colorbar inside the figure
        box = ax.get_tightbbox()
        assert box is not None
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= 700 and box.y1 <= 350
    assert overlapping_texts(fig) == []


def test_model_size_grid_with_d2l_figsize_is_the_size_asked_for() -> None:
    fig = show_heatmaps(np.full((12, 12, 64, 64), 1 / 64), "Keys", "Queries", figsize=(30, 30))
    assert list(fig.get_size_inches()) == [30, 30]  # not 375 inches, as when it was a panel's
    assert png_size(to_png(fig)) == (3000, 3000)


# --- model outputs as they come -----------------------------------------------------------


def test_pytorch_multihead_attention_weights_per_head() -> None:
    mha = torch.nn.MultiheadAttention(embed_dim=16, num_heads=4, batch_first=True)
    x = torch.randn(1, 7, 16)
    _, weights = mha(x, x, x, need_weights=True, average_attn_weights=False)
    assert weights.requires_grad
    fig = show_heatmaps(weights, "Keys", "Queries", titles=[f"Head {h}" for h in range(1, 5)])
    images = [ax.images[0] for ax in fig.axes[:-1]]
    assert len(images) == 4
    np.testing.assert_allclose(
        np.asarray(images[2].get_array()), weights[0, 2].detach().double().numpy()
    )


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16])
@pytest.mark.parametrize("kind", [tuple, list])
def test_transformers_style_attentions(dtype: torch.dtype, kind: type) -> None:
    """``outputs.attentions``: one (batch, heads, queries, keys) tensor per layer."""
    layers = [
        torch.softmax(torch.randn(1, 3, 5, 5), dim=-1).to(dtype).requires_grad_() for _ in range(4)
    ]
    fig = show_heatmaps(kind(layers), "Keys", "Queries", row_titles=[f"L{i}" for i in range(4)])
    images = [ax.images[0] for ax in fig.axes[:-1]]
    assert len(images) == 4 * 3  # layers × heads
    np.testing.assert_allclose(
        np.asarray(images[3 * 2 + 1].get_array()), layers[2][0, 1].detach().double().numpy()
    )


def test_model_scale_attentions_are_composed() -> None:
    layers = tuple(torch.softmax(torch.randn(1, 12, 8, 8), dim=-1) for _ in range(12))
    fig = show_heatmaps(layers, "Keys", "Queries")
    (image,) = fig.findobj(RasterImage)
    assert image.weights.shape == (12, 12, 8, 8)


def test_a_batch_of_model_outputs_says_how_to_pick_one() -> None:
    layers = tuple(torch.rand(2, 3, 4, 4) for _ in range(2))
    with pytest.raises(ValueError, match=r"batch of 2 examples .*\[layer\[0\] for layer in"):
        show_heatmaps(layers, "Keys", "Queries")
    fig = show_heatmaps([layer[1] for layer in layers], "Keys", "Queries")
    assert len(fig.axes) == 2 * 3 + 1


# --- every figure displays and exports ----------------------------------------------------


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    grid=st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 12), st.integers(1, 12)),
    size=st.one_of(st.none(), st.tuples(st.floats(2.0, 9.0), st.floats(1.5, 7.0)).map(lambda s: s)),
    dpi=st.one_of(
        st.floats(20, 160),
        st.integers(20, 160).map(np.int64),
        st.floats(20, 160).map(np.float32),
    ),
    composed=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_any_size_displays_exports_and_keeps_texts_apart(
    grid: tuple[int, int, int, int],
    size: tuple[float, float] | None,
    dpi: float,
    composed: bool,
    seed: int,
) -> None:
    rows, columns = grid[:2]
    if size is not None and (size[0] < 1.6 * columns or size[1] < 1.2 * rows):
        size = (1.6 * columns + 0.5, 1.2 * rows + 0.5)  # room for the labels of every panel
    weights = np.random.default_rng(seed).dirichlet(np.ones(grid[3]), size=grid[:3])
    fig = show_heatmaps(weights, "Keys", "Queries", figsize=size, composed=composed)
    data = to_png(fig, dpi=dpi)
    assert png_size(data) == agg_size(fig, float(dpi))
    bundle = fig._repr_mimebundle_()
    assert bundle["image/png"] == to_png(fig)
    assert isinstance(bundle["text/html"], str) and bundle["text/html"].startswith("<svg")
    assert overlapping_texts(fig) == []


@pytest.mark.parametrize("size", [(1.15, 1.15), (1.13, 2.07), (3.33, 1.01)])
def test_sizes_agg_rounds_up(size: tuple[float, float]) -> None:
    """inches × dpi just below a whole number: Agg rounds, and so must the export."""
    fig = show_heatmaps(np.eye(3), "K", "Q", figsize=size)
    assert png_size(to_png(fig)) == agg_size(fig, 100)


def test_composed_grid_with_wide_colorbar_numbers_exports() -> None:
    weights = np.random.default_rng(0).random((12, 12, 8, 8)) * 1e-5
    fig = show_heatmaps(weights, "Keys", "Queries")
    assert png_size(to_png(fig)) == agg_size(fig, 100)


def test_short_colorbar_numbers_never_overlap() -> None:
    # The shape of the English edition's Figure 4 in "Queries, keys and values".
    weights = np.array([[0.2] * 5, [0.9, 0.025, 0.025, 0.025, 0.025], [0.025] * 4 + [0.9]])
    words = ["newspaper", "paper", "coffee cup", "notebook", "book"]
    for height in (1.6, 2.2, 3.0):
        fig = show_heatmaps(
            weights,
            "Keys (objects)",
            "Pooling",
            xticklabels=words,
            yticklabels=["average", "query: salient", "query: want to read"],
            figsize=(4.7, height),
        )
        assert overlapping_texts(fig) == [], height


def test_tick_labels_thin_out_rather_than_collide() -> None:
    tokens = [f"token{k}" for k in range(40)]
    fig = show_heatmaps(
        np.full((40, 40), 1 / 40), "Keys", "Queries", xticklabels=tokens, yticklabels=tokens,
        figsize=(4, 4),
    )  # fmt: skip
    ax = fig.axes[0]
    shown = [label.get_text() for label in ax.get_xticklabels()]
    assert 1 < len(shown) < 40 and shown[0] == "token0"
    assert overlapping_texts(fig) == []


def test_dpi_takes_numpy_numbers_and_names_itself_when_bad() -> None:
    fig = show_heatmaps(np.eye(3), "K", "Q")
    assert png_size(to_png(fig, dpi=np.float32(50))) == (125, 125)
    assert png_size(to_png(fig, dpi=np.int64(40))) == (100, 100)
    for bad in (float("inf"), float("nan"), -1, 0):
        with pytest.raises(ValueError, match=r"^dpi must be a positive, finite number, got"):
            to_png(fig, dpi=bad)
    for wrong in ("72", None, True):
        with pytest.raises(TypeError, match=r"^dpi must be a number, got"):
            to_png(fig, dpi=wrong)  # type: ignore[arg-type]


@pytest.mark.skipif(len(_style.font_family()) < 2, reason="no CJK font installed")
def test_a_readers_own_figure_with_chinese_text_gets_the_cjk_fonts() -> None:
    fig = Figure(figsize=(2, 1))
    text = fig.text(0.1, 0.5, "注意力提示")  # made with the reader's settings, not attnbook's
    family = text.get_fontfamily()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph (a box) would warn
        to_png(fig)
    assert text.get_fontfamily() == family  # the reader's figure is left as it was


# --- one truthful colour scale ----------------------------------------------------------


def cell_colours(fig: BookFigure, shape: tuple[int, int, int, int]) -> np.ndarray:
    """The colour of every cell's centre in the figure's PNG: (rows, columns, q, k, RGB)."""
    png = np.asarray(Image.open(io.BytesIO(to_png(fig))).convert("RGB"))
    height = png.shape[0]
    rows, columns, n_queries, n_keys = shape
    colours = np.zeros((*shape, 3), np.uint8)
    rasters = fig.findobj(RasterImage)
    for i in range(rows):
        for j in range(columns):
            if rasters:
                ax, raster = rasters[0].axes, rasters[0].raster
                top, left = raster.rows[i][0], raster.columns[j][0]
            else:
                ax, top, left = fig.axes[i * columns + j], 0, 0
            for q in range(n_queries):
                for k in range(n_keys):
                    x, y = ax.transData.transform((left + k, top + q))
                    colours[i, j, q, k] = png[int(height - y), int(x)]
    return colours


COLOUR_CASES = {
    "uniform": lambda rng: rng.random((2, 2, 5, 6)),
    "at the colormap's steps": lambda rng: np.linspace(0, 1, 257)[:256].reshape(1, 1, 16, 16),
    "near-constant": lambda rng: 0.1 + rng.integers(0, 3, (1, 2, 4, 4)) * 1e-17,
    "tiny": lambda rng: rng.random((1, 2, 4, 4)) * 1e-300,
    "huge": lambda rng: (rng.random((1, 2, 4, 4)) * 2 - 1) * 1.7e308,
    "negative": lambda rng: -rng.random((1, 2, 4, 4)) * 1e5,
}


@pytest.mark.parametrize("case", COLOUR_CASES)
def test_both_paths_colour_every_cell_alike(case: str) -> None:
    weights = COLOUR_CASES[case](np.random.default_rng(7))
    panels = show_heatmaps(weights, "k", "q", composed=False, figsize=(6, 4))
    grid = show_heatmaps(weights, "k", "q", composed=True, figsize=(6, 4))
    np.testing.assert_array_equal(
        cell_colours(panels, weights.shape), cell_colours(grid, weights.shape)
    )


def test_colorbar_reads_true_for_extreme_values() -> None:
    fig = show_heatmaps(np.array([[1.7e308, -1.7e308], [0.0, 1.0]]), "k", "q")
    colorbar = fig.axes[-1]
    with matplotlib.rc_context(_style.rc_params()):
        fig.draw_without_rendering()
    low, high = sorted(colorbar.get_ylim())
    labels = {
        float(tick.label1.get_text())
        for tick in colorbar.yaxis.get_major_ticks()
        if low <= tick.get_loc() <= high and tick.label1.get_text()
    }
    assert labels and max(labels) > 1e307 and min(labels) < -1e307
    assert "-1.7e+308 to 1.7e+308" in (fig.alt_text or "")


def test_near_constant_and_tiny_constant_grids_use_zero_to_value() -> None:
    near = show_heatmaps(0.1 + np.array([[0.0, 1e-17], [2e-17, 0.0]]), "k", "q")
    assert near.axes[0].images[0].norm.vmin == 0.0
    tiny = show_heatmaps(np.full((2, 2), 1e-300), "k", "q")
    colorbar = tiny.axes[-1]
    with matplotlib.rc_context(_style.rc_params()):
        tiny.draw_without_rendering()
    assert sorted(colorbar.get_ylim())[0] == 0.0  # not -0.1
    assert tiny.alt_text == "Heatmap: q × k, 0 to 1e-300"
