"""Schematic figures for the chapters on attention cues, drawn from simple shapes.

Two figures carry the ideas of d2l.ai §10.1: an eye choosing one of five objects on a
desk, steered by a nonvolitional or a volitional cue, and the flow of a query and
key–value pairs through attention pooling. Both are plain matplotlib figures made of
patches, lines and text, so they export to small SVGs whose text stays text.

Colours follow one rule so that the exported SVG reads on a light and on a dark page:
text and outlines drawn on the page are pure black, which ``attnbook.svg.to_svg`` turns
into the page's text colour (``currentColor``); filled shapes are translucent tints; the
few solid accents (the red cup, the iris) have at least 3:1 contrast on both a white
and a #1e2129 background.

All words come from ``DIAGRAM_LABELS``, one dictionary per language; any of them can
be overridden with the ``labels`` argument.
"""

from __future__ import annotations

import difflib
import math
import string
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

import matplotlib
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.lines import Line2D
from matplotlib.patches import (
    Arc,
    Circle,
    Ellipse,
    FancyBboxPatch,
    Patch,
    PathPatch,
    Polygon,
    Rectangle,
)
from matplotlib.path import Path

from attnbook._style import rc_params
from attnbook.svg import BookFigure

__all__ = ["DIAGRAM_LABELS", "attention_cue_scene", "attention_pooling_diagram"]

DIAGRAM_LABELS: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        "zh": MappingProxyType(
            {
                "newspaper": "报纸",
                "research_paper": "研究论文",
                "coffee": "咖啡杯",
                "notebook": "笔记本",
                "book": "书",
                "nonvolitional_cue": "非自主性提示",
                "nonvolitional_reason": "基于显著性：红色的咖啡杯最醒目",
                "volitional_cue": "自主性提示",
                "volitional_reason": "受意志驱动：想读书了",
                "query": "查询",
                "key": "键",
                "value": "值",
                "sensory_input": "感官输入",
                "attention_weights": "注意力权重",
                "attention_pooling": "注意力汇聚",
                "output": "输出",
                "scene_alt": (
                    "示意图：一只眼睛看着排成一行的{newspaper}、{research_paper}、{coffee}、"
                    "{notebook}和{book}，只有{coffee}是红色的。视线落在{focus}上。"
                    "{cue}（{reason}）。"
                ),
                "pooling_alt": (
                    "示意图：{query}（{volitional_cue}）从上方进入{attention_pooling}；"
                    "三对{key}和{value}从下方进入，{key}是{nonvolitional_cue}，"
                    "{value}是{sensory_input}，箭头的粗细是{attention_weights}"
                    "（0.2、0.7、0.1）；{attention_pooling}给出{output}。"
                ),
            }
        ),
        "en": MappingProxyType(
            {
                "newspaper": "newspaper",
                "research_paper": "research paper",
                "coffee": "coffee cup",
                "notebook": "notebook",
                "book": "book",
                "nonvolitional_cue": "nonvolitional cue",
                "nonvolitional_reason": "saliency: the red cup stands out",
                "volitional_cue": "volitional cue",
                "volitional_reason": "will: I want to read",
                "query": "query",
                "key": "key",
                "value": "value",
                "sensory_input": "sensory input",
                "attention_weights": "attention weights",
                "attention_pooling": "attention\npooling",
                "output": "output",
                "scene_alt": (
                    "Diagram: an eye looks at a {newspaper}, a {research_paper}, a {coffee}, "
                    "a {notebook} and a {book} in a row; only the {coffee} is red. Its gaze "
                    "rests on the {focus}: a {cue} ({reason})."
                ),
                "pooling_alt": (
                    "Diagram: a {query} ({volitional_cue}) enters {attention_pooling} from "
                    "above; three {key}-{value} pairs enter from below, each {key} a "
                    "{nonvolitional_cue} and each {value} a {sensory_input}, with arrows as "
                    "thick as the {attention_weights} (0.2, 0.7, 0.1); {attention_pooling} "
                    "gives the {output}."
                ),
            }
        ),
    }
)
"""Every word in the diagrams, one read-only dictionary per language (``"zh"``, ``"en"``).

An edition in another language adds one dictionary with the same keys; a figure's
``labels`` argument overrides any of them. ``scene_alt`` and ``pooling_alt`` are the
figures' text alternatives for screen readers: templates whose ``{fields}`` are the other
keys, plus ``focus``, ``cue`` and ``reason`` in ``scene_alt``. The key ``coffee``, for
example, is ``"coffee cup"`` in English and ``"咖啡杯"`` in Chinese.
"""

_TEMPLATE_FIELDS: Final = {
    "scene_alt": ("focus", "cue", "reason"),
    "pooling_alt": (),
}

# Pure black becomes the page's text colour in the exported SVG.
_INK: Final = "#000000"
# Solid accents: a relative luminance of 0.15-0.30 keeps >= 3:1 on white and on #1e2129.
_CUP_RED: Final = "#d8382c"
_IRIS_BLUE: Final = "#4f7fc0"
_PUPIL: Final = "#10131a"  # near black, so it stays dark inside the iris in both themes
# Tints for filled shapes, used translucent so ink on them reads in both themes.
_PAPER_GREY: Final = "#8a8a8a"
_SPOTLIGHT: Final = "#f0b429"
_QUERY_TINT: Final = "#4f7fc0"
_KEY_TINT: Final = "#d8382c"
_VALUE_TINT: Final = "#3f9b5a"
_POOLING_TINT: Final = "#9467bd"

_OBJECTS: Final = ("newspaper", "research_paper", "coffee", "notebook", "book")
_FOCUS_CUES: Final = {"coffee": "nonvolitional", "book": "volitional"}
_SUBSCRIPTS: Final = "₁₂₃₄₅₆₇₈₉"


def _labels_for(language: str, labels: Mapping[str, str] | None) -> dict[str, str]:
    """Merge the language's labels with the caller's overrides, checking both."""
    if not isinstance(language, str) or language not in DIAGRAM_LABELS:
        allowed = ", ".join(repr(name) for name in DIAGRAM_LABELS)
        raise ValueError(f"language must be one of {allowed}, got {language!r}")
    merged = dict(DIAGRAM_LABELS[language])
    if labels is None:
        return merged
    if not isinstance(labels, Mapping):
        raise TypeError(
            f"labels must be a mapping from label names to strings, got {type(labels).__name__}"
        )
    for name, text in labels.items():
        if name not in merged:
            close = difflib.get_close_matches(str(name), merged, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            known = ", ".join(repr(key) for key in merged)
            raise ValueError(f"labels has an unknown key {name!r}{hint}; known keys: {known}")
        if not isinstance(text, str):
            raise TypeError(f"labels[{name!r}] must be a str, got {type(text).__name__}")
        if name in _TEMPLATE_FIELDS:
            _check_template(name, text, merged)
        merged[name] = text
    return merged


def _check_template(name: str, template: str, labels: Mapping[str, str]) -> None:
    """Raise ``ValueError`` if an alt-text template uses fields it will not be given."""
    allowed = [key for key in labels if key not in _TEMPLATE_FIELDS]
    allowed += _TEMPLATE_FIELDS[name]
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(template) if field]
    except ValueError as error:
        raise ValueError(f"labels[{name!r}] is not a valid template: {error}") from None
    unknown = [field for field in fields if field not in allowed]
    if unknown:
        raise ValueError(
            f"labels[{name!r}] uses unknown field(s) {', '.join(map(repr, unknown))}; "
            f"allowed fields: {', '.join(allowed)}"
        )


def _alt_text(template: str, labels: Mapping[str, str], **extra: str) -> str:
    """Fill an alt-text template, on one line."""
    fields = {key: value.replace("\n", " ") for key, value in labels.items()}
    fields.update(extra)
    return template.format(**fields)


def _tint(colour: str, alpha: float) -> tuple[float, float, float, float]:
    """Return ``colour`` with the given opacity, for fills that ink sits on."""
    return (*to_rgb(colour), alpha)


def _canvas(width: float, height: float, alt_text: str) -> tuple[BookFigure, Axes]:
    """Return a figure whose one axes spans it in inch units, without ticks or frame."""
    figure = BookFigure(figsize=(width, height), facecolor="none", alt_text=alt_text)
    ax = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0.0, width)
    ax.set_ylim(0.0, height)
    ax.set_aspect("equal")
    ax.set_autoscale_on(False)
    ax.axis("off")
    return figure, ax


def _strokes(
    ax: Axes, segments: Sequence[tuple[float, float, float, float]], width: float, label: str
) -> None:
    """Draw segments (x0, y0, x1, y1) as one line broken by NaNs: one path in the SVG."""
    xs: list[float] = []
    ys: list[float] = []
    for x0, y0, x1, y1 in segments:
        xs += [x0, x1, math.nan]
        ys += [y0, y1, math.nan]
    ax.add_line(Line2D(xs, ys, color=_INK, linewidth=width, solid_capstyle="butt", label=label))


def _shape(ax: Axes, patch: Patch, label: str) -> None:
    """Add a patch, tagged with the object it belongs to (tags are not exported)."""
    patch.set_label(label)
    ax.add_patch(patch)


def _sheet(ax: Axes, x: float, y: float, w: float, h: float, alpha: float, label: str) -> None:
    """Draw a grey sheet of paper with an ink outline."""
    paper = _tint(_PAPER_GREY, alpha)
    _shape(ax, Rectangle((x, y), w, h, facecolor=paper, edgecolor=_INK, linewidth=1.0), label)


def _rows(
    x0: float, x1: float, top: float, step: float, count: int
) -> list[tuple[float, float, float, float]]:
    """Return ``count`` horizontal segments from x0 to x1, going down from ``top``."""
    return [(x0, top - step * i, x1, top - step * i) for i in range(count)]


def _newspaper(ax: Axes, cx: float, y0: float) -> None:
    w, h = 0.74, 0.84
    x = cx - w / 2
    column = (w - 0.22) / 2
    _sheet(ax, x, y0, w, h, 0.22, "newspaper")
    _strokes(ax, [(x + 0.08, y0 + h - 0.12, x + w - 0.08, y0 + h - 0.12)], 2.6, "newspaper")
    photo = Rectangle((x + 0.08, y0 + h - 0.42), column, 0.22, facecolor=_tint(_PAPER_GREY, 0.5))
    _shape(ax, photo, "newspaper")
    right = x + 0.14 + column
    lines = _rows(x + 0.08, x + 0.08 + column, y0 + 0.3, 0.09, 3)
    lines += _rows(right, right + column, y0 + h - 0.24, 0.09, 6)
    _strokes(ax, lines, 0.8, "newspaper")


def _research_paper(ax: Axes, cx: float, y0: float) -> None:
    w, h, fold = 0.62, 0.84, 0.13
    x = cx - w / 2
    outline = [(x, y0), (x + w, y0), (x + w, y0 + h - fold), (x + w - fold, y0 + h), (x, y0 + h)]
    corner = [(x + w - fold, y0 + h), (x + w - fold, y0 + h - fold), (x + w, y0 + h - fold)]
    for points, alpha in ((outline, 0.22), (corner, 0.45)):
        sheet = Polygon(points, facecolor=_tint(_PAPER_GREY, alpha), edgecolor=_INK, linewidth=1)
        _shape(ax, sheet, "research_paper")
    _strokes(ax, [(cx - 0.18, y0 + h - 0.17, cx + 0.12, y0 + h - 0.17)], 2.0, "research_paper")
    lines = [(cx - 0.12, y0 + h - 0.28, cx + 0.08, y0 + h - 0.28)]
    lines += _rows(x + 0.08, x + w - 0.08, y0 + 0.44, 0.08, 5)
    _strokes(ax, lines, 0.8, "research_paper")


def _coffee_cup(ax: Axes, cx: float, y0: float) -> None:
    saucer = Ellipse((cx, y0 + 0.05), 0.72, 0.1, facecolor=_tint(_PAPER_GREY, 0.3))
    saucer.set(edgecolor=_INK, linewidth=1.0)
    _shape(ax, saucer, "coffee")
    bottom, top, height, base = 0.36, 0.46, 0.44, y0 + 0.07
    body = [
        (cx - bottom / 2, base),
        (cx + bottom / 2, base),
        (cx + top / 2, base + height),
        (cx - top / 2, base + height),
    ]
    _shape(ax, Polygon(body, facecolor=_CUP_RED, edgecolor="none"), "coffee")
    handle = Arc((cx + 0.23, base + 0.24), 0.2, 0.22, theta1=-80, theta2=80, linewidth=3.5)
    handle.set_edgecolor(_CUP_RED)
    _shape(ax, handle, "coffee")
    xs: list[float] = []
    ys: list[float] = []
    for dx in (-0.1, 0.0, 0.1):  # three wisps of steam
        for i in range(13):
            xs.append(cx + dx + 0.025 * math.sin(2 * math.pi * i / 12))
            ys.append(base + height + 0.06 + 0.02 * i)
        xs.append(math.nan)
        ys.append(math.nan)
    ax.add_line(Line2D(xs, ys, color=_INK, linewidth=0.9, label="coffee"))


def _notebook(ax: Axes, cx: float, y0: float) -> None:
    w, h = 0.62, 0.8
    x = cx - w / 2
    _sheet(ax, x, y0, w, h, 0.22, "notebook")
    rings = [
        (x + 0.09 + 0.11 * i, y0 + h - 0.06, x + 0.09 + 0.11 * i, y0 + h + 0.06) for i in range(5)
    ]
    _strokes(ax, rings, 2.2, "notebook")
    _strokes(ax, _rows(x + 0.07, x + w - 0.07, y0 + h - 0.2, 0.1, 6), 0.6, "notebook")


def _book(ax: Axes, cx: float, y0: float) -> None:
    w, h, spine, depth = 0.6, 0.84, 0.09, 0.05
    x = cx - w / 2
    # The edges of the pages show below and to the right of the cover.
    pages = [
        (x + w, y0 + h),
        (x + w + depth, y0 + h - depth),
        (x + w + depth, y0 - depth),
        (x + depth, y0 - depth),
        (x, y0),
        (x + w, y0),
    ]
    ink: dict[str, Any] = {"edgecolor": _INK, "linewidth": 0.8}
    _shape(ax, Polygon(pages, facecolor=_tint(_PAPER_GREY, 0.12), **ink), "book")
    _sheet(ax, x, y0, w, h, 0.4, "book")
    _shape(ax, Rectangle((x, y0), spine, h, facecolor=_tint(_PAPER_GREY, 0.6), **ink), "book")
    title = Rectangle(
        (x + spine + 0.08, y0 + h - 0.36), w - spine - 0.16, 0.22, facecolor="none", **ink
    )
    _shape(ax, title, "book")
    middle = x + spine + (w - spine) / 2
    _strokes(ax, [(middle - 0.12, y0 + h - 0.25, middle + 0.12, y0 + h - 0.25)], 1.6, "book")


_DRAWERS: Final = {
    "newspaper": _newspaper,
    "research_paper": _research_paper,
    "coffee": _coffee_cup,
    "notebook": _notebook,
    "book": _book,
}


def _eye(ax: Axes, cx: float, cy: float, look: tuple[float, float]) -> float:
    """Draw an eye whose iris turns towards ``look``; return the y of its lower lid."""
    half_w, half_h = 0.48, 0.22
    # Two quadratic Bézier curves; a control point at twice the height gives the lid's top.
    almond = Path(
        [
            (cx - half_w, cy),
            (cx, cy + 2 * half_h),
            (cx + half_w, cy),
            (cx, cy - 2 * half_h),
            (cx - half_w, cy),
        ],
        [Path.MOVETO, Path.CURVE3, Path.CURVE3, Path.CURVE3, Path.CURVE3],
    )
    _shape(ax, PathPatch(almond, facecolor="none", edgecolor=_INK, linewidth=1.4), "eye")
    dx, dy = look[0] - cx, look[1] - cy
    norm = math.hypot(dx, dy) or 1.0
    ix, iy = cx + 0.06 * dx / norm, cy + 0.05 * dy / norm
    _shape(ax, Circle((ix, iy), 0.145, facecolor=_IRIS_BLUE, edgecolor="none"), "eye")
    _shape(ax, Circle((ix, iy), 0.062, facecolor=_PUPIL, edgecolor="none"), "eye")
    _shape(ax, Circle((ix + 0.03, iy + 0.035), 0.022, facecolor="white", edgecolor="none"), "eye")
    lashes = []
    for angle in (-40.0, -20.0, 0.0, 20.0, 40.0):
        t = 0.5 + angle / 110
        px = (1 - t) ** 2 * (cx - half_w) + 2 * t * (1 - t) * cx + t**2 * (cx + half_w)
        py = cy + 4 * t * (1 - t) * half_h
        direction = math.radians(90 - angle)
        lashes.append((px, py, px + 0.09 * math.cos(direction), py + 0.09 * math.sin(direction)))
    _strokes(ax, lashes, 1.2, "eye")
    return cy - half_h


def attention_cue_scene(
    focus: str = "coffee", *, language: str = "zh", labels: Mapping[str, str] | None = None
) -> BookFigure:
    """Draw an eye choosing one of five objects on a desk, and the cue that steered it.

    Five objects lie in a row: a newspaper, a research paper, a coffee cup, a notebook
    and a book. Only the cup has a colour (red); the paper products are grey. A
    spotlight lies on the focused object, an arrow runs to it from the eye, and a
    caption names the cue: the red cup catches the eye by its saliency (a nonvolitional
    cue), while turning to the book is the subject's own choice (a volitional cue).

    Taught in: "Attention cues" (docs/01-attention-cues.md).

    Args:
        focus: The object the eye looks at: ``"coffee"`` (nonvolitional cue) or
            ``"book"`` (volitional cue).
        language: Which dictionary of ``DIAGRAM_LABELS`` to take the words from.
        labels: Replacements for some of the words, by key of ``DIAGRAM_LABELS``.

    Returns:
        A new figure, 6.25 × 2.9 inches, not registered with pyplot; its ``alt_text``
        describes it for ``to_svg``.

    Raises:
        ValueError: If ``focus`` or ``language`` is not an allowed value, or ``labels``
            has an unknown key or an alt-text template with unknown fields.
        TypeError: If ``labels`` is not a mapping or one of its values is not a string.

    Examples:
        >>> fig = attention_cue_scene("book")
        >>> [text.get_text() for text in fig.axes[0].texts if text.get_text()]
        ['报纸', '研究论文', '咖啡杯', '笔记本', '书', '自主性提示', '受意志驱动：想读书了']
        >>> attention_cue_scene("tea")
        Traceback (most recent call last):
        ...
        ValueError: focus must be one of 'coffee', 'book', got 'tea'
    """
    if not isinstance(focus, str) or focus not in _FOCUS_CUES:
        allowed = ", ".join(repr(name) for name in _FOCUS_CUES)
        raise ValueError(f"focus must be one of {allowed}, got {focus!r}")
    text = _labels_for(language, labels)
    cue = _FOCUS_CUES[focus]
    alt = _alt_text(
        text["scene_alt"],
        text,
        focus=text[focus],
        cue=text[f"{cue}_cue"],
        reason=text[f"{cue}_reason"],
    )
    y0 = 0.5  # the objects' base line
    centres = {name: 0.68 + 1.24 * i for i, name in enumerate(_OBJECTS)}
    eye_x, eye_y = centres["coffee"], 2.42
    params: dict[Any, Any] = rc_params()  # rc_context's stubs want typed keys
    with matplotlib.rc_context(params):
        figure, ax = _canvas(6.25, 2.9, alt)
        for name in _OBJECTS:
            _DRAWERS[name](ax, centres[name], y0)
            ax.text(centres[name], y0 - 0.2, text[name], ha="center", va="center")
        # The spotlight of attention covers the focused object and its name.
        spot_y, spot_h = y0 + 0.3, 1.5
        spotlight = Ellipse((centres[focus], spot_y), 1.12, spot_h, zorder=0.5)
        spotlight.set(facecolor=_tint(_SPOTLIGHT, 0.3), edgecolor="none")
        _shape(ax, spotlight, "spotlight")
        target = (centres[focus], spot_y + spot_h / 2)
        lid = _eye(ax, eye_x, eye_y, target)
        start = (eye_x + 0.05 * (target[0] - eye_x) / 3, lid - 0.05)
        gaze = ax.annotate(
            "",
            xy=target,
            xytext=start,
            arrowprops={
                "arrowstyle": "-|>",
                "color": _INK,
                "linewidth": 1.3,
                "shrinkA": 0,
                "shrinkB": 0,
                "mutation_scale": 12,
            },
        )
        gaze.set_label("gaze")
        ax.text(0.22, 2.6, text[f"{cue}_cue"], ha="left", va="center", fontsize=10.5, weight="bold")
        ax.text(0.22, 2.33, text[f"{cue}_reason"], ha="left", va="center")
    return figure


def _box(
    ax: Axes, x: float, y: float, w: float, h: float, tint: str, alpha: float, label: str
) -> None:
    """Draw a rounded box with a translucent fill and an ink outline."""
    box = FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.07")
    box.set(facecolor=_tint(tint, alpha), edgecolor=_INK, linewidth=1.1)
    _shape(ax, box, label)


def _arrow(
    ax: Axes, start: tuple[float, float], end: tuple[float, float], width: float, label: str
) -> None:
    """Draw a filled arrow whose shaft is ``width`` points wide, as one shape."""
    head = max(6.0, width + 4.0)
    arrow = ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={
            "arrowstyle": f"simple,head_length={head * 0.9},head_width={head},tail_width={width}",
            "mutation_scale": 1.0,
            "facecolor": _INK,
            "edgecolor": "none",
            "linewidth": 0,
            "shrinkA": 0,
            "shrinkB": 0,
        },
    )
    arrow.set_label(label)


def attention_pooling_diagram(
    *, language: str = "zh", labels: Mapping[str, str] | None = None
) -> BookFigure:
    """Draw a query and key–value pairs flowing through attention pooling to an output.

    The query (a volitional cue) enters attention pooling from above. Three key–value
    pairs come from below, each drawn as one card: the key (a nonvolitional cue) on top
    of its value (a sensory input). The arrows from the pairs are as thick as the
    attention weights (0.2, 0.7, 0.1) the query gives them, and attention pooling turns
    the weighted values into the output.

    Taught in: "Queries, keys and values" (docs/02-queries-keys-values.md).

    Args:
        language: Which dictionary of ``DIAGRAM_LABELS`` to take the words from.
        labels: Replacements for some of the words, by key of ``DIAGRAM_LABELS``.

    Returns:
        A new figure, 5.45 × 2.8 inches, not registered with pyplot; its ``alt_text``
        describes it for ``to_svg``.

    Raises:
        ValueError: If ``language`` is not an allowed value, or ``labels`` has an
            unknown key or an alt-text template with unknown fields.
        TypeError: If ``labels`` is not a mapping or one of its values is not a string.

    Examples:
        >>> fig = attention_pooling_diagram()
        >>> words = {text.get_text() for text in fig.axes[0].texts}
        >>> sorted(words & {"查询", "注意力汇聚", "输出", "键₁", "值₁"})
        ['值₁', '查询', '注意力汇聚', '输出', '键₁']
        >>> attention_pooling_diagram(labels={"querry": "Q"})
        Traceback (most recent call last):
        ...
        ValueError: labels has an unknown key 'querry' (did you mean 'query'?)...
    """
    text = _labels_for(language, labels)
    alt = _alt_text(text["pooling_alt"], text)
    weights = (0.2, 0.7, 0.1)
    columns = [1.85 + 0.82 * i for i in range(len(weights))]
    cell_w, cell_h = 0.64, 0.38
    value_y, key_y = 0.12, 0.12 + cell_h
    pool_x, pool_y, pool_w, pool_h = 1.47, 1.48, 2.4, 0.54
    pool_cx, pool_cy = pool_x + pool_w / 2, pool_y + pool_h / 2
    arrows_y = (key_y + cell_h + pool_y) / 2
    caption_x = 1.3
    params: dict[Any, Any] = rc_params()  # rc_context's stubs want typed keys
    with matplotlib.rc_context(params):
        figure, ax = _canvas(5.45, 2.8, alt)
        for i, (cx, weight) in enumerate(zip(columns, weights, strict=True)):
            x = cx - cell_w / 2
            for y, tint, name in ((key_y, _KEY_TINT, "key"), (value_y, _VALUE_TINT, "value")):
                cell = Rectangle(
                    (x, y), cell_w, cell_h, facecolor=_tint(tint, 0.25), edgecolor="none"
                )
                _shape(ax, cell, name)
                ax.text(cx, y + cell_h / 2, text[name] + _SUBSCRIPTS[i], ha="center", va="center")
            # One outline around both cells makes the key and its value a pair.
            _strokes(ax, [(x, key_y, x + cell_w, key_y)], 0.6, "pair")
            card = FancyBboxPatch(
                (x, value_y), cell_w, 2 * cell_h, boxstyle="round,pad=0,rounding_size=0.05"
            )
            card.set(facecolor="none", edgecolor=_INK, linewidth=1.1)
            _shape(ax, card, "pair")
            _arrow(ax, (cx, key_y + cell_h + 0.04), (cx, pool_y), 0.8 + 5 * weight, "weight")
            ax.text(cx + 0.1, arrows_y + 0.02, f"{weight:.1f}", ha="left", va="center", fontsize=8)
        for y, name in (
            (arrows_y, "attention_weights"),
            (key_y + cell_h / 2, "nonvolitional_cue"),
            (value_y + cell_h / 2, "sensory_input"),
        ):
            ax.text(caption_x, y, text[name], ha="right", va="center", fontsize=8.5)
        _box(ax, pool_x, pool_y, pool_w, pool_h, _POOLING_TINT, 0.22, "attention_pooling")
        ax.text(
            pool_cx,
            pool_cy,
            text["attention_pooling"],
            ha="center",
            va="center",
            fontsize=10,
            weight="bold",
        )
        query_w, query_h, query_y = 0.8, 0.38, 2.32
        _box(ax, pool_cx - query_w / 2, query_y, query_w, query_h, _QUERY_TINT, 0.25, "query")
        ax.text(pool_cx, query_y + query_h / 2, text["query"], ha="center", va="center")
        ax.text(
            pool_cx + query_w / 2 + 0.12,
            query_y + query_h / 2,
            text["volitional_cue"],
            ha="left",
            va="center",
            fontsize=8.5,
        )
        _arrow(ax, (pool_cx, query_y - 0.02), (pool_cx, pool_y + pool_h), 1.3, "query")
        out_x, out_w = pool_x + pool_w + 0.55, 0.8
        _box(ax, out_x, pool_cy - query_h / 2, out_w, query_h, _VALUE_TINT, 0.4, "output")
        ax.text(out_x + out_w / 2, pool_cy, text["output"], ha="center", va="center")
        _arrow(ax, (pool_x + pool_w + 0.02, pool_cy), (out_x, pool_cy), 1.3, "output")
    return figure
