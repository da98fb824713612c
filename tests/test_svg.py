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
from attnbook.heatmaps import show_heatmaps
from attnbook.svg import BookFigure, to_png, to_svg

SVG = "{http://www.w3.org/2000/svg}"
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
    with pytest.raises(ValueError, match=r"dpi must be positive, got 0"):
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
    assert len(svg.encode("utf-8")) <= 8000


def test_minified() -> None:
    svg = to_svg(identity())
    assert svg.startswith("<svg ")
    for unwanted in ("<?xml", "<!DOCTYPE", "<!--", "<metadata", "dc:", "rdf:", "xlink", "\n"):
        assert unwanted not in svg
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
    png = base64.b64decode(image.attrib["href"].split(",", 1)[1])
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
    assert parse(to_svg(identity())).attrib["aria-label"] == "热力图：Queries × Keys，0 到 1"
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
