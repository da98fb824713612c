"""A grid of heatmaps as one image of colour indices, and the PNG files made from it.

``show_heatmaps`` draws a large grid of heatmaps (a model's layers × heads) as one
composed image instead of one axes per panel. A heatmap cell can only take one of the
colormap's colours, so the image is kept as one palette index per cell: a PNG of it with
that palette (an *indexed* PNG) is lossless and about one byte a cell before compression.

``RasterImage`` is the matplotlib artist that shows such an image, in any backend. It
draws from the palette itself: in a raster canvas (PNG) it samples its cells straight
to pixels instead of going through matplotlib's general resampling, and
``attnbook.to_svg`` swaps its pixels for the indexed PNG.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.colors import Colormap, Normalize
from matplotlib.image import AxesImage
from matplotlib.transforms import Affine2D, Bbox, IdentityTransform
from numpy.typing import NDArray

__all__ = ["IndexedRaster", "RasterImage", "colour_indices", "png"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True, eq=False)
class IndexedRaster:
    """Panels of heatmap cells laid out in one image, as indices into a palette.

    Attributes:
        indices: One palette index per pixel, shape ``(height, width)``; a pixel is one
            cell. Rows and columns between panels are gaps, whose indices mean nothing.
        palette: The colours, shape ``(n, 4)`` RGBA bytes, with ``n`` at most 256.
        rows: The ``(start, stop)`` rows of each display row of panels.
        columns: The ``(start, stop)`` columns of each display column of panels.
    """

    indices: NDArray[np.uint8]
    palette: NDArray[np.uint8]
    rows: tuple[tuple[int, int], ...]
    columns: tuple[tuple[int, int], ...]

    def cell_mask(self, axis: int) -> NDArray[np.bool_]:
        """Tell, for each row (``axis=0``) or column (``axis=1``), whether it holds cells.

        Examples:
            >>> raster = IndexedRaster(
            ...     np.zeros((2, 5), np.uint8), np.zeros((1, 4), np.uint8),
            ...     ((0, 2),), ((0, 2), (3, 5)))
            >>> raster.cell_mask(1)
            array([ True,  True, False,  True,  True])
        """
        spans = self.rows if axis == 0 else self.columns
        mask = np.zeros(self.indices.shape[axis], dtype=bool)
        for start, stop in spans:
            mask[start:stop] = True
        return mask

    def png(self) -> bytes:
        """Return the raster as an indexed PNG (gaps included; clip them when drawing)."""
        return png(self.indices, self.palette)


def colour_indices(
    values: NDArray[np.float64], colormap: Colormap, norm: Normalize
) -> tuple[NDArray[np.uint8], NDArray[np.uint8]]:
    """Map values to the colours matplotlib gives them, as indices into a small palette.

    The arithmetic is matplotlib's own (``colormap(norm(values))``): scale to the
    colormap's ``N`` colours, with values below ``vmin`` or above ``vmax`` taking its
    "under" and "over" colours. The palette is the colormap's colours, or only the
    colours used when values fall outside the scale or the colormap has more than 256.

    Args:
        values: Finite values of any shape.
        colormap: The colormap.
        norm: A linear ``Normalize`` with ``vmin`` below ``vmax``.

    Returns:
        The indices (same shape as ``values``) and the palette, ``(n, 4)`` RGBA bytes.

    Raises:
        ValueError: If the values use more than 256 different colours.

    Examples:
        >>> from matplotlib import colormaps
        >>> indices, palette = colour_indices(
        ...     np.array([0.0, 0.5, 1.0]), colormaps["Greys"], Normalize(0, 1))
        >>> indices, palette[indices, 0]  # the red of white, grey and black
        (array([  0, 128, 255], dtype=uint8), array([255, 149,   0], dtype=uint8))
    """
    assert norm.vmin is not None and norm.vmax is not None
    n = colormap.N
    low, high = float(norm.vmin), float(norm.vmax)
    scaled = values - low
    scaled /= high - low
    scaled *= n
    colours = np.concatenate(
        [[colormap.get_under()], colormap(np.arange(n)), [colormap.get_over()]]
    )
    colours = (colours * 255).astype(np.uint8)  # truncated, as matplotlib does
    if n <= 256 and low <= values.min() and values.max() <= high:
        # The usual case, all values in range: the index is the colormap's own.
        np.minimum(scaled, n - 1, out=scaled)  # the largest value is in range
        return scaled.astype(np.uint8), colours[1:-1]
    scaled[scaled == n] = n - 1  # the largest value is in range, as in matplotlib
    # Codes: 0 for "under", 1 to n for the colormap's colours, n + 1 for "over".
    codes = np.clip(scaled, -1, n, out=scaled).astype(np.int32) + 1
    codes[scaled < 0] = 0
    del scaled
    used = np.flatnonzero(np.bincount(codes.ravel(), minlength=n + 2))
    # One palette entry per distinct colour ("under" is usually the first colour), in
    # the colormap's order.
    _, first, inverse = np.unique(colours[used], axis=0, return_index=True, return_inverse=True)
    if len(first) > 256:
        raise ValueError(
            f"the values use {len(first)} colours of the colormap {colormap.name!r}; "
            "a composed heatmap can show at most 256 (use composed=False)"
        )
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    palette = colours[used][first[order]]
    remap = np.zeros(n + 2, dtype=np.uint8)
    remap[used] = rank[inverse.ravel()]
    return remap[codes], palette


class RasterImage(AxesImage):
    """An ``AxesImage`` that draws a grid of heatmaps from its ``IndexedRaster``.

    Its array is the raster's palette indices (one per cell; gaps included), its norm
    and colormap are the heatmaps' colour scale (for the colorbar), and ``weights``
    keeps the weights it shows. It draws itself from the palette, in every backend: in
    a raster canvas (PNG) each pixel takes the cell under its centre, with no
    resampling; in vector output (SVG, PDF) it is one image of a pixel a cell. The gaps
    between panels are transparent. While ``placeholder`` is true it is drawn as one
    transparent pixel stretched over its extent, for ``to_svg`` to fill in.

    Args:
        ax: The axes the image belongs to; their scales must be linear.
        raster: The picture, as palette indices.
        weights: The weights it shows, ``(rows, columns, queries, keys)``.
        **kwargs: The arguments of ``matplotlib.image.AxesImage``.
    """

    def __init__(
        self, ax: Any, *, raster: IndexedRaster, weights: NDArray[np.float64], **kwargs: Any
    ) -> None:
        """Create the image; ``kwargs`` are those of ``AxesImage``."""
        super().__init__(ax, **kwargs)
        self.raster = raster
        self.weights = weights
        self.placeholder = False
        self.set_data(raster.indices)

    def make_image(
        self, renderer: Any, magnification: float = 1.0, unsampled: bool = False
    ) -> tuple[Any, float, float, Any]:
        """Return the RGBA pixels to draw, where to draw them and their transform."""
        left, right, bottom, top = self.get_extent()
        # The image's unit square, u to the right and v down, on the display.
        square = Affine2D().scale(right - left, bottom - top).translate(left, top)
        unit = square + self.get_transform()
        if not unit.is_affine or unit.get_matrix()[0, 1] or unit.get_matrix()[1, 0]:
            raise ValueError("a composed heatmap needs linear axes, neither turned nor skewed")
        box = self.get_window_extent(renderer)
        if unsampled:
            colours = np.zeros((1, 1), np.uint32) if self.placeholder else self._colours()
            height, width = colours.shape
            # draw() scales pixels by the image's size; this maps them to the extent.
            transform = Affine2D().scale(1 / width, 1 / height) + unit
            transform += Affine2D().translate(-box.x0, -box.y0)
            return _rgba(colours), box.x0, box.y0, transform
        figure = self.get_figure(root=True)
        assert figure is not None
        shown = Bbox.intersection(box, figure.bbox)
        if shown is None:
            return None, 0, 0, None
        # Output pixels rounded as matplotlib rounds them.
        x0, x1 = (math.floor(x * magnification + 0.5) for x in (shown.x0, shown.x1))
        y0, y1 = (math.ceil(y * magnification - 0.5) for y in (shown.y0, shown.y1))
        if x1 <= x0 or y1 <= y0:
            return None, 0, 0, None
        # Each takes the cell under its centre; Agg wants the bottom row first.
        height, width = self.raster.indices.shape
        (x_left, y_top), (x_right, y_bottom) = unit.transform([(0, 0), (1, 1)]) * magnification
        u = (np.arange(x0, x1) + 0.5 - x_left) / (x_right - x_left)
        v = (np.arange(y0, y1) + 0.5 - y_top) / (y_bottom - y_top)
        columns = np.clip((u * width).astype(np.intp), 0, width - 1)
        rows = np.clip((v * height).astype(np.intp), 0, height - 1)
        colours = self._colours()
        # At one pixel a cell, the rows are just turned upside down.
        upside_down = np.arange(height - 1, -1, -1)
        colours = colours[::-1] if np.array_equal(rows, upside_down) else colours[rows]
        if not np.array_equal(columns, np.arange(width)):
            colours = np.take(colours, columns, axis=1)
        return _rgba(colours), x0 / magnification, y0 / magnification, IdentityTransform()

    def _colours(self) -> NDArray[np.uint32]:
        """One RGBA colour a cell, as a 32-bit word, with the gaps transparent."""
        palette = np.ascontiguousarray(self.raster.palette).view(np.uint32)[:, 0]
        colours = palette[self.raster.indices]
        colours[~self.raster.cell_mask(0)] = 0
        colours[:, ~self.raster.cell_mask(1)] = 0
        return colours


def _rgba(colours: NDArray[np.uint32]) -> NDArray[np.uint8]:
    """The RGBA bytes of 32-bit colours, shape ``(height, width, 4)``."""
    return np.ascontiguousarray(colours).view(np.uint8).reshape(*colours.shape, 4)


def png(pixels: NDArray[np.uint8], palette: NDArray[np.uint8] | None = None) -> bytes:
    """Encode pixels as a PNG file: RGB, or indexed if a palette is given.

    Rows are stored unfiltered. Indexed pixels are compressed as runs (zlib's RLE
    strategy: fast, and the smallest for attention weights, which are mostly runs of a
    few light colours) or, up to 4 million pixels, as zlib's usual matches if those come
    out smaller (smooth heatmaps). RGB pixels are compressed at zlib's level 6 up to
    32 million bytes and level 1 above, where level 6 takes several times longer. The
    bytes depend only on the pixels.

    Args:
        pixels: ``(height, width, 3)`` RGB bytes, or ``(height, width)`` palette indices.
        palette: ``(n, 3)`` RGB or ``(n, 4)`` RGBA bytes, ``n`` at most 256, for indexed
            pixels; an alpha below 255 is kept (PNG's ``tRNS`` chunk).

    Returns:
        The bytes of the PNG file.

    Examples:
        >>> data = png(np.zeros((2, 3), np.uint8), np.array([[255, 0, 0]], np.uint8))
        >>> data[:8] == _PNG_SIGNATURE, struct.unpack(">II", data[16:24])
        (True, (3, 2))
    """
    height, width = pixels.shape[:2]
    rows = np.zeros((height, 1 + pixels[0].size), np.uint8)  # filter byte 0: none
    rows[:, 1:].reshape(pixels.shape)[...] = pixels
    data = rows.data.cast("B")  # no copy
    if palette is None:
        colour_type, header = 2, b""
        compressed = _deflate(data, 6 if len(data) <= 32_000_000 else 1, zlib.Z_DEFAULT_STRATEGY)
    else:
        colour_type = 3
        header = _chunk(b"PLTE", np.ascontiguousarray(palette[:, :3]).tobytes())
        if palette.shape[1] == 4 and (palette[:, 3] < 255).any():
            header += _chunk(b"tRNS", palette[:, 3].tobytes())
        compressed = _deflate(data, 6, zlib.Z_RLE)
        if len(data) <= 4_000_000:
            compressed = min(compressed, _deflate(data, 6, zlib.Z_DEFAULT_STRATEGY), key=len)
    return b"".join(
        [
            _PNG_SIGNATURE,
            _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)),
            header,
            _chunk(b"IDAT", compressed),
            _chunk(b"IEND", b""),
        ]
    )


def _deflate(data: memoryview, level: int, strategy: int) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, 15, 9, strategy)
    return compressor.compress(data) + compressor.flush()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
