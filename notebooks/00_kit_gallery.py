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
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

import kafkalab.widgets
from kafkalab import viz
from kafkalab.viz import gallery

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
# its description.

# %% tags=["nbval-ignore-output"]
for s in samples:
    if s.renderer == "kafkalab.viz.palette.palette":
        continue  # shown above
    fig = gallery.draw(s)
    display(Markdown(f"**`{s.renderer.removeprefix('kafkalab.')}`** — {s.caption}"))
    display(fig)
    plt.close(fig)
