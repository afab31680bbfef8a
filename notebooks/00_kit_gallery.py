# %% [markdown]
# # 00 · Gallery: every picture the kit draws
#
# One seeded sample of each renderer and each widget panel, so a reviewer sees the whole visual language at
# a glance: the same colour for a leader, an in-sync follower, an out-of-sync or fenced replica wherever it
# appears, one colour per consumer, a title that states what the picture shows, and a one-sentence
# description (alt text) that a screen reader reads out. `tests/test_figures.py` holds each renderer, at a
# small and a large size, to the same rules: no overlapping or clipped text, text and markers above a
# floor, a legend when colour means something. A renderer added to `kafkalab.viz` registers its samples
# with `kafkalab.viz.gallery.sample` and appears here by itself.

# %%
import html

import matplotlib.pyplot as plt
from IPython.display import display

import kafkalab.widgets
from kafkalab import viz
from kafkalab.viz import gallery, style


def show(s) -> None:
    """One output: the caption above the figure's ``<img alt>``."""
    fig = gallery.draw(s)
    data, metadata = style.mimebundle(fig)
    name = html.escape(s.renderer.removeprefix("kafkalab."))
    caption = f"<p><b><code>{name}</code></b> — {html.escape(s.caption)}</p>"
    display({"text/html": caption + data["text/html"], "image/png": data["image/png"],
             "text/plain": data["text/plain"]}, metadata=metadata, raw=True)
    plt.close(fig)


samples = gallery.samples(kafkalab.widgets, size="small")
viz.TextTable([(s.renderer.removeprefix("kafkalab."), s.caption) for s in samples], columns=["renderer", "sample"])

# %% [markdown]
# ## The palette
# Okabe–Ito colours, chosen to stay apart for readers with the common colour-vision deficiencies; where two
# meanings sit side by side (an offline replica, a fenced broker) a hatch tells them apart too.

# %%
viz.palette()
plt.show()

# %% [markdown]
# ## Every renderer, once
# Each figure below is drawn on a fresh seeded cluster; hover over one (or read it with a screen reader) for
# its description. Each sample is one output, its caption and its picture together: JupyterLab folds a cell's
# outputs beyond `maxNumberOutputs` (50 by default) behind "Show more outputs", so the pictures are also split
# over two cells, the renderers and the widget panels.

# %% tags=["nbval-ignore-output"]
for s in samples:
    if s.renderer.startswith("kafkalab.viz.") and s.renderer != "kafkalab.viz.palette.palette":  # palette: above
        show(s)

# %% [markdown]
# ## Every widget panel, once
# The picture each panel draws as it opens (move its controls in the notebook that uses it).

# %% tags=["nbval-ignore-output"]
for s in samples:
    if s.renderer.startswith("kafkalab.widgets."):
        show(s)
