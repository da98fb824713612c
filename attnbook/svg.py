"""Exporting figures for the book: compact inline SVG for web pages, PNG for Jupyter.

``to_svg`` turns a matplotlib figure into an SVG string meant to be printed straight
into an HTML page (a markdown-exec block with ``html="1"``). matplotlib's SVG is
rewritten so that many figures can share one page and both light and dark themes:

- **Text stays text** (``svg.fonttype: none``), so the browser draws Chinese with its
  own fonts; the font list ends with ``sans-serif`` for readers who lack the fonts.
- **Theming rule: pure black becomes ``currentColor``; every other colour is left as
  it is.** Black fills and strokes (text, axes, ticks, frames, and anything drawn in
  ``"black"``, ``"k"`` or ``#000000``, including what matplotlib leaves black by
  default) take the page's text colour, so they are dark on a light page and light on
  a dark one. Deliberate colours (heatmap cells, colormaps, a red cup) are kept, and
  the figure and axes backgrounds are transparent. To keep a shape black in both
  themes, draw it in a near-black such as ``#010101``; to keep a white background,
  draw a white patch.
- **Ids are unique per figure**: every id, and every reference to it (``url(#…)``,
  ``href``), gets a prefix made from a hash of the figure (or the given ``id_prefix``),
  and ids nothing refers to are dropped. The same figure printed twice on one page
  gives the same ids, which is harmless since they name the same things.
- **Deterministic and compact**: no date, comment, metadata or DOCTYPE; numbers are
  rounded (0.1 pt, 0.01 in transforms, whole points for text), groups without
  attributes are dissolved, tick marks become one path per axis and repeated styles
  move to the root or a group.
- **Hover without JavaScript**: a figure made by ``attnbook.show_heatmaps`` carries one
  text per heatmap cell; each cell gets a transparent stroke with an SVG ``<title>``
  laid over the image, so the browser shows e.g. "Queries 3, Keys 5: 0.12" as a
  tooltip, and the cell under the pointer is shaded.
- **Composed grids stay light**: a model-size grid from ``show_heatmaps`` is one image
  of palette indices. It is written as one indexed PNG (one byte a cell before
  compression, lossless) whose gaps between panels are clipped away, and the figure,
  laid out exactly when it was made, is drawn once. ``to_png`` samples its cells to
  whole pixels directly and writes the PNG itself.
- **Accessible and responsive**: the root has ``role="img"``, an ``aria-label``, a
  ``viewBox`` and ``max-width:100%;height:auto``, and a ``min-width`` of 0.8 of its
  size, so that on a phone a wide figure stays legible and scrolls in its box (the book
  puts each figure in a box that scrolls sideways) instead of shrinking its text away.

``BookFigure`` is the ``Figure`` subclass that attnbook's drawing functions return: it
shows itself as this same inline SVG (with a PNG fallback) when it ends a Jupyter cell,
and carries the alt text and hover texts that ``to_svg`` uses.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import hashlib
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Collection, Iterator
from typing import Any

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure

from attnbook import _raster, _style
from attnbook._arrays import describe

__all__ = ["MAX_HOVER_CELLS", "BookFigure", "to_png", "to_svg"]

#: Heatmaps with more cells than this in all get no hover texts (they cost ~60 bytes each).
MAX_HOVER_CELLS = 4096

_SVG_NS = "http://www.w3.org/2000/svg"
_BLACK = {"#000000", "#000", "black", "rgb(0,0,0)", "rgb(0, 0, 0)"}
_COLOUR_PROPERTIES = ("fill", "stroke", "color", "stop-color", "flood-color", "lighting-color")
_GEOMETRY_ATTRIBUTES = (
    "d", "points", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry",
    "width", "height", "transform", "viewBox",
)  # fmt: skip
_NUMERIC_PROPERTIES = (
    "stroke-width", "stroke-opacity", "fill-opacity", "opacity", "stroke-dasharray",
    "stroke-dashoffset", "stroke-miterlimit",
)  # fmt: skip
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_REFERENCE = re.compile(r"url\(\s*['\"]?#([^)'\"\s]+)['\"]?\s*\)")
_ID_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
_IDENTITY_ROTATION = re.compile(r"rotate\(-?0(?:\.0*)?(?:[ ,][^)]*)?\)")
_SEGMENT = re.compile(
    r"M0 0(?:L(?P<x>-?[\d.]+) ?(?P<y>-?[\d.]+)|V(?P<v>-?[\d.]+)|H(?P<h>-?[\d.]+))"
)
_HIDDEN_CONTAINERS = ("defs", "clipPath", "mask", "pattern", "marker", "symbol")
_PIXELS_PER_POINT = 4 / 3  # CSS pixels
_MIN_SCALE = 0.8  # the smallest a figure shrinks to on a narrow page: 9 pt text stays ~10 px


class BookFigure(Figure):
    """A matplotlib ``Figure`` that displays itself in Jupyter and carries hints for SVG.

    It is an ordinary ``Figure``, not managed by pyplot. When it is the last expression
    of a Jupyter cell it shows itself as the site shows it: the inline SVG of ``to_svg``
    (``text/html``: hover a heatmap cell for its query, key and weight; transparent,
    with text in the notebook's own colour, light or dark), with the PNG of ``to_png``
    as the fallback for front-ends that show no HTML. This holds whether or not pyplot
    or its inline backend is in use, and the figure shows exactly once.

    Attributes:
        alt_text: A description for screen readers, used by ``to_svg`` when no ``alt``
            is given; ``None`` to describe the figure from its titles and labels.
        cell_titles: Hover texts for the cells of heatmap images, keyed by the image
            artist's gid: one list per image row, one text per pixel (empty for none).
        cell_axes: What names the queries and keys of each image in ``cell_titles``: its
            y label, x label, and the query and key tick labels (``None`` for positions).
            ``to_svg`` writes them as data for the readout of ``attnbook/views.js``.
        laid_out: Whether the figure was laid out exactly when it was made and never
            moves (a heatmap figure): exports then draw it once, as it is, without
            settling or cropping it.

    Examples:
        >>> fig = BookFigure(figsize=(1, 1))
        >>> bundle = fig._repr_mimebundle_()
        >>> sorted(bundle), bundle["image/png"][1:4], bundle["text/html"][:4]
        (['image/png', 'text/html'], b'PNG', '<svg')
        >>> list(fig._repr_mimebundle_(include=["image/png"]))
        ['image/png']
        >>> from attnbook.heatmaps import show_heatmaps
        >>> fig = show_heatmaps([[1.0, 0.0]], "Keys", "Queries")
        >>> "<script src=" in fig._repr_html_()
        True
    """

    def __init__(
        self, *args: Any, alt_text: str | None = None, laid_out: bool = False, **kwargs: Any
    ) -> None:
        """Create the figure; the arguments are those of ``matplotlib.figure.Figure``."""
        super().__init__(*args, **kwargs)
        self.alt_text = alt_text
        self.laid_out = laid_out
        self.cell_titles: dict[str, list[list[str]]] = {}
        self.cell_axes: dict[str, tuple[str, str, list[str] | None, list[str] | None]] = {}

    def _repr_mimebundle_(
        self, include: Collection[str] | None = None, exclude: Collection[str] | None = None
    ) -> dict[str, str | bytes]:
        """Return the figure for Jupyter's rich display: inline SVG, and PNG to fall back on."""
        renderers: dict[str, Callable[[], str | bytes]] = {
            "text/html": self._repr_html_,
            "image/png": self._repr_png_,
        }
        return {
            mimetype: render()
            for mimetype, render in renderers.items()
            if (include is None or mimetype in include)
            and (exclude is None or mimetype not in exclude)
        }

    def _repr_html_(self) -> str:
        """Return the inline SVG; with heatmap cells, followed by attnbook's views script.

        The script (``attnbook/views.js``) makes the cells answer hover, tap and arrow
        keys with a readout; the output carries it, so it works offline and exported.
        """
        svg = to_svg(self)
        if '<g class="cells"' not in svg:
            return svg
        from attnbook.views import _script_tag  # views.py imports nothing from here

        return svg + _script_tag()

    def _repr_png_(self) -> bytes:
        """Return the figure as PNG bytes, for front-ends that ask for PNG only."""
        return to_png(self)


def to_png(fig: Figure, *, dpi: float = 100) -> bytes:
    """Render a figure as PNG bytes with attnbook's fonts, on a white background.

    Taught in: "Visualizing attention" (docs/03-visualizing-attention.md).

    A figure from ``attnbook.show_heatmaps`` is drawn once, as it was laid out, and
    encoded by attnbook (RGB, compressed fast when large); the cells of a composed grid
    are sampled straight to pixels, whole pixels at the default 100 dpi. Other figures
    are drawn by matplotlib, cropped to what they show. Any figure's texts, a reader's
    own figure's included, fall back on the CJK fonts installed for the characters their
    own font lacks, so Chinese labels are drawn, not boxes.

    Args:
        fig: The figure, e.g. from ``attnbook.show_heatmaps``.
        dpi: Dots per inch: a positive, finite number (a numpy number will do).

    Returns:
        The bytes of a PNG file, the same for the same figure.

    Raises:
        TypeError: If ``fig`` is not a matplotlib ``Figure`` or ``dpi`` not a number.
        ValueError: If ``dpi`` is not positive and finite.

    Examples:
        >>> from matplotlib.figure import Figure
        >>> to_png(Figure(figsize=(1, 1)))[1:4]
        b'PNG'
        >>> to_png(Figure(figsize=(1, 1)), dpi=float("inf"))
        Traceback (most recent call last):
        ...
        ValueError: dpi must be a positive, finite number, got inf
    """
    _check_figure(fig)
    dpi = _check_dpi(dpi)
    with rc_context(_style.rc_params()), _style.cjk_fallback(fig):
        if _is_laid_out(fig):
            canvas = _Canvas()
            fig.savefig(canvas, format="rgba", dpi=dpi, facecolor="white")
            # The canvas knows its size in pixels (Agg rounds inches × dpi).
            return _raster.png(np.asarray(canvas.pixels)[:, :, :3])
        buffer = io.BytesIO()
        fig.draw_without_rendering()  # settle the layout, as in to_svg
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def to_svg(
    fig: Figure, *, alt: str | None = None, id_prefix: str | None = None, hover: bool = True
) -> str:
    """Render a figure as a compact SVG string to print inline into an HTML page.

    Taught in: "Visualizing attention" (docs/03-visualizing-attention.md).

    Text stays text; pure black (text, axes, ticks, frames) becomes ``currentColor``, so
    the figure follows the page's light or dark theme, while other colours are kept and
    the background is transparent. Every id is prefixed, so several figures can share a
    page, and the same figure always gives the same string. For a figure from
    ``show_heatmaps``, hovering a cell shows its query, key and weight; this costs about
    60 bytes a cell. See the module's description for the details.

    Args:
        fig: The figure, e.g. from ``attnbook.show_heatmaps`` or a diagram.
        alt: The text alternative for screen readers (the ``aria-label``). By default
            the figure's ``alt_text`` if it has one, else one made of its titles and
            axis labels.
        id_prefix: The prefix of every id in the SVG: a letter, then letters, digits,
            ``-`` or ``_``. By default ``"f"`` and 8 hex digits of a hash of the figure.
        hover: Whether to add hover texts to the cells of heatmaps. They are left out
            when the figure has more than ``MAX_HOVER_CELLS`` (4096) cells.

    Returns:
        The ``<svg>`` element as a string, without an XML declaration.

    Raises:
        TypeError: If ``fig`` is not a matplotlib ``Figure``, or ``alt`` or
            ``id_prefix`` is not a string.
        ValueError: If ``id_prefix`` is not a valid prefix for ids.

    Examples:
        >>> import numpy as np
        >>> from attnbook.heatmaps import show_heatmaps
        >>> fig = show_heatmaps(np.eye(2), "Keys", "Queries")
        >>> svg = to_svg(fig, alt="a 2×2 identity", id_prefix="demo")
        >>> svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" id="demo"')
        True
        >>> svg.count("<title>"), "<title>Queries 1, Keys 0: 0</title>" in svg
        (4, True)
        >>> svg == to_svg(fig, alt="a 2×2 identity", id_prefix="demo")
        True
    """
    _check_figure(fig)
    if alt is not None and not isinstance(alt, str):
        raise TypeError(f"alt must be a str or None, got {describe(alt)}")
    if id_prefix is not None:
        if not isinstance(id_prefix, str):
            raise TypeError(f"id_prefix must be a str or None, got {describe(id_prefix)}")
        if not _ID_PREFIX.match(id_prefix):
            raise ValueError(
                "id_prefix must start with a letter and hold only letters, digits, '-' "
                f"and '_', got {id_prefix!r}"
            )
    cell_titles = fig.cell_titles if isinstance(fig, BookFigure) and hover else {}
    if sum(sum(map(bool, row)) for rows in cell_titles.values() for row in rows) > MAX_HOVER_CELLS:
        cell_titles = {}  # the texts would weigh more than the figure is worth

    rasters = {image.get_gid() or "": image.raster for image in fig.findobj(_raster.RasterImage)}
    with _placeholders(fig):
        raw = _matplotlib_svg(fig)
    pngs = {gid: raster.png() for gid, raster in rasters.items()}
    if id_prefix is None:
        digest = hashlib.sha256(raw.encode())
        digest.update(json.dumps(cell_titles, sort_keys=True).encode())
        for gid in sorted(pngs):
            digest.update(pngs[gid])
        id_prefix = "f" + digest.hexdigest()[:8]

    root = ET.fromstring(raw)
    _strip_namespaces(root)
    _drop_metadata(root)
    _fill_placeholders(root, rasters, pngs)
    font = _restyle(root)
    cell_axes = fig.cell_axes if isinstance(fig, BookFigure) and cell_titles else {}
    hovered = _add_hover_cells(root, cell_titles, cell_axes)
    _drop_invisible(root)
    _drop_redundant_use_styles(root)
    _drop_unreferenced_ids(root)
    _flatten_groups(root)
    _merge_markers(root)
    _merge_stroked_paths(root)
    _drop_unreferenced_ids(root)
    _prefix_ids(root, id_prefix)
    _flatten_groups(root)
    _group_texts(root)
    _set_root_attributes(root, id_prefix, _default_alt(fig) if alt is None else alt, font)
    if hovered:
        # Scoped by the root's id: a <style> inside inline SVG applies to the whole page.
        sheet = ET.Element("style")
        sheet.text = f"#{id_prefix} .cells path:hover{{stroke-opacity:.3}}"
        root.insert(0, sheet)
    _link_images_with_xlink(root)
    return _serialize(root)


# --- rendering and parsing -----------------------------------------------------------


def _check_figure(fig: object) -> None:
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {describe(fig)}")


def _check_dpi(dpi: object) -> float:
    """Return ``dpi`` as a float: any real number type, positive and finite."""
    if isinstance(dpi, (bool, np.bool_)) or not isinstance(
        dpi, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"dpi must be a number, got {describe(dpi)}: {dpi!r:.40}")
    if not (math.isfinite(dpi) and dpi > 0):
        raise ValueError(f"dpi must be a positive, finite number, got {float(dpi)!r}")
    return float(dpi)


class _Canvas(io.BytesIO):
    """A file for ``savefig(format="rgba")`` that keeps the canvas's pixels, uncopied.

    Agg writes its buffer as one ``(height, width, 4)`` memoryview, so its shape is the
    canvas's true size in pixels.
    """

    pixels = memoryview(b"")

    def write(self, data: Any) -> int:
        """Keep a view of the canvas's buffer (which it keeps alive) instead of a copy."""
        self.pixels = memoryview(data)
        if self.pixels.ndim != 3:
            raise RuntimeError(f"matplotlib wrote {self.pixels.ndim}-D pixels, not RGBA rows")
        return self.pixels.nbytes


def _is_laid_out(fig: Figure) -> bool:
    return isinstance(fig, BookFigure) and fig.laid_out and fig.get_layout_engine() is None


def _matplotlib_svg(fig: Figure) -> str:
    buffer = io.StringIO()
    laid_out = _is_laid_out(fig)
    with rc_context(_style.rc_params()), _style.missing_glyphs_ignored():
        if not laid_out:
            # The first draw of a figure creates its tick labels, which moves the layout
            # a little; drawing once before saving makes the first export like all later.
            fig.draw_without_rendering()
        fig.savefig(
            buffer,
            format="svg",
            transparent=True,
            bbox_inches=None if laid_out else "tight",
            pad_inches=0.04,
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    return buffer.getvalue()


@contextlib.contextmanager
def _placeholders(fig: Figure) -> Iterator[None]:
    """Draw composed heatmap images as one stretched pixel while inside the block."""
    images = fig.findobj(_raster.RasterImage)
    for image in images:
        image.placeholder = True
    try:
        yield
    finally:
        for image in images:
            image.placeholder = False


def _fill_placeholders(
    root: ET.Element, rasters: dict[str, _raster.IndexedRaster], pngs: dict[str, bytes]
) -> None:
    """Put each composed image's indexed PNG in its placeholder, its gaps clipped away.

    The placeholder is one pixel stretched over the image; the real image has one pixel
    per cell, so its transform shrinks by the image's size. The clip path, in the
    image's pixels, is one rectangle per panel.
    """
    for image in root.iter("image"):
        gid = image.get("id", "")
        if gid not in rasters or (image.get("width"), image.get("height")) != ("1", "1"):
            continue
        raster = rasters[gid]
        height, width = raster.indices.shape
        numbers = [float(n) for n in _NUMBER.findall(image.get("transform", ""))]
        a, b, c, d, e, f = numbers if len(numbers) == 6 else (1, 0, 0, 1, 0, 0)
        image.set(
            "transform",
            f"matrix({a / width!r} {b / width!r} {c / height!r} {d / height!r} {e!r} {f!r})",
        )
        image.set("width", str(width))
        image.set("height", str(height))
        image.set("href", "data:image/png;base64," + base64.b64encode(pngs[gid]).decode())
        image.set("clip-path", f"url(#{gid}-panels)")
        panels = "".join(
            f"M{left} {top}h{right - left}v{bottom - top}h{left - right}z"
            for top, bottom in raster.rows
            for left, right in raster.columns
        )
        clip = ET.SubElement(root, "clipPath", {"id": f"{gid}-panels"})
        ET.SubElement(clip, "path", {"d": panels})


def _local(name: str) -> str:
    """Drop the namespace of a tag or attribute name: ``{…xlink}href`` → ``href``."""
    if name.startswith("{http://www.w3.org/XML/1998/namespace}"):
        return "xml:" + name.rpartition("}")[2]
    return name.rpartition("}")[2]


def _strip_namespaces(root: ET.Element) -> None:
    """Use plain names: the SVG is meant for HTML, where ``href`` needs no xlink."""
    for element in root.iter():
        element.tag = _local(element.tag)
        for key in [key for key in element.attrib if key.startswith("{")]:
            element.attrib[_local(key)] = element.attrib.pop(key)


def _parents(root: ET.Element) -> dict[ET.Element, ET.Element]:
    return {child: parent for parent in root.iter() for child in parent}


def _drop_metadata(root: ET.Element) -> None:
    """Remove metadata and matplotlib's style sheet (the root gets its defaults)."""
    parents = _parents(root)
    for element in list(root.iter()):
        if element.tag in ("metadata", "style", "title", "desc") and element in parents:
            parents[element].remove(element)


# --- hover texts ---------------------------------------------------------------------


def _shift_half_down(transform: str) -> str:
    """Return ``transform`` followed by a shift of half a unit down, folded if possible."""
    match = re.fullmatch(r"\s*matrix\(([^)]*)\)\s*", transform)
    numbers = _NUMBER.findall(match.group(1)) if match else []
    if len(numbers) != 6:
        return f"{transform} translate(0 .5)".strip()
    a, b, c, d, e, f = map(float, numbers)
    return f"matrix({a!r} {b!r} {c!r} {d!r} {e + c / 2!r} {f + d / 2!r})"


def _add_hover_cells(
    root: ET.Element,
    cell_titles: dict[str, list[list[str]]],
    cell_axes: dict[str, tuple[str, str, list[str] | None, list[str] | None]],
) -> bool:
    """Lay a transparent shape with a ``<title>`` over each cell of the heatmap images.

    matplotlib writes a heatmap drawn with ``interpolation="none"`` as an image of one
    pixel per cell, with a transform that places pixel (row, column) at the unit square
    (column, row). The shapes take the same transform, so they sit exactly on the cells.
    Each shape is a stroke one unit wide through the middle of its cell: the shortest
    markup that covers the cell, and a stroke catches the pointer even when transparent.
    The group carries what names its queries and keys (``data-y`` and ``data-x``, the
    axis labels, and ``data-yt``, ``data-xt``, the tick labels as JSON when they are
    tokens) for the readout of ``attnbook/views.js``, which reads each cell's weight
    from the end of its title.
    """
    added = False
    parents = _parents(root)
    for image in list(root.iter("image")):
        titles = cell_titles.get(image.get("id", ""))
        if not titles or image not in parents:
            continue
        n_rows, n_cols = len(titles), len(titles[0])
        if (image.get("width"), image.get("height")) != (str(n_cols), str(n_rows)):
            continue  # resampled by matplotlib: its pixels are no longer the cells
        cells = ET.Element(
            "g",
            {
                "class": "cells",
                "transform": _compact_numbers(
                    _shift_half_down(image.get("transform", "")), _transform_digits(image)
                ),
                "style": "stroke:currentColor;stroke-opacity:0",
            },
        )
        axes = cell_axes.get(image.get("id", ""))
        if axes is not None:
            ylabel, xlabel, yticks, xticks = axes
            cells.set("data-y", ylabel)
            cells.set("data-x", xlabel)
            for name, ticks in (("data-yt", yticks), ("data-xt", xticks)):
                if ticks is not None:
                    cells.set(name, json.dumps(ticks, ensure_ascii=False, separators=(",", ":")))
        for row, texts in enumerate(titles):
            for column, text in enumerate(texts):
                if text:  # a composed grid has no texts in the gaps between panels
                    cell = ET.SubElement(cells, "path", {"d": f"M{column} {row}h1"})
                    ET.SubElement(cell, "title").text = text
        parent = parents[image]
        parent.insert(list(parent).index(image) + 1, cells)
        added = True
    return added


# --- colours, numbers and styles ------------------------------------------------------


def _parse_style(style: str) -> dict[str, str]:
    declarations: dict[str, str] = {}
    for declaration in style.split(";"):
        name, colon, value = declaration.partition(":")
        if colon and name.strip():
            declarations[name.strip()] = value.strip()
    return declarations


def _format_style(declarations: dict[str, str]) -> str:
    return ";".join(f"{name}:{value}" for name, value in declarations.items())


def _set_style(element: ET.Element, style: dict[str, str]) -> None:
    if style:
        element.set("style", _format_style(style))
    else:
        element.attrib.pop("style", None)


def _format_number(number: float, digits: int) -> str:
    """Round to ``digits`` decimals and write as briefly as SVG allows: -0.50 → ``-.5``."""
    text = f"{round(number, digits):.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return re.sub(r"^(-?)0\.", r"\1.", text)


def _transform_digits(image: ET.Element) -> int:
    """Decimals for an image's transform: its scale's error times its size below 0.05 pt."""
    try:
        size = max(float(image.get("width", "1")), float(image.get("height", "1")))
    except ValueError:
        return 2
    return 2 + max(0, math.ceil(math.log10(size / 10)))


def _compact_numbers(value: str, digits: int = 1) -> str:
    """Round every number in ``value`` and drop the spaces SVG does not need."""
    value = _NUMBER.sub(lambda match: _format_number(float(match.group()), digits), value)
    value = re.sub(r"\s+", " ", value).strip()
    value = re.sub(r" ?([A-Za-z(),]) ?", r"\1", value)  # no spaces around commands
    return re.sub(r" (?=-)", "", value)  # "1 -2" → "1-2"


def _shorten_lines(d: str) -> str:
    """Write the segments of a path made of M, L and Z along an axis as H or V."""
    tokens = re.findall(r"[MLZz]|-?(?:\d+\.?\d*|\.\d+)", d)
    if not tokens or tokens[0] != "M" or "".join(tokens) != re.sub(r"[\s,]", "", d):
        return d
    parts: list[str] = []
    x = y = start_x = start_y = ""
    i = 0
    while i < len(tokens):
        command = tokens[i]
        if command in "Zz":
            parts.append("z")
            x, y = start_x, start_y
            i += 1
            continue
        if command not in ("M", "L") or i + 2 >= len(tokens):
            return d
        new_x, new_y = tokens[i + 1], tokens[i + 2]
        if new_x in ("M", "L", "Z", "z") or new_y in ("M", "L", "Z", "z"):
            return d
        if command == "M":
            parts.append(f"M{new_x} {new_y}")
            start_x, start_y = new_x, new_y
        elif new_x == x:
            parts.append(f"V{new_y}")
        elif new_y == y:
            parts.append(f"H{new_x}")
        else:
            parts.append(f"L{new_x} {new_y}")
        x, y = new_x, new_y
        i += 3
    return _compact_numbers("".join(parts))


def _restyle(root: ET.Element) -> tuple[str, str]:
    """Turn black into currentColor, round numbers and drop blank text.

    Returns:
        The font family and size of most texts, which move to the root.
    """
    fonts: collections.Counter[tuple[str, str]] = collections.Counter()
    for element in root.iter():
        for name in _COLOUR_PROPERTIES:
            if element.get(name, "").lower() in _BLACK:
                element.set(name, "currentColor")
        if "style" in element.attrib:
            style = _parse_style(element.get("style", ""))
            for name in _COLOUR_PROPERTIES:
                if style.get(name, "").lower() in _BLACK:
                    style[name] = "currentColor"
            for name in _NUMERIC_PROPERTIES:
                if name in style:
                    style[name] = _compact_numbers(style[name], digits=2)
            if element.tag == "text":
                fonts[style.get("font-family", ""), style.get("font-size", "")] += 1
            _set_style(element, style)
        transform = element.get("transform")
        if transform is not None:
            transform = _IDENTITY_ROTATION.sub("", transform).strip()
            if transform:
                element.set("transform", transform)
            else:
                del element.attrib["transform"]
        for name in _GEOMETRY_ATTRIBUTES:
            value = element.get(name)
            if value is not None:
                # Scales multiply their rounding error: keep 0.01 in transforms, more for
                # large images. A glyph half a point off is invisible: whole points for text.
                digits = 2 if name == "transform" and "rotate" not in value else 1
                if element.tag == "text":
                    digits = 0
                elif element.tag == "image" and name == "transform":
                    digits = _transform_digits(element)
                element.set(name, _compact_numbers(value, digits))
        if element.tag == "path" and "d" in element.attrib:
            element.set("d", _shorten_lines(element.get("d", "")))
        href = element.get("href", "")
        if href.startswith("data:"):
            element.set("href", re.sub(r"\s+", "", href))
        if element.tag not in ("text", "tspan", "title", "style"):
            if element.text is not None and not element.text.strip():
                element.text = None
            for child in element:
                if child.tail is not None and not child.tail.strip():
                    child.tail = None
    family, size = fonts.most_common(1)[0][0] if fonts else ("", "")
    for element in root.iter("text"):
        style = _parse_style(element.get("style", ""))
        if style.get("font-family") == family:
            del style["font-family"]
        if style.get("font-size") == size:
            del style["font-size"]
        _set_style(element, style)
    return family, size


def _hidden_elements(root: ET.Element) -> set[ET.Element]:
    """Return the elements inside definitions, which draw only where referenced."""
    return {
        child
        for tag in _HIDDEN_CONTAINERS
        for container in root.iter(tag)
        for child in container.iter()
    }


def _drop_invisible(root: ET.Element) -> None:
    """Remove shapes that paint nothing, such as the transparent backgrounds."""
    parents = _parents(root)
    hidden = _hidden_elements(root)
    for element in list(root.iter()):
        if element.tag not in ("path", "rect") or element in hidden or len(element):
            continue
        style = _parse_style(element.get("style", ""))
        fill = style.get("fill", element.get("fill"))
        stroke = style.get("stroke", element.get("stroke", "none"))
        if fill == "none" and stroke == "none" and element.get("id") is None:
            parents[element].remove(element)


def _drop_redundant_use_styles(root: ET.Element) -> None:
    """Drop a ``<use>``'s style when the element it shows has the same style itself."""
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
    for use in root.iter("use"):
        target = by_id.get(use.get("href", "").removeprefix("#"))
        if target is not None and target.get("style") == use.get("style"):
            use.attrib.pop("style", None)


def _merge_markers(root: ET.Element) -> None:
    """Draw the sibling ``<use>`` copies of a one-segment marker (ticks) as one path."""
    by_id = {element.get("id"): element for element in root.iter() if element.get("id")}
    copies: dict[tuple[ET.Element, str], list[ET.Element]] = collections.defaultdict(list)
    for parent in root.iter():
        for use in parent:
            target = by_id.get(use.get("href", "").removeprefix("#"))
            if (
                use.tag == "use"
                and target is not None
                and target.tag == "path"
                and len(use) == 0
                and set(use.attrib) <= {"href", "x", "y"}
                and _SEGMENT.fullmatch(target.get("d", ""))
            ):
                copies[parent, use.get("href", "")].append(use)
    for (parent, href), uses in copies.items():
        target = by_id[href.removeprefix("#")]
        match = _SEGMENT.fullmatch(target.get("d", ""))
        assert match is not None
        dx = match["x"] or match["h"] or "0"
        dy = match["y"] or match["v"] or "0"
        step = f"v{dy}" if dx == "0" else f"h{dx}" if dy == "0" else f"l{dx} {dy}"
        d = "".join(f"M{use.get('x', '0')} {use.get('y', '0')}{step}" for use in uses)
        path = ET.Element("path", {"d": _compact_numbers(d)})
        if target.get("style"):
            path.set("style", target.get("style", ""))
        parent.insert(list(parent).index(uses[0]), path)
        for use in uses:
            parent.remove(use)


def _merge_stroked_paths(root: ET.Element) -> None:
    """Join sibling unfilled, opaque paths of the same style into one path."""
    for parent in list(root.iter()):
        merged: list[ET.Element] = []
        for child in parent:
            previous = merged[-1] if merged else None
            style = _parse_style(child.get("style", ""))
            if (
                previous is not None
                and child.tag == previous.tag == "path"
                and len(child) == len(previous) == 0
                and set(child.attrib) == set(previous.attrib) == {"d", "style"}
                and child.get("style") == previous.get("style")
                and style.get("fill") == "none"
                and not {"opacity", "stroke-opacity"} & set(style)
            ):
                previous.set("d", previous.get("d", "") + child.get("d", ""))
            else:
                merged.append(child)
        parent[:] = merged


def _group_texts(root: ET.Element) -> None:
    """Move the style shared by a run of sibling ``<text>`` elements to a group."""
    for parent in list(root.iter()):
        if parent.tag == "text":
            continue
        runs: list[list[ET.Element]] = []
        for child in parent:
            previous = runs[-1][-1] if runs else None
            if (
                previous is not None
                and child.tag == previous.tag == "text"
                and child.get("style")
                and child.get("style") == previous.get("style")
            ):
                runs[-1].append(child)
            else:
                runs.append([child])
        children: list[ET.Element] = []
        for run in runs:
            if len(run) == 1:
                children.extend(run)
                continue
            group = ET.Element("g", {"style": run[0].get("style", "")})
            for text in run:
                del text.attrib["style"]
                group.append(text)
            children.append(group)
        parent[:] = children


# --- ids -----------------------------------------------------------------------------


def _drop_unreferenced_ids(root: ET.Element) -> None:
    """Drop the ids nothing refers to, and the definitions that lose their id."""
    referenced: set[str] = set()
    for element in root.iter():
        for name, value in element.attrib.items():
            if name == "href" and value.startswith("#"):
                referenced.add(value[1:])
            else:
                referenced.update(_REFERENCE.findall(value))
    for element in root.iter():
        if element.get("id") is not None and element.get("id") not in referenced:
            del element.attrib["id"]
    for defs in root.iter("defs"):
        defs[:] = [child for child in defs if child.get("id") is not None]


def _prefix_ids(root: ET.Element, prefix: str) -> None:
    """Rename every id to ``{prefix}-{n}`` in document order, and every reference to it."""
    new_names: dict[str, str] = {}
    for element in root.iter():
        old = element.get("id")
        if old is not None:
            new_names.setdefault(old, f"{prefix}-{len(new_names):x}")
            element.set("id", new_names[old])

    def rename(match: re.Match[str]) -> str:
        return f"url(#{new_names.get(match.group(1), match.group(1))})"

    for element in root.iter():
        for name, value in list(element.attrib.items()):
            if name == "href" and value.startswith("#"):
                element.set(name, "#" + new_names.get(value[1:], value[1:]))
            elif "url(" in value:
                element.set(name, _REFERENCE.sub(rename, value))


# --- structure -----------------------------------------------------------------------


def _flatten_groups(root: ET.Element) -> None:
    """Replace groups without attributes by their children; drop empty groups and defs."""
    changed = True
    while changed:
        changed = False
        for parent in list(root.iter()):
            children: list[ET.Element] = []
            for child in parent:
                if child.tag in ("g", "defs") and len(child) == 0 and child.get("id") is None:
                    changed = True
                elif child.tag == "g" and not child.attrib:
                    children.extend(child)
                    changed = True
                else:
                    children.append(child)
            parent[:] = children


def _default_alt(fig: Figure) -> str:
    """Return the figure's own alt text, or one made of its titles and axis labels."""
    alt_text = getattr(fig, "alt_text", None)
    if isinstance(alt_text, str) and alt_text:
        return alt_text
    parts = [fig.get_suptitle()]
    for ax in fig.axes:
        parts.extend((ax.get_title(), ax.get_ylabel(), ax.get_xlabel()))
    unique = [part for part in dict.fromkeys(parts) if part]
    return "图：" + "，".join(unique) if unique else "图"


def _has_default_joins(root: ET.Element) -> bool:
    """Tell whether some path has corners whose join style is left to the default."""
    for element in root.iter("path"):
        if "stroke-linejoin" in element.get("style", ""):
            continue
        commands = re.sub(r"[^A-Za-z]", "", element.get("d", ""))
        if re.search(r"[^Mm][^Mm]", commands):
            return True
    return False


def _drop_style(element: ET.Element, name: str, value: str) -> None:
    """Remove ``name: value`` from the element's ``style``, and the attribute if emptied."""
    declarations = [d for d in element.get("style", "").split(";") if d]
    kept = [d for d in declarations if d.replace(" ", "") != f"{name}:{value}"]
    if len(kept) == len(declarations):
        return
    if kept:
        element.set("style", ";".join(kept))
    else:
        del element.attrib["style"]


def _set_root_attributes(root: ET.Element, prefix: str, alt: str, font: tuple[str, str]) -> None:
    family, size = font
    names = [name.strip() for name in family.split(",") if name.strip()]
    if names and not {"sans-serif", "serif", "monospace"} & set(names):
        names.append("sans-serif")  # the browser's own fonts for what the list lacks
    family = ",".join(names)
    style = {"max-width": "100%", "height": "auto", "fill": "currentColor"}
    width = _NUMBER.match(root.get("width", ""))
    if width:  # shrink to fit, but not below a legible size: a narrow page scrolls instead
        style["min-width"] = f"{round(float(width[0]) * _PIXELS_PER_POINT * _MIN_SCALE)}px"
    if _has_default_joins(root):
        style["stroke-linejoin"] = "round"  # matplotlib's default, from its style sheet
    else:  # miter is SVG's own default: no element needs to say so
        for element in root.iter():
            _drop_style(element, "stroke-linejoin", "miter")
    if family and size:
        style["font"] = f"{size} {family}"
    elif family:
        style["font-family"] = family
    elif size:
        style["font-size"] = size
    attributes = {
        "xmlns": _SVG_NS,
        "id": prefix,
        "width": _compact_numbers(root.get("width", "")),
        "height": _compact_numbers(root.get("height", "")),
        "viewBox": root.get("viewBox", ""),
        "role": "img",
        "aria-label": alt,
        "style": _format_style(style),
    }
    root.attrib.clear()
    root.attrib.update({name: value for name, value in attributes.items() if value})
    # A figure's texts (hover texts above all) are no words to search a page for:
    # mkdocs-material's search leaves out elements so marked.
    root.set("data-search-exclude", "")


def _link_images_with_xlink(root: ET.Element) -> None:
    """Give embedded images ``xlink:href`` rather than ``href``.

    In an HTML page an SVG ``<image>``'s ``href`` is a read-only property, and
    mkdocs-material's instant navigation assigns ``el.href = el.href`` to every element
    with one, which throws. ``xlink:href`` draws the same and is left alone.
    """
    images = [image for image in root.iter("image") if "href" in image.attrib]
    for image in images:
        image.set("xlink:href", image.attrib.pop("href"))
    if images:
        root.set("xmlns:xlink", "http://www.w3.org/1999/xlink")


# --- serialization -------------------------------------------------------------------


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attribute(value: str) -> str:
    return _escape_text(value).replace('"', "&quot;").replace("\n", "&#10;")


def _serialize(root: ET.Element) -> str:
    """Write the tree as XML without declaration, namespace prefixes or extra spaces."""
    parts: list[str] = []

    def write(element: ET.Element) -> None:
        attributes = "".join(f' {k}="{_escape_attribute(v)}"' for k, v in element.attrib.items())
        if len(element) == 0 and not element.text:
            parts.append(f"<{element.tag}{attributes}/>")
            return
        parts.append(f"<{element.tag}{attributes}>")
        if element.text:
            parts.append(_escape_text(element.text))
        for child in element:
            write(child)
            if child.tail:
                parts.append(_escape_text(child.tail))
        parts.append(f"</{element.tag}>")

    write(root)
    return "".join(parts)
