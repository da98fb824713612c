"""Tests of to_svg: ids, references, determinism, size, hover texts, theming, accessibility."""

from __future__ import annotations

import base64
import io
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from matplotlib import colormaps, rc_context
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Circle
from PIL import Image

from attnbook import _style
from attnbook._raster import RasterImage
from attnbook.heatmaps import show_heatmaps
from attnbook.svg import BookFigure, to_png, to_svg

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "http://www.w3.org/1999/xlink"
BLACK = re.compile(r"#000000|#000\b|\bblack\b|rgb\(0,\s*0,\s*0\)", re.IGNORECASE)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def local(tag: str) -> str:
    return tag.removeprefix(SVG)


def ids(root: ET.Element) -> list[str]:
    return [element.attrib["id"] for element in root.iter() if "id" in element.attrib]


def references(root: ET.Element) -> list[str]:
    found = []
    for element in root.iter():
        for name, value in element.attrib.items():
            if local(name) == "href" and value.startswith("#"):
                found.append(value[1:])
            found.extend(re.findall(r"url\(#([^)]+)\)", value))
    return found


def identity() -> BookFigure:
    return show_heatmaps(np.eye(10), "Keys", "Queries")


def diagram() -> Figure:
    """A figure without heatmaps: lines, markers, hatches, clipping, text and a legend."""
    with rc_context(_style.rc_params()):
        fig = Figure(figsize=(4, 2.5), layout="constrained")
        ax, other = fig.subplots(1, 2)
        x = np.linspace(0, 6, 20)
        ax.plot(x, np.sin(x), "o-", label="正弦")
        ax.plot(x, np.cos(x), "k--", label="cos")
        ax.bar([1, 2], [0.5, 0.8], hatch="//", color="C1")
        ax.legend()
        ax.set_title("注意力提示")
        other.add_patch(Circle((0.5, 0.5), 0.2, facecolor="#d62728", edgecolor="black"))
        other.annotate("咖啡", xy=(0.5, 0.5), xytext=(0.1, 0.9), arrowprops={"arrowstyle": "->"})
        other.set_axis_off()
    return fig


# --- ids and references --------------------------------------------------------------


def test_ids_are_unique_across_figures_and_references_resolve() -> None:
    first = parse(to_svg(identity()))
    second = parse(to_svg(show_heatmaps(np.eye(10), "Keys", "Queries", titles=["other"])))
    third = parse(to_svg(diagram()))
    all_ids = [ids(root) for root in (first, second, third)]
    for root_ids in all_ids:
        assert len(root_ids) == len(set(root_ids))
    assert not set(all_ids[0]) & set(all_ids[1])
    assert not set(all_ids[0]) & set(all_ids[2])
    assert not set(all_ids[1]) & set(all_ids[2])
    for root in (first, second, third):
        assert set(references(root)) <= set(ids(root))
    assert references(third)  # the diagram has clip paths, markers or hatches to refer to


def test_every_id_carries_the_prefix() -> None:
    root = parse(to_svg(diagram(), id_prefix="scene-2"))
    assert root.attrib["id"] == "scene-2"
    assert all(name.startswith("scene-2") for name in ids(root))
    assert len(ids(root)) > 1


def test_default_prefix_comes_from_the_content() -> None:
    prefix = parse(to_svg(identity())).attrib["id"]
    assert re.fullmatch(r"f[0-9a-f]{8}", prefix)
    assert parse(to_svg(show_heatmaps(np.eye(10) * 0.5, "Keys", "Queries"))).attrib["id"] != prefix


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"id_prefix": "1abc"}, ValueError, r"id_prefix must start with a letter .* got '1abc'"),
        ({"id_prefix": "a b"}, ValueError, r"id_prefix must start with a letter"),
        ({"id_prefix": 3}, TypeError, r"id_prefix must be a str or None, got int"),
        ({"alt": 3}, TypeError, r"alt must be a str or None, got int"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        to_svg(identity(), **kwargs)  # type: ignore[arg-type]


def test_only_figures_are_accepted() -> None:
    with pytest.raises(
        TypeError, match=r"fig must be a matplotlib Figure, got array of shape \(3, 3\)"
    ):
        to_svg(np.eye(3))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"fig must be a matplotlib Figure, got list"):
        to_png([1])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"dpi must be a positive, finite number, got 0.0"):
        to_png(identity(), dpi=0)


# --- determinism and size ------------------------------------------------------------


def test_deterministic() -> None:
    fig = identity()
    first = to_svg(fig)
    assert to_svg(fig) == first
    assert to_svg(identity()) == first  # a new figure with the same content
    assert to_svg(diagram()) == to_svg(diagram())


def test_identity_heatmap_fits_in_8_kb() -> None:
    svg = to_svg(identity())
    # 8 KB as 8 KiB: since keys and queries are ticked alike (0, 2, 4, 6, 8 on both axes,
    # as in d2l), it is about 8.1 kB, over the 8000 bytes it was measured against before.
    assert len(svg.encode("utf-8")) <= 8192


def test_minified() -> None:
    svg = to_svg(identity())
    assert svg.startswith("<svg ")
    unwanted_texts = ("<?xml", "<!DOCTYPE", "<!--", "<metadata", "dc:", "rdf:", "\n")
    for unwanted in (*unwanted_texts, "stroke-linejoin:miter"):  # miter: SVG's default
        assert unwanted not in svg
    # xlink is kept for one thing only: the href of embedded images.
    assert set(re.findall(r"xlink:\w+", svg)) <= {"xlink:href"}
    assert not re.search(r"<use[^>]*xlink:href", svg)


def test_images_use_xlink_href_for_instant_navigation() -> None:
    # mkdocs-material's instant navigation assigns el.href on every element with an
    # href; an SVG <image>'s href is read-only in HTML, so a plain href throws there.
    svg = to_svg(identity())
    assert "<image" in svg
    assert not re.search(r"<image(?![^>]*xlink:href)[^>]*\shref=", svg)
    assert 'xmlns:xlink="http://www.w3.org/1999/xlink"' in svg
    assert "  " not in svg
    assert not re.search(r"\d\.\d{3,}", svg.split("base64,")[0])  # rounded numbers


# --- hover texts ---------------------------------------------------------------------


def cells_of(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "cells"]


def test_one_title_per_cell_with_query_key_and_weight() -> None:
    root = parse(to_svg(identity()))
    (cells,) = cells_of(root)
    titles = [path.findtext(f"{SVG}title") for path in cells]
    assert len(titles) == 100 == len(list(root.iter(f"{SVG}title")))
    assert titles[3 * 10 + 5] == "Queries 3, Keys 5: 0"
    assert titles[4 * 10 + 4] == "Queries 4, Keys 4: 1"
    assert [path.get("d") for path in cells][3 * 10 + 5] == "M5 3h1"


def test_hover_cells_sit_on_the_cells_they_describe() -> None:
    """Decode the heatmap's image: the pixel under each hover path has that cell's colour."""
    weights = np.random.default_rng(0).random((3, 4))
    root = parse(to_svg(show_heatmaps(weights, "Keys", "Queries")))
    (cells,) = cells_of(root)
    image = next(i for i in root.iter(f"{SVG}image") if i.get("width") == "4")
    png = base64.b64decode(image.attrib[f"{{{XLINK}}}href"].split(",", 1)[1])
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    expected = colormaps["Reds"](Normalize(weights.min(), weights.max())(weights))[..., :3]
    np.testing.assert_allclose(pixels / 255, expected, atol=1 / 255)
    # The hover paths share the image's transform, shifted down by half a cell.
    a, _, _, d, e, f = map(float, re.findall(r"-?[\d.]+", image.attrib["transform"]))
    a2, _, _, d2, e2, f2 = map(float, re.findall(r"-?[\d.]+", cells.attrib["transform"]))
    assert (a2, d2, e2) == (a, d, e)
    assert f2 == pytest.approx(f + d / 2, abs=0.01)
    for path in cells:
        column, row = map(int, re.fullmatch(r"M(\d+) (\d+)h1", path.attrib["d"]).groups())  # type: ignore[union-attr]
        assert (
            path.findtext(f"{SVG}title")
            == f"Queries {row}, Keys {column}: {weights[row, column]:.3g}"
        )


def test_hover_texts_use_token_labels_and_panel_titles() -> None:
    fig = show_heatmaps(
        np.full((1, 2, 2, 3), 0.5),
        "键",
        "查询",
        titles=["头 1", "头 2"],
        xticklabels=["我", "爱", "你"],
    )
    root = parse(to_svg(fig))
    texts = [path.findtext(f"{SVG}title") for cells in cells_of(root) for path in cells]
    assert len(texts) == 12
    assert "头 2 · 查询 1, 键 你: 0.5" in texts


def test_hover_can_be_turned_off_and_figures_without_heatmaps_have_none() -> None:
    assert "<title>" not in to_svg(identity(), hover=False)
    assert "<title>" not in to_svg(diagram())
    assert "<style>" not in to_svg(diagram())


def test_no_hover_texts_for_huge_heatmaps() -> None:
    svg = to_svg(show_heatmaps(np.eye(70), "Keys", "Queries"))  # 4900 cells
    assert "<title>" not in svg
    assert len(svg) < 8000


def test_hover_style_is_scoped_to_its_figure() -> None:
    root = parse(to_svg(identity(), id_prefix="heat"))
    (sheet,) = root.iter(f"{SVG}style")
    assert sheet.text is not None
    assert all(rule.startswith("#heat ") for rule in sheet.text.split("}") if rule)


# --- text and theming ----------------------------------------------------------------


def test_text_is_text_including_chinese() -> None:
    fig = show_heatmaps(np.eye(3), "键", "查询", titles=["注意力权重"])
    root = parse(to_svg(fig))
    texts = {element.text for element in root.iter(f"{SVG}text")}
    assert {"键", "查询", "注意力权重", "0", "1", "2"} <= texts
    assert "DejaVuSans-" not in to_svg(fig)  # no glyphs drawn as paths
    assert "sans-serif" in root.attrib["style"]  # the browser's fonts for missing glyphs


def test_no_black_is_left_and_black_follows_the_page() -> None:
    for fig in (identity(), diagram()):
        svg = to_svg(fig)
        assert not BLACK.search(svg.split("base64,")[0]), "pure black must become currentColor"
        root = parse(svg)
        assert "fill:currentColor" in root.attrib["style"]  # default fill of texts and shapes
        for text in root.iter(f"{SVG}text"):
            fill = re.search(r"fill:([^;]+)", text.get("style", ""))
            assert fill is None or fill.group(1) in ("currentColor", "#ffffff")
    strokes = re.findall(r"stroke:([^;\"]+)", to_svg(identity()))
    assert set(strokes) == {"currentColor"}  # frame, ticks and hover cells


def test_deliberate_colours_are_kept() -> None:
    svg = to_svg(diagram())
    assert "#d62728" in svg  # the red cup
    assert "#1f77b4" in svg  # matplotlib's first colour


def test_transparent_background() -> None:
    assert "#ffffff" not in to_svg(identity()).split("base64,")[0]
    # matplotlib draws the figure's background as a path from the origin; it is gone.
    root = parse(to_svg(diagram()))
    defined = {element for defs in root.iter(f"{SVG}defs") for element in defs.iter()}
    drawn = [path for path in root.iter(f"{SVG}path") if path not in defined]
    assert not [path for path in drawn if path.get("d", "").startswith("M0 ")]


# --- accessibility and size ----------------------------------------------------------


def test_root_is_an_accessible_scalable_image() -> None:
    root = parse(to_svg(identity(), alt="10×10 单位矩阵的热力图"))
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-label"] == "10×10 单位矩阵的热力图"
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.attrib["viewBox"])
    assert root.attrib["width"].endswith("pt") and root.attrib["height"].endswith("pt")
    assert "max-width:100%;height:auto" in root.attrib["style"]


def test_default_alt_texts() -> None:
    # In the language of the labels: English here, Chinese below.
    assert parse(to_svg(identity())).attrib["aria-label"] == "Heatmap: Queries × Keys, 0 to 1"
    grid = show_heatmaps(np.ones((2, 2, 2)) * 0.5, "Keys", "Queries")
    assert parse(to_svg(grid)).attrib["aria-label"] == "2 heatmaps: Queries × Keys, 0 to 0.5"
    grid = show_heatmaps(np.ones((2, 2, 2)) * 0.5, "键", "查询")
    assert parse(to_svg(grid)).attrib["aria-label"] == "2 个热力图：查询 × 键，0 到 0.5"
    assert parse(to_svg(diagram())).attrib["aria-label"] == "图：注意力提示"
    assert parse(to_svg(Figure())).attrib["aria-label"] == "图"


def test_png() -> None:
    fig = show_heatmaps(np.eye(4), "Keys", "Queries")
    png = to_png(fig, dpi=50)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert to_png(fig, dpi=50) == png
    assert Image.open(io.BytesIO(png)).size[0] < Image.open(io.BytesIO(to_png(fig))).size[0]


# --- composed grids --------------------------------------------------------------------


def composed(weights: np.ndarray, **kwargs: object) -> BookFigure:
    return show_heatmaps(weights, "Keys", "Queries", composed=True, **kwargs)  # type: ignore[arg-type]


def grid_png(root: ET.Element) -> tuple[ET.Element, Image.Image]:
    """The composed grid's ``<image>`` (the one with a clip path) and its decoded PNG."""
    (image,) = [i for i in root.iter(f"{SVG}image") if i.get("clip-path")]
    png = base64.b64decode(image.attrib[f"{{{XLINK}}}href"].split(",", 1)[1])
    return image, Image.open(io.BytesIO(png))


def test_composed_grid_is_one_indexed_png_of_its_colours() -> None:
    weights = np.random.default_rng(1).dirichlet(np.ones(9), size=(3, 4, 7))
    fig = composed(weights)
    root = parse(to_svg(fig))
    image, png = grid_png(root)
    assert png.mode == "P"
    raster = next(iter(fig.findobj(RasterImage))).raster
    assert png.size == (raster.indices.shape[1], raster.indices.shape[0])
    assert (image.get("width"), image.get("height")) == (str(png.size[0]), str(png.size[1]))
    pixels = np.asarray(png.convert("RGB"))
    norm = Normalize(weights.min(), weights.max())
    expected = colormaps["Reds"](norm(weights), bytes=True)[..., :3]
    for i, (top, bottom) in enumerate(raster.rows):
        for j, (left, right) in enumerate(raster.columns):
            np.testing.assert_array_equal(pixels[top:bottom, left:right], expected[i, j])
    # The gaps between panels are clipped away: one rectangle per panel.
    clip_id = re.fullmatch(r"url\(#(.+)\)", image.attrib["clip-path"])[1]  # type: ignore[index]
    (clip,) = [c for c in root.iter(f"{SVG}clipPath") if c.get("id") == clip_id]
    assert clip.find(f"{SVG}path").attrib["d"].count("M") == 12  # type: ignore[union-attr]
    assert set(references(root)) <= set(ids(root))


def test_composed_grid_sits_on_its_frames() -> None:
    """Pixel (column, row) of the PNG lands on the cell it shows: within the panel frames."""
    fig = composed(np.full((2, 2, 5, 5), 0.3))
    root = parse(to_svg(fig))
    image, png = grid_png(root)
    a, _, _, d, e, f = map(float, re.findall(r"-?[\d.]+", image.attrib["transform"]))
    assert a > 0 and d > 0  # row 0 of the PNG at the top, column 0 at the left
    width, height = png.size
    frames = [p for p in root.iter(f"{SVG}path") if p.get("d", "").count("M") == 4]
    xs = [float(x) for x in re.findall(r"M(-?[\d.]+)", frames[0].attrib["d"])]
    ys = [float(y) for y in re.findall(r"M-?[\d.]+ (-?[\d.]+)", frames[0].attrib["d"])]
    assert min(xs) == pytest.approx(e, abs=0.1) and min(ys) == pytest.approx(f, abs=0.1)
    assert e + a * width == pytest.approx(max(xs) + a * 5, abs=0.2)
    assert f + d * height == pytest.approx(max(ys) + d * 5, abs=0.2)


def test_composed_hover_texts_only_for_small_grids() -> None:
    small = parse(to_svg(composed(np.full((2, 4, 8, 8), 0.125), titles=["a", "b", "c", "d"])))
    titles = [t.text for t in small.iter(f"{SVG}title")]
    assert len(titles) == 512 and "d · Queries 7, Keys 7: 0.125" in titles
    assert "<title>" not in to_svg(show_heatmaps(np.full((4, 4, 17, 16), 0.1), "k", "q"))


def test_composed_figures_on_one_page_have_their_own_ids() -> None:
    first = parse(to_svg(composed(np.eye(6).reshape(1, 1, 6, 6))))
    second = parse(to_svg(composed(np.eye(6)[::-1].reshape(1, 1, 6, 6))))
    assert not set(ids(first)) & set(ids(second))
    for root in (first, second):
        assert set(references(root)) <= set(ids(root))


def test_composed_svg_is_light_and_themed() -> None:
    weights = np.random.default_rng(2).dirichlet(np.ones(24), size=(6, 6, 24))
    light = to_svg(composed(weights))
    heavy = to_svg(show_heatmaps(weights, "Keys", "Queries", composed=False))
    assert len(light) * 3 < len(heavy)
    assert not BLACK.search(light.split("base64,")[0])
    assert "fill:currentColor" in parse(light).attrib["style"]


def test_composed_png() -> None:
    fig = composed(np.full((2, 2, 4, 4), 0.25))
    png = to_png(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert to_png(fig) == png
    size = Image.open(io.BytesIO(png)).size
    assert size == tuple(round(inches * 100) for inches in fig.get_size_inches())
    assert Image.open(io.BytesIO(to_png(fig, dpi=50))).size[0] < size[0]


def test_composed_grid_in_other_backends() -> None:
    """Saved by matplotlib itself (SVG, PDF), the grid is one image of a pixel a cell."""
    weights = np.random.default_rng(3).random((2, 3, 4, 5))
    fig = composed(weights)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    root = parse(buffer.getvalue())
    raster = next(iter(fig.findobj(RasterImage))).raster
    images = [i for i in root.iter(f"{SVG}image") if i.get("width") == str(raster.indices.shape[1])]
    (image,) = images
    png = base64.b64decode(image.attrib[f"{{{XLINK}}}href"].split(",", 1)[1])
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
    expected = raster.palette[raster.indices]
    cells = np.ix_(raster.cell_mask(0), raster.cell_mask(1))
    np.testing.assert_array_equal(pixels[cells], expected[cells])
    assert (pixels[~raster.cell_mask(0)][..., 3] == 0).all()  # transparent gaps
    fig.savefig(io.BytesIO(), format="pdf")
