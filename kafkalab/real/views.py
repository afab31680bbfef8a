"""What the protocol shows of one partition's offsets: records, inferred control records, aborted and
not-yet-stable records, the log start offset, the HW and the LSO — as a table and on the offset strip.

* :func:`offset_table` — one row per offset from where reading began to the HW;
* :func:`offset_strip` — :func:`kafkalab.viz.offset_strip` of the real cluster, with the control
  records (inferred), aborted records and the LSO drawn over it.

Nothing here is recomputed: every value is an :class:`~kafkalab.real.cluster.ObservedLog` field.
"""
from __future__ import annotations

from ..viz import style

CONTROL_COLOR, ABORTED_COLOR, LSO_COLOR = style.GREY, style.TXN_COLORS["aborted"], style.PURPLE


def _text(v):
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("utf-8", "replace")
    return v


def offset_table(cluster, topic: str, partition: int = 0):
    """offset | what | key | value | read_committed: what each offset of the read window holds.

    ``what`` is ``record``, ``control record (inferred)`` (an offset below the HW no Fetch returned;
    in a compacted topic it may instead be a record the cleaner removed), ``aborted`` (returned to
    read_uncommitted only) or ``not yet stable`` (at or past where read_committed stopped).
    """
    import pandas as pd

    log = cluster.partition_log(topic, partition)
    rows_by_offset = {o: r for o, r, _ in log.records()}
    aborted, unstable, gaps = set(log.aborted), set(log.unstable), set(log.gaps)
    compact = False
    try:
        compact = "compact" in str(cluster.topic_config(topic).get("cleanup.policy", ""))
    except Exception:
        compact = False
    rows = []
    for off in range(log.read_from, log.positions["read_uncommitted"]):
        if off in gaps:
            what = "control record or compacted away" if compact else "control record (inferred)"
            rows.append({"offset": off, "what": what, "key": None, "value": None, "read_committed": False})
            continue
        k, v, _ts, _h = rows_by_offset[off]
        what = "aborted" if off in aborted else "not yet stable" if off in unstable else "record"
        rows.append({"offset": off, "what": what, "key": _text(k), "value": _text(v),
                     "read_committed": off in log.committed_view})
    df = pd.DataFrame(rows, columns=["offset", "what", "key", "value", "read_committed"])
    df.attrs.update(log_start_offset=log.log_start_offset, high_watermark=log.high_watermark,
                    list_offsets_high_watermark=log.list_offsets_high_watermark,
                    fetch_high_watermark=log.fetch_high_watermark, last_stable_offset=log.last_stable_offset,
                    positions=dict(log.positions))
    return df


def offset_strip(cluster, topic: str, partition: int = 0, ax=None, **kw):
    """The simulator's offset strip of the real partition, plus what only the protocol shows: control
    records as grey ``C`` cells, aborted records outlined red, and the LSO (where read_committed
    stopped) as a purple line when it is below the HW."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    from ..viz.replication import offset_strip as strip

    ax = strip(cluster, topic, partition, ax=ax, **kw)
    p = cluster.describe(topic).partitions[partition]
    log = cluster.partition_log(topic, partition)
    y = len(p.replicas) - 1 - list(p.replicas).index(p.leader) if p.leader in p.replicas else 0
    lo = ax.get_xlim()[0]
    for off in log.gaps:
        if off >= lo:
            ax.add_patch(Rectangle((off, y + 0.1), 0.95, 0.8, facecolor=CONTROL_COLOR, edgecolor=CONTROL_COLOR))
            ax.text(off + 0.47, y + 0.5, "C", ha="center", va="center", fontsize=6, color="white")
    for off in log.aborted:
        if off >= lo:
            ax.add_patch(Rectangle((off, y + 0.1), 0.95, 0.8, fill=False, edgecolor=ABORTED_COLOR, lw=1.6))
    lso = log.positions["read_committed"]
    handles = [Line2D([0], [0], marker="s", color="w", markerfacecolor=CONTROL_COLOR, label="control record (inferred)"),
               Line2D([0], [0], marker="s", color="w", markeredgecolor=ABORTED_COLOR, markerfacecolor="w",
                      label="aborted")]
    if lso < log.high_watermark:
        ax.axvline(lso, color=LSO_COLOR, ls="-.", lw=1.2)
        ax.set_ylim(top=len(p.replicas) + 0.9)  # room above the simulator's "leader HW" label
        ax.text(lso, len(p.replicas) + 0.45, f"LSO = {lso}", color=LSO_COLOR, fontsize=7, ha="center")
        handles.append(Line2D([0], [0], color=LSO_COLOR, ls="-.", label="LSO (read_committed stops)"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=3, fontsize=7, frameon=False)
    style.alt(ax, f"{topic}-{partition} as clients read it: {len(log.rows)} records, {len(log.gaps)} inferred control "
                  f"records, {len(log.aborted)} aborted, high watermark {log.high_watermark}, last stable offset {lso}.")
    return ax
