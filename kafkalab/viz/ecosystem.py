"""Renderers for notebook 07: a subject's history, Connect's status, a record's path, the worker graph.

Each reads the trace (``sr.*`` and ``connect.*`` events) or the model's own answers (the status JSON);
nothing is recomputed here.
"""
from __future__ import annotations

# Colours in one place until kafkalab.viz.style lands on this branch (colour-blind-safe Okabe-Ito).
COLORS = {"RUNNING": "#009E73", "FAILED": "#D55E00", "PAUSED": "#E69F00", "UNASSIGNED": "#999999",
          "worker": "#0072B2", "connector": "#56B4E9"}


def subject_history(trace, subject: str):
    """One row per registration attempt on ``subject``: registered (version, id) or rejected (reason)."""
    import pandas as pd

    rows = []
    for e in trace.filter(["sr.register", "sr.incompatible", "sr.config", "sr.delete"]):
        f = e.fields
        if f.get("subject") not in (subject, None) or (e.kind == "sr.config" and f.get("subject") is None):
            if not (e.kind == "sr.config" and f.get("subject") is None):
                continue
        if e.kind == "sr.register":
            rows.append((e.time_ms, "already registered" if f["existing"] else "registered", f["version"], f["id"],
                         f["level"], ""))
        elif e.kind == "sr.incompatible":
            reason = f["reason"].split("description:'", 1)[-1].split("', additionalInfo")[0]
            rows.append((e.time_ms, "rejected (409)", None, None, f["level"], reason))
        elif e.kind == "sr.config":
            rows.append((e.time_ms, f"level set to {f['level']}" + ("" if f.get("subject") else " (global)"), None,
                         None, f["level"], ""))
        else:
            rows.append((e.time_ms, "deleted" + (" permanently" if f["permanent"] else ""), None, None, "", ""))
    return pd.DataFrame(rows, columns=["time_ms", "event", "version", "id", "level", "reason"])


def connect_status_table(status: dict):
    """Connect's status JSON (``GET /connectors/{name}/status``) as a table, one row per task."""
    import pandas as pd

    rows = [("connector", "", status["connector"]["state"], status["connector"]["worker_id"], "")]
    for t in status["tasks"]:
        trace = (t.get("trace") or "").splitlines()
        rows.append(("task", t["id"], t["state"], t["worker_id"], trace[-1] if trace else ""))
    return pd.DataFrame(rows, columns=["what", "id", "state", "worker_id", "cause"])


def record_path(config: dict, raw_value: bytes, topic: str = "orders"):
    """A record's way through the value converter and each SMT of ``config``: one row per stage."""
    import pandas as pd

    from ..ecosystem.connect import Chain, ConnectRecord
    from ..ecosystem.connect.converters import make_converter

    rows = [("bytes on the topic", topic, raw_value.decode("utf-8", "replace"))]
    conv = make_converter(config, "value.converter", "org.apache.kafka.connect.json.JsonConverter")
    try:
        schema, value = conv.to_connect(topic, raw_value)
    except Exception as e:  # noqa: BLE001 - shown, not raised: this is a picture of the failure
        rows.append((conv.java_class.rsplit(".", 1)[-1], topic, f"✗ {type(e).__name__}: {e}"))
        return pd.DataFrame(rows, columns=["stage", "topic", "value"])
    rows.append((conv.java_class.rsplit(".", 1)[-1], topic, repr(value)))
    trail: list = []
    Chain(config).apply(ConnectRecord(topic, 0, None, value, None, schema, 0, [], offset=0), trail)
    for name, rec in trail:
        rows.append((f"SMT {name}", rec.topic if rec else "", "dropped" if rec is None else repr(rec.value)))
    return pd.DataFrame(rows, columns=["stage", "topic", "value"])


def connect_graph(trace, ax=None):
    """Workers → the connectors and tasks they run (the last assignment), tasks coloured by state."""
    import matplotlib.figure

    assigns = trace.filter("connect.worker.assigned")
    latest: dict = {}
    for e in assigns:
        latest[e.node] = e.fields["running"]
    for e in trace.filter("connect.worker.crash"):
        latest[e.node] = []
    states = {e.fields["unit"]: e.fields["state"] for e in trace.filter("connect.status")}
    if ax is None:
        fig = matplotlib.figure.Figure(figsize=(7, 3.2))
        ax = fig.add_subplot()
    workers = sorted(latest)
    for i, w in enumerate(workers):
        ax.text(0.1, 1 - (i + 0.5) / max(1, len(workers)), w, ha="center", va="center", color="white",
                bbox={"boxstyle": "round", "fc": COLORS["worker"]})
        units = latest[w]
        for j, u in enumerate(units):
            y = 1 - (i + (j + 0.5) / max(1, len(units))) / max(1, len(workers))
            colour = COLORS["connector"] if u in states and "-" not in u[-2:] and not u[-1].isdigit() else \
                COLORS.get(states.get(u, "RUNNING"), COLORS["RUNNING"])
            ax.annotate(u, (0.65, y), xytext=(0.2, 1 - (i + 0.5) / max(1, len(workers))), ha="left", va="center",
                        fontsize=8, bbox={"boxstyle": "round", "fc": colour, "alpha": 0.8},
                        arrowprops={"arrowstyle": "-", "color": "#555555", "lw": 0.6})
    ax.set_axis_off()
    running = sum(1 for w in workers for u in latest[w] if states.get(u) == "RUNNING")
    ax.set_title(f"{len([w for w in workers if latest[w]])} worker(s) run {running} unit(s)")
    return ax
