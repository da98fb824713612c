"""Tests for the schematic figures of chapters 1 and 2 (attnbook.diagrams)."""

from __future__ import annotations

import io
import re
from typing import Any

import matplotlib
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch, Polygon, Rectangle
from matplotlib.text import Annotation

from attnbook._style import missing_glyphs_ignored, rc_params
from attnbook.diagrams import DIAGRAM_LABELS, attention_cue_scene, attention_pooling_diagram
from attnbook.svg import BookFigure, to_svg

OBJECTS_ZH = ["报纸", "研究论文", "咖啡杯", "笔记本", "书"]
PAPER_PRODUCTS = ("newspaper", "research_paper", "notebook", "book")
WHITE, DARK = "#ffffff", "#1e2129"


def texts(fig: Figure) -> list[str]:
    return [text.get_text() for text in fig.axes[0].texts if text.get_text()]


def text_x(fig: Figure, word: str) -> float:
    (x,) = [text.get_position()[0] for text in fig.axes[0].texts if text.get_text() == word]
    return float(x)


def artists(fig: Figure, label: str) -> list[Any]:
    ax = fig.axes[0]
    return [a for a in [*ax.patches, *ax.lines, *ax.texts] if a.get_label() == label]


def gaze(fig: Figure) -> Annotation:
    (arrow,) = artists(fig, "gaze")
    assert isinstance(arrow, Annotation)
    return arrow


def contrast(colour_a: Any, colour_b: Any) -> float:
    """WCAG contrast ratio of two opaque colours."""

    def luminance(colour: Any) -> float:
        channels = [
            c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)
        ]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    light, dark = sorted((luminance(colour_a), luminance(colour_b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def svg_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    params: dict[Any, Any] = rc_params()
    with matplotlib.rc_context(params), missing_glyphs_ignored():
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


# --- the scene of chapter 1 ---------------------------------------------------------


@pytest.mark.parametrize(
    ("focus", "cue", "other_cue"),
    [("coffee", "非自主性提示", "自主性提示"), ("book", "自主性提示", "非自主性提示")],
)
def test_scene_names_the_objects_and_the_cue(focus: str, cue: str, other_cue: str) -> None:
    words = texts(attention_cue_scene(focus))
    assert words[:5] == OBJECTS_ZH
    assert cue in words
    assert other_cue not in words
    reason = "基于显著性：红色的咖啡杯最醒目" if focus == "coffee" else "受意志驱动：想读书了"
    assert reason in words


def test_objects_stand_in_a_row_from_left_to_right() -> None:
    fig = attention_cue_scene()
    xs = [text_x(fig, word) for word in OBJECTS_ZH]
    assert xs == sorted(xs)
    assert len({round(x, 6) for x in xs}) == 5


def colours(artist: matplotlib.artist.Artist) -> list[tuple[float, float, float, float]]:
    if isinstance(artist, Line2D):
        return [to_rgba(artist.get_color())]
    assert isinstance(artist, Patch)
    return [to_rgba(artist.get_facecolor()), to_rgba(artist.get_edgecolor())]


@pytest.mark.parametrize("focus", ["coffee", "book"])
def test_the_cup_is_red_and_the_only_coloured_object(focus: str) -> None:
    fig = attention_cue_scene(focus)
    cup = {colour for artist in artists(fig, "coffee") for colour in colours(artist)}
    assert to_rgba("#d8382c") in cup
    for name in PAPER_PRODUCTS:
        shapes = artists(fig, name)
        assert len(shapes) >= 3, name
        for shape in shapes:
            for r, g, b, alpha in colours(shape):
                assert r == g == b or alpha == 0, f"{name} has a coloured part {(r, g, b)}"


def test_accent_colours_have_contrast_on_both_themes() -> None:
    fig = attention_cue_scene()
    (cup,) = [p for p in artists(fig, "coffee") if isinstance(p, Polygon)]
    iris = max((p for p in artists(fig, "eye") if isinstance(p, Circle)), key=Circle.get_radius)
    for accent in (cup.get_facecolor(), iris.get_facecolor()):
        assert to_rgba(accent)[3] == 1.0
        assert contrast(accent[:3], WHITE) >= 3.0
        assert contrast(accent[:3], DARK) >= 3.0


def test_gaze_ends_at_the_focused_object() -> None:
    ends = {}
    for focus, word in (("coffee", "咖啡杯"), ("book", "书")):
        fig = attention_cue_scene(focus)
        arrow = gaze(fig)
        x, y = arrow.xy
        assert x == pytest.approx(text_x(fig, word))
        assert y > fig.axes[0].texts[0].get_position()[1]  # it arrives from above
        ends[focus] = x
    assert ends["coffee"] != ends["book"]


def test_the_spotlight_covers_the_focused_object_only() -> None:
    for focus, word in (("coffee", "咖啡杯"), ("book", "书")):
        fig = attention_cue_scene(focus)
        (spotlight,) = artists(fig, "spotlight")
        assert spotlight.get_center()[0] == pytest.approx(text_x(fig, word))


@pytest.mark.parametrize("focus", ["tea", "Coffee", "", None, 3])
def test_unknown_focus_is_rejected_with_the_allowed_values(focus: object) -> None:
    message = f"focus must be one of 'coffee', 'book', got {focus!r}"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        attention_cue_scene(focus)  # type: ignore[arg-type]


# --- the pooling diagram of chapter 2 -----------------------------------------------


def test_pooling_diagram_names_every_part() -> None:
    words = texts(attention_pooling_diagram())
    for word in (
        "查询",
        "注意力汇聚",
        "输出",
        "自主性提示",
        "非自主性提示",
        "感官输入",
        "注意力权重",
    ):
        assert word in words
    assert [w for w in words if w.startswith("键")] == ["键₁", "键₂", "键₃"]
    assert [w for w in words if w.startswith("值")] == ["值₁", "值₂", "值₃"]


def test_each_key_is_paired_with_its_value() -> None:
    fig = attention_pooling_diagram()
    keys = [p for p in artists(fig, "key") if isinstance(p, Rectangle)]
    values = [p for p in artists(fig, "value") if isinstance(p, Rectangle)]
    cards = [p for p in artists(fig, "pair") if not hasattr(p, "get_xdata")]
    assert len(keys) == len(values) == len(cards) == 3
    for key, value, card in zip(keys, values, cards, strict=True):
        # The key sits right on top of its value, and one outline holds both.
        assert key.get_x() == value.get_x()
        assert key.get_width() == value.get_width()
        assert key.get_y() == pytest.approx(value.get_y() + value.get_height())
        box = card.get_bbox()
        assert box.x0 == pytest.approx(key.get_x())
        assert box.x1 == pytest.approx(key.get_x() + key.get_width())
        assert box.y0 == pytest.approx(value.get_y())
        assert box.y1 == pytest.approx(key.get_y() + key.get_height())


def test_arrows_are_as_thick_as_the_weights_and_meet_the_pooling_box() -> None:
    fig = attention_pooling_diagram()
    weights = [float(word) for word in texts(fig) if re.fullmatch(r"0\.\d", word)]
    assert weights == [0.2, 0.7, 0.1]
    arrows = [a for a in artists(fig, "weight") if isinstance(a, Annotation)]
    widths = [a.arrow_patch.get_arrowstyle().tail_width for a in arrows]  # type: ignore[union-attr]
    assert sorted(range(3), key=widths.__getitem__) == sorted(range(3), key=weights.__getitem__)
    (pooling,) = artists(fig, "attention_pooling")
    box = pooling.get_bbox()
    for arrow in arrows:
        assert arrow.xy[1] == pytest.approx(box.y0)
    (query_arrow,) = [a for a in artists(fig, "query") if isinstance(a, Annotation)]
    assert query_arrow.xy[1] == pytest.approx(box.y1)
    (output_arrow,) = [a for a in artists(fig, "output") if isinstance(a, Annotation)]
    assert output_arrow.xyann[0] == pytest.approx(box.x1, abs=0.05)


# --- labels and languages -----------------------------------------------------------


def test_every_language_has_the_same_keys() -> None:
    keys = {language: set(labels) for language, labels in DIAGRAM_LABELS.items()}
    assert keys["en"] == keys["zh"]
    for labels in DIAGRAM_LABELS.values():
        assert all(isinstance(text, str) and text for text in labels.values())


def test_labels_are_read_only() -> None:
    with pytest.raises(TypeError):
        DIAGRAM_LABELS["zh"]["coffee"] = "茶杯"  # type: ignore[index]


def test_english_edition() -> None:
    scene = attention_cue_scene("book", language="en")
    assert texts(scene)[:5] == ["newspaper", "research paper", "coffee cup", "notebook", "book"]
    assert "volitional cue" in texts(scene)
    assert gaze(scene).xy[0] == pytest.approx(text_x(scene, "book"))
    pooling = texts(attention_pooling_diagram(language="en"))
    assert {"query", "key₁", "value₁", "attention\npooling", "output"} <= set(pooling)


def test_labels_override_single_words_and_the_alt_text() -> None:
    fig = attention_cue_scene(labels={"coffee": "茶杯", "nonvolitional_reason": "红色最醒目"})
    assert "茶杯" in texts(fig) and "咖啡杯" not in texts(fig)
    assert "红色最醒目" in texts(fig)
    assert isinstance(fig, BookFigure)
    assert "视线落在茶杯上" in str(fig.alt_text)
    custom = attention_pooling_diagram(labels={"pooling_alt": "{query} → {output}"})
    assert custom.alt_text == "查询 → 输出"


def test_alt_texts_describe_each_figure_on_one_line() -> None:
    coffee = attention_cue_scene().alt_text
    book = attention_cue_scene("book").alt_text
    assert coffee is not None and book is not None
    assert "视线落在咖啡杯上" in coffee and "非自主性提示" in coffee
    assert "视线落在书上" in book and "自主性提示" in book
    english = attention_pooling_diagram(language="en").alt_text
    assert english is not None and "attention pooling" in english and "\n" not in english


def test_unknown_language_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"^language must be one of 'zh', 'en', got 'fr'$"):
        attention_pooling_diagram(language="fr")
    with pytest.raises(ValueError, match=r"got \['zh'\]$"):
        attention_cue_scene(language=["zh"])  # type: ignore[arg-type]


def test_bad_labels_are_rejected_with_clear_messages() -> None:
    with pytest.raises(TypeError, match=r"^labels must be a mapping .*, got list$"):
        attention_cue_scene(labels=[("coffee", "茶杯")])  # type: ignore[arg-type]
    with pytest.raises(
        ValueError,
        match=r"^labels has an unknown key 'cofee' \(did you mean 'coffee'\?\); known keys: 'news",
    ):
        attention_cue_scene(labels={"cofee": "茶杯"})
    with pytest.raises(ValueError, match=r"^labels has an unknown key 'zzz'; known keys"):
        attention_pooling_diagram(labels={"zzz": "?"})
    with pytest.raises(TypeError, match=r"^labels\['query'\] must be a str, got int$"):
        attention_pooling_diagram(labels={"query": 1})  # type: ignore[dict-item]
    with pytest.raises(
        ValueError, match=r"^labels\['scene_alt'\] uses unknown field\(s\) 'who'; allowed"
    ):
        attention_cue_scene(labels={"scene_alt": "{who} looks"})
    with pytest.raises(ValueError, match=r"unknown field\(s\) 'focus'"):
        attention_pooling_diagram(labels={"pooling_alt": "{focus}"})
    with pytest.raises(ValueError, match=r"^labels\['scene_alt'\] is not a valid template"):
        attention_cue_scene(labels={"scene_alt": "{focus"})


# --- figures as objects: no global state, determinism, export -----------------------


def all_figures() -> list[BookFigure]:
    return [attention_cue_scene("coffee"), attention_cue_scene("book"), attention_pooling_diagram()]


def test_figures_leave_pyplot_and_rcparams_alone() -> None:
    plt = pytest.importorskip("matplotlib.pyplot")
    before = dict(matplotlib.rcParams)
    figures_before = plt.get_fignums()
    for fig in all_figures():
        assert isinstance(fig, BookFigure)
        assert fig.canvas.manager is None
    assert plt.get_fignums() == figures_before == []
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize("language", ["zh", "en"])
def test_shapes_fit_in_the_figure_and_words_do_not_overlap(language: str) -> None:
    figures = [
        attention_cue_scene("coffee", language=language),
        attention_cue_scene("book", language=language),
        attention_pooling_diagram(language=language),
    ]
    for fig in figures:
        canvas = FigureCanvasAgg(fig)
        frame = fig.bbox
        ax = fig.axes[0]
        for shape in [*ax.patches, *ax.lines]:
            box = shape.get_window_extent()
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1, shape.get_label()
            assert frame.y0 <= box.y0 and box.y1 <= frame.y1, shape.get_label()
        with missing_glyphs_ignored():
            renderer = canvas.get_renderer()
            boxes = [
                (t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if t.get_text()
            ]
        for word, box in boxes:
            assert frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1), word
        for i, (word, box) in enumerate(boxes):
            for other, other_box in boxes[i + 1 :]:
                assert not box.overlaps(other_box), (word, other)


def test_savefig_svg_is_deterministic() -> None:
    first = [svg_bytes(fig) for fig in all_figures()]
    second = [svg_bytes(fig) for fig in all_figures()]
    assert first == second
    assert len(set(first)) == 3


def test_exported_svg_is_small_themed_and_complete() -> None:
    expected = [
        [*OBJECTS_ZH, "非自主性提示"],
        [*OBJECTS_ZH, "自主性提示"],
        ["查询", "键₁", "值₁", "注意力汇聚", "输出", "感官输入"],
    ]
    for fig, words in zip(all_figures(), expected, strict=True):
        svg = to_svg(fig)
        assert len(svg.encode()) < 25_000
        for word in words:
            assert f">{word}</text>" in svg
        assert "#000000" not in svg.lower()  # ink follows the page: currentColor
        assert "currentColor" in svg
        assert f'aria-label="{fig.alt_text}"' in svg
        assert to_svg(fig) == svg
    scene = to_svg(attention_cue_scene())
    assert "#d8382c" in scene  # the red cup keeps its colour
