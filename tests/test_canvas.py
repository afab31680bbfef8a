"""The shared renderer of the kit's figures remembers shaped strings and glyph bitmaps: it must draw the same pixels."""
from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from kafkalab.viz import _render, style
from kafkalab.widgets._canvas import SharedRendererCanvas


def _figure(canvas_class, shift: float = 0.0):
    fig = Figure(figsize=(4.1, 2.7), dpi=90)
    canvas_class(fig)
    ax = fig.add_subplot(111)
    ax.plot([0, 1.3, 2.7], [3, 1, 2.2], label="lag (records)")
    ax.set_title("ISR of orders-0: {1, 2, 3} → {1, 2}")
    ax.set_xlabel("virtual time (s)")
    ax.set_ylabel("offset", rotation=90)
    ax.legend(loc="upper right")
    for i, angle in enumerate((0, 33, 90, 180, 271)):
        ax.text(0.1 + 0.37 * i + shift, 1.1 + 0.23 * i + shift / 3, f"P{i} ×{i * 1.25:.2f}", rotation=angle,
                fontsize=7 + i)
    ax.text(1.2 + shift, 2.6, "not antialiased", antialiased=False, fontsize=9)
    ax.text(0.3, 2.9, r"$\sqrt{x_i}$ mathtext", fontsize=10)  # mathtext: the base class draws it
    ax.text(2.0 + shift, 1.5, "two\nlines", fontfamily="monospace", fontweight="bold")
    return fig


def _pixels(fig) -> bytes:
    fig.canvas.draw()
    return bytes(np.asarray(fig.canvas.buffer_rgba()))


def test_remembered_text_draws_the_pixels_freetype_draws():
    for shift in (0.0, 0.0137, 0.5, 0.98):  # other sub-pixel phases of the same strings
        plain = _pixels(_figure(FigureCanvasAgg, shift))
        first = _pixels(_figure(SharedRendererCanvas, shift))  # fills the memo (or hits earlier shifts')
        again = _pixels(_figure(SharedRendererCanvas, shift))  # every string and glyph from the memo
        assert first == plain and again == plain, f"shift {shift}"


def test_the_memo_is_used_and_bounded(monkeypatch):
    fig = _figure(SharedRendererCanvas)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    if not _render._GLYPH_PATH:  # another matplotlib than 3.11: the base class draws, nothing is kept
        assert not renderer._bitmaps
        return
    assert renderer._shaped and renderer._bitmaps and renderer._heights
    monkeypatch.setattr(_render, "_MEMO_MAX", 5)
    renderer._bitmaps.clear()
    renderer._shaped.clear()
    before = _pixels(_figure(FigureCanvasAgg))
    assert _pixels(_figure(SharedRendererCanvas)) == before
    assert len(renderer._bitmaps) <= 5 and len(renderer._shaped) <= 5


def test_png_bytes_of_a_plain_agg_figure_draws_with_the_shared_renderer_and_gives_it_back():
    import io

    from PIL import Image

    expected = _pixels(_figure(FigureCanvasAgg, 0.25))
    fig = _figure(FigureCanvasAgg, 0.25)
    for _ in range(2):  # the second time every string and glyph comes from the memo
        png = style.png_bytes(fig)
        assert Image.open(io.BytesIO(png)).convert("RGBA").tobytes() == expected
    shared = fig.canvas.renderer
    assert isinstance(shared, _render._TextMemoRenderer)
    fig.canvas.draw()  # released: the canvas's own draws get a renderer of their own again
    assert fig.canvas.renderer is not shared and bytes(np.asarray(fig.canvas.buffer_rgba())) == expected


def test_text_with_a_language_and_font_features_is_remembered_and_drawn_the_same():
    def fig_of(canvas_class):
        fig = Figure(figsize=(3, 1), dpi=90)
        canvas_class(fig)
        fig.text(0.1, 0.5, "office ffi 1/2", fontfeatures=["-liga"], language=[("en", 0, 6), ("de", 7, 10)])
        fig.text(0.1, 0.2, "Straße", language="de")
        return fig

    expected = _pixels(fig_of(FigureCanvasAgg))
    assert _pixels(fig_of(SharedRendererCanvas)) == expected and _pixels(fig_of(SharedRendererCanvas)) == expected
