"""One Agg renderer per pixel size, shared by the kit's figures, that remembers what FreeType made of text.

Every figure the kit encodes (:func:`kafkalab.viz.style.png_bytes`: a panel's redraw, a notebook's
figure) is laid out, drawn and encoded before the call returns, so figures can share one renderer per
(width, height, dpi) instead of each getting a fresh ``RendererAgg``: matplotlib's text-metrics cache,
keyed by renderer, then measures each string once, and :class:`_TextMemoRenderer` keeps the shaped
strings and rasterised glyphs — shaping and rasterising text was about half of an Agg draw, and a panel
redraws the same tick labels, titles and legends again and again.  The pixels are the same.
"""
from __future__ import annotations

import math

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.font_manager import fontManager, get_font
from matplotlib.ft2font import FT2Font, RenderMode

_RENDERERS: dict = {}
_MAX = 16  # distinct figure sizes kept (a panel's height follows a slider, e.g. the group lab's partitions)
_MEMO_MAX = 50_000  # strings or glyphs remembered per renderer before the memo starts again

# The per-glyph text path of matplotlib 3.11 (FT2Font._layout, _render_glyph; glyphs placed to 1/64 px).
# draw_text below repeats RendererAgg.draw_text of exactly that version; any other falls back to it.
_GLYPH_PATH = (matplotlib.__version_info__[:2] == (3, 11) and hasattr(FT2Font, "_layout")
               and hasattr(FT2Font, "_render_glyph") and hasattr(RendererAgg, "_draw_text_glyphs_and_boxes"))


def _font_key(prop) -> tuple:
    # FontProperties hashes (and compares) by the values of its __dict__: the same key, compared exactly.
    return tuple(prop.__dict__.values())


class _TextMemoRenderer(RendererAgg):
    """``RendererAgg`` that keeps, per string, the glyphs FreeType shaped for it, and per glyph, the
    bitmap it rasterised at each 1/64-pixel phase — the same pixels, without asking FreeType again.

    A glyph's bitmap depends on the glyph, the font and size, the rotation and only the fractional part
    of its position (FreeType's 26.6 fixed point): moving the outline by whole pixels moves the bitmap
    by whole pixels.  So a bitmap rendered at phase (x mod 64, y mod 64) is drawn at any position with
    that phase by offsetting it.  Mathtext and anything but matplotlib 3.11's text path use the base class.
    """

    def __init__(self, width, height, dpi):
        super().__init__(width, height, dpi)
        self._shaped: dict = {}  # (font, string, features, language, hinting) -> ((ft_object, glyph, dx, dy), ...)
        self._bitmaps: dict = {}  # (ft_object, size, glyph, matrix, phase x, phase y, mode) -> (buffer, left, top)
        self._heights: dict = {}  # font key -> (ascent, descent, line gap), see _get_font_height_metrics

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath or not _GLYPH_PATH:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        flags = get_hinting_flag()
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        try:
            key = (_font_key(prop), s, tuple(features) if features is not None else None,
                   language if language is None or isinstance(language, str) else tuple(map(tuple, language)), flags)
            glyphs = self._shaped.get(key)
        except TypeError:  # something unhashable in the font properties: draw it as matplotlib does
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        if glyphs is None:
            font = self._prepare_font(prop)
            glyphs = tuple((item.ft_object, item.glyph_index, item.x, item.y)
                           for item in font._layout(s, flags=flags, features=features, language=language))
            if len(self._shaped) >= _MEMO_MAX:
                self._shaped.clear()
            self._shaped[key] = glyphs
        size = prop.get_size_in_points()
        # As RendererAgg._draw_text_glyphs_and_boxes (slant 0, extend 1): y is downwards, dy upwards.
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        matrix = (round(0x10000 * cos), round(0x10000 * -sin), round(0x10000 * sin), round(0x10000 * cos))
        mode = RenderMode.NORMAL if gc.get_antialiased() else RenderMode.MONO
        bitmaps, height, dpi = self._bitmaps, self.height, self.dpi
        draw = self._renderer.draw_text_image
        for font, glyph, dx, dy in glyphs:
            qx, px = divmod(round(0x40 * (x + dx * cos - dy * sin)), 0x40)
            qy, py = divmod(round(0x40 * (height - y + dx * sin + dy * cos)), 0x40)
            gkey = (font, size, glyph, matrix, px, py, mode)
            hit = bitmaps.get(gkey)
            if hit is None:
                font.set_size(size, dpi)
                font._set_transform([[matrix[0], matrix[1]], [matrix[2], matrix[3]]], [px, py])
                bitmap = font._render_glyph(glyph, flags, mode)
                buffer = bitmap.buffer.copy()  # FreeType's glyph slot is reused by the next glyph
                if mode is RenderMode.MONO:
                    buffer *= 0xff
                hit = (buffer, bitmap.left, bitmap.top)
                if len(bitmaps) >= _MEMO_MAX:
                    bitmaps.clear()
                bitmaps[gkey] = hit
            buffer, left, top = hit
            draw(buffer, left + qx, int(height) - (top + qy) + buffer.shape[0], 0, gc)

    def _get_font_height_metrics(self, prop):
        # matplotlib 3.11's Text._get_layout asks the renderer for the font's line metrics first and
        # otherwise reads the font's OS/2 or hhea table on every layout; this is that reading, once per font.
        if not _GLYPH_PATH:
            return None, None, None  # Text._get_layout then reads the font itself
        key = (_font_key(prop), self.dpi)
        hit = self._heights.get(key)
        if hit is None:
            hit = (None, None, None)
            font = get_font(fontManager._find_fonts_by_props(prop))
            for table_name, gap, ascent, descent in (("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                                                     ("hhea", "lineGap", "ascent", "descent")):
                table = font.get_sfnt_table(table_name)
                if table is None:
                    continue
                scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * self.dpi / 72
                hit = (table[ascent] * scale, -table[descent] * scale, table[gap] * scale)
                break
            self._heights[key] = hit
        return hit




def shared_renderer(canvas) -> _TextMemoRenderer:
    """The renderer of figures of ``canvas``'s pixel size and dpi (the most recently used ``_MAX`` sizes are kept)."""
    key = renderer_key(canvas)
    renderer = _RENDERERS.pop(key, None)
    if renderer is None:
        renderer = _TextMemoRenderer(*key)
    _RENDERERS[key] = renderer  # most recently used last
    while len(_RENDERERS) > _MAX:
        _RENDERERS.pop(next(iter(_RENDERERS)))
    return renderer


def renderer_key(canvas) -> tuple:
    """What ``FigureCanvasAgg.get_renderer`` compares with its ``_lastKey`` to keep its renderer (and sizes
    a new one by): whole device pixels and the figure's dpi."""
    w, h = canvas.get_width_height(physical=True)
    return (w, h, canvas.figure.dpi)


def use_shared_renderer(canvas) -> bool:
    """Let a plain ``FigureCanvasAgg`` (pyplot's, the inline backend's) draw its next frame with the shared
    renderer of its size; False for any other canvas.  Its frame is then valid until another figure of
    the same size draws, so encode it at once (as ``png_bytes`` does) and call :func:`release` after."""
    if not isinstance(canvas, FigureCanvasAgg) or type(canvas).get_renderer is not FigureCanvasAgg.get_renderer:
        return False
    canvas.renderer, canvas._lastKey = shared_renderer(canvas), renderer_key(canvas)
    return True


def release(canvas) -> None:
    """The canvas's next draw gets a renderer of its own again (its last frame stays readable until then)."""
    canvas._lastKey = None
