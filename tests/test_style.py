"""The visual language: colours stay apart under colour-vision deficiencies; alt text travels with a figure.

Colour-vision deficiencies are simulated with the severity-1.0 matrices of Machado, Oliveira and
Fernandes, "A Physiologically-based Model for Simulation of Color Vision Deficiency" (IEEE TVCG 2009),
applied in linear RGB; distance is CIE76 ΔE in CIELAB (D65).
"""
from __future__ import annotations

import base64
import itertools
import re
import struct
import zlib

import matplotlib
import pytest

from kafkalab.viz import style

matplotlib.use("Agg")

MACHADO = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}
#: ΔE76 below ~10 reads as "the same colour" at a glance in small marks.
MIN_DELTA_E = 10.0


def _lin(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def lab(hex_color: str, vision: str | None = None) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    rgb = [_lin(c) for c in to_rgb(hex_color)]
    if vision:
        m = MACHADO[vision]
        rgb = [min(1.0, max(0.0, sum(m[i][j] * rgb[j] for j in range(3)))) for i in range(3)]
    x = (0.4124 * rgb[0] + 0.3576 * rgb[1] + 0.1805 * rgb[2]) / 0.95047
    y = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
    z = (0.0193 * rgb[0] + 0.1192 * rgb[1] + 0.9505 * rgb[2]) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(a: str, b: str, vision: str | None) -> float:
    return sum((p - q) ** 2 for p, q in zip(lab(a, vision), lab(b, vision))) ** 0.5


def separated(colors: dict, second_channel=()) -> list[str]:
    """Pairs closer than MIN_DELTA_E under normal vision or a simulated deficiency (hatched ones excepted)."""
    bad = []
    for (na, a), (nb, b) in itertools.combinations(colors.items(), 2):
        if na in second_channel or nb in second_channel:
            continue
        for vision in (None, *MACHADO):
            d = delta_e(a, b, vision)
            if d < MIN_DELTA_E:
                bad.append(f"{na} vs {nb} under {vision or 'normal vision'}: ΔE {d:.1f}")
    return bad


def test_replica_role_colours_stay_apart_for_colour_blind_readers():
    # offline (solid grey) and fenced (hatched light grey) are told apart by the hatch too
    assert separated(style.ROLE_COLORS, second_channel=style.ROLE_HATCH) == []
    assert delta_e(style.ROLE_COLORS["offline"], style.ROLE_COLORS["fenced"], None) > MIN_DELTA_E


def test_transaction_and_outcome_colours_stay_apart():
    assert separated(style.TXN_COLORS) == []
    assert separated(style.OUTCOME_COLORS) == []
    assert len({style.OUTCOME_MARKERS[k] for k in ("ok", "failed", "unknown", "pending")}) == 4


def test_the_first_seven_consumers_stay_apart():
    first = {f"C{i}": c for i, c in enumerate(style.CONSUMER_PALETTE[:7])}
    assert separated(first) == []
    colors = style.consumer_colors(["C1", "C2", "C3"], dead={"C2"})
    assert colors["C2"] == style.DEAD_COLOR and colors["C1"] != colors["C3"]


def test_kafka_transaction_states_map_onto_the_three_colours():
    assert style.txn_color("Ongoing") == style.TXN_COLORS["open"]
    assert style.txn_color("CompleteCommit") == style.txn_color("PREPARE_COMMIT") == style.TXN_COLORS["committed"]
    assert style.txn_color("CompleteAbort") == style.txn_color("PrepareEpochFence") == style.TXN_COLORS["aborted"]
    assert style.role_color("in-sync follower") == style.role_color("in-sync")


def _png_text_chunks(data: bytes) -> dict:
    out, i = {}, 8
    while i < len(data):
        (n,), kind = struct.unpack(">I", data[i:i + 4]), data[i + 4:i + 8]
        body = data[i + 8:i + 8 + n]
        if kind == b"tEXt":
            k, _, v = body.partition(b"\0")
            out[k.decode()] = v.decode("latin-1")
        elif kind == b"iTXt":  # keyword, compression flag and method, language tag, translated keyword, text
            k, _, rest = body.partition(b"\0")
            flag, rest = rest[0], rest[2:]
            _lang, _, rest = rest.partition(b"\0")
            _tkey, _, text = rest.partition(b"\0")
            out[k.decode()] = (zlib.decompress(text) if flag else text).decode("utf-8")
        elif kind == b"zTXt":
            k, _, v = body.partition(b"\0")
            out[k.decode()] = zlib.decompress(v[1:]).decode("latin-1")
        i += 12 + n
    return out


def test_alt_text_is_stored_with_the_figure_and_shown_to_screen_readers():
    fig, ax = style.subplots(height=2)
    ax.plot([0, 1], [1, 0])
    style.alt(ax, 'Line falling from 1 to 0 — "quoted" <tags>')
    assert style.alt_text(fig) == 'Line falling from 1 to 0 — "quoted" <tags>.'
    data, meta = fig._repr_mimebundle_()
    # JupyterLab renders text/html before image/png: the <img> carries the alt text, escaped
    m = re.fullmatch(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)">', data["text/html"])
    assert m and m.group(2) == "Line falling from 1 to 0 — &quot;quoted&quot; &lt;tags&gt;."
    png = base64.b64decode(m.group(1))
    assert png == base64.b64decode(data["image/png"]) and png.startswith(b"\x89PNG")
    assert meta == {"image/png": {"alt": style.alt_text(fig)}}
    assert data["text/plain"] == style.alt_text(fig)
    assert _png_text_chunks(png)["Description"] == style.alt_text(fig)
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_figure_alt_text_joins_its_axes_in_order():
    fig, (a, b) = style.subplots(2, 1, height=3)
    style.alt(a, "First panel shows x")
    style.alt(b, "second shows y.")
    assert style.alt_text(fig) == "First panel shows x. second shows y."
    style.alt(fig, "One sentence for both")
    assert style.alt_text(fig) == "One sentence for both."
    import matplotlib.pyplot as plt

    plt.close(fig)


@pytest.mark.parametrize("fill, ink", [(style.BLUE, "white"), (style.YELLOW, "black"), (style.LIGHT_GREY, "black"),
                                       (style.GREEN, "black")])
def test_text_on_a_fill_picks_the_readable_ink(fill, ink):
    assert style.text_color_on(fill) == ink
