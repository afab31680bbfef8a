"""Renderers for notebook 07: a subject's history, Connect's status, a record's path, the worker graph.

Each reads the trace (``sr.*`` and ``connect.*`` events) or the model's own answers (the status JSON);
nothing is recomputed here.
"""
from __future__ import annotations

from . import style
from .gallery import sample

COLORS = {"RUNNING": style.GREEN, "FAILED": style.VERMILLION, "PAUSED": style.ORANGE, "UNASSIGNED": style.GREY,
          "worker": style.BLUE, "connector": style.SKY_BLUE}


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
    from matplotlib.lines import Line2D

    assigns = trace.filter("connect.worker.assigned")
    latest: dict = {}
    for e in assigns:
        latest[e.node] = e.fields["running"]
    for e in trace.filter("connect.worker.crash"):
        latest[e.node] = []
    states = {e.fields["unit"]: e.fields["state"] for e in trace.filter("connect.status")}
    workers = sorted(latest, key=style.natural_key)
    rows = max(1, max((len(latest[w]) for w in workers), default=1))
    ax = style.axes_or_new(ax, width=7.5, height=1.4 + 0.34 * max(rows * len(workers) / 1.5, len(workers)),
                           pyplot=False)  # notebook 07 shows ``ax.figure``: no second copy from pyplot
    shown = set()
    for i, w in enumerate(workers):
        ax.text(0.1, 1 - (i + 0.5) / max(1, len(workers)), w, ha="center", va="center", color="white",
                fontsize=style.TEXT_PT, bbox={"boxstyle": "round", "fc": COLORS["worker"]})
        units = latest[w]
        for j, u in enumerate(units):
            y = 1 - (i + (j + 0.5) / max(1, len(units))) / max(1, len(workers))
            is_connector = u in states and "-" not in u[-2:] and not u[-1].isdigit()
            state = "connector" if is_connector else states.get(u, "RUNNING")
            colour = COLORS.get(state, COLORS["RUNNING"])
            shown.add(state)
            # the unit's label at its own row, a line back to its worker (the label used to sit on the worker)
            ax.annotate(u, (0.2, 1 - (i + 0.5) / max(1, len(workers))), xytext=(0.65, y), ha="left", va="center",
                        fontsize=style.TEXT_PT, color=style.text_color_on(colour),
                        bbox={"boxstyle": "round", "fc": colour},
                        arrowprops={"arrowstyle": "-", "color": style.DARK_GREY, "lw": 0.8})
    ax.set_axis_off()
    handles = [Line2D([], [], ls="none", marker="s", ms=style.MARKER_PT + 2, color=COLORS["worker"], label="worker")]
    handles += [style.patch(COLORS[k], "connector" if k == "connector" else f"task {k}")
                for k in ("connector", "RUNNING", "PAUSED", "FAILED", "UNASSIGNED") if k in shown]
    style.legend(ax, handles=handles)
    running = sum(1 for w in workers for u in latest[w] if states.get(u) == "RUNNING")
    busy = len([w for w in workers if latest[w]])
    idle = [w for w in workers if not latest[w]]
    finding = f"{busy} worker(s) run {running} unit(s)" + (f"; {', '.join(idle)} run nothing" if idle else "")
    style.finding(ax, finding)
    style.alt(ax, f"Diagram of Connect workers {', '.join(workers)} and the connectors and tasks each runs, tasks "
                  f"coloured by state: {finding}.")
    return ax


# -- the five-axis comparison (kafkalab.ecosystem.connect.versus) -----------------------------------------
def versus_table(outcomes: list):
    """One row per scenario and side: the numbers the notebook's comparison is made of."""
    import pandas as pd

    rows = [{"scenario": o.scenario, "side": o.side, "rows": o.rows, "duplicates": o.duplicates,
             "missing orders": ", ".join(map(str, o.missing)) or "-", "coupons stored": o.coupons,
             "in DLQ": o.dlq, "committed offset": o.committed if o.committed >= 0 else "none",
             "state at 75 s": o.state_before, "state at 100 s": o.state_after} for o in outcomes]
    return pd.DataFrame(rows)


def five_axes(outcomes: list):
    """The guide's five axes, each cell read from the runs (or counted from the code and the config)."""
    import pandas as pd

    by = {(o.side, o.scenario): o for o in outcomes}

    def cell(side, scenario, fn):
        o = by.get((side, scenario))
        return fn(o) if o else "(not run)"

    from ..ecosystem.connect.versus import SINK_CONFIG, loader_lines

    sides = ("custom loader", "JDBC sink connector")
    code = (f"{loader_lines()} lines of Python, and only the happy path",
            f"{len(SINK_CONFIG) + 3} settings of JSON config, no code")
    offsets = tuple(cell(s, "poison record", lambda o: (
        f"poison record: committed offset {o.committed if o.committed >= 0 else 'none'} of {o.produced}, "
        f"{o.duplicates} duplicate row(s), {len(o.missing)} order(s) missing")) for s in sides)

    def retry_cell(side):
        def one(o):
            return f"{o.scenario}: {o.state_before} at 75 s, {len(o.missing)} missing, {o.duplicates} duplicate(s)"
        dead = cell(side, "poison record", lambda o: f"poison record: {o.dlq} in a dead letter topic")
        return "; ".join([dead] + [cell(side, s, one) for s in ("short outage", "long outage")])

    retries = tuple(retry_cell(s) for s in sides)
    evolution = tuple(cell(s, "additive change", lambda o: (
        f"{o.coupons} of {o.coupons_sent} coupons stored; columns {', '.join(o.columns)}")) for s in sides)
    observed = tuple(cell(s, "long outage", lambda o: o.observed) for s in sides)
    rows = [("code", *code), ("offset management", *offsets), ("retries / dead letters", *retries),
            ("schema evolution", *evolution), ("observability", *observed)]
    return pd.DataFrame(rows, columns=["axis", *sides])


# -- samples for the figure check and the gallery ----------------------------------------------------------
def _connect(workers: int, tasks: int, crash: int | None = None):
    import kafkalab

    from ..ecosystem.connect import ConnectCluster

    cluster = kafkalab.Cluster(brokers=3, seed=21)
    cluster.create_topic("orders", partitions=tasks, replication_factor=3)
    connect = ConnectCluster(cluster, workers=workers, config={"scheduled.rebalance.max.delay.ms": 30_000})
    connect.create_connector("s", {"connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector",
                                   "topics": "orders", "tasks.max": str(tasks), "connection.url": "jdbc:sqlite:graph",
                                   "auto.create": "true"})
    connect.run(15_000)
    if crash is not None:
        connect.workers[crash - 1].crash()
        connect.run(15_000)
    return cluster.trace


@sample(connect_graph, "small", "Notebook 07: two workers share a 4-task JDBC sink.")
def _graph_small():
    return connect_graph(_connect(2, 4))


@sample(connect_graph, "large", "Three workers, 8 tasks, worker 3 dies: its tasks wait for the KIP-415 delay.")
def _graph_large():
    return connect_graph(_connect(3, 8, crash=3))
