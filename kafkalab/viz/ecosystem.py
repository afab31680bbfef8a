"""Renderers for notebook 07: a subject's history, Connect's status, a record's path, the worker graph.

Each reads the trace (``sr.*`` and ``connect.*`` events) or the model's own answers (the status JSON);
nothing is recomputed here.
"""
from __future__ import annotations

from . import style
from .gallery import sample

COLORS = {"RUNNING": style.GREEN, "FAILED": style.VERMILLION, "PAUSED": style.ORANGE, "UNASSIGNED": style.GREY,
          "worker": style.BLUE, "connector": style.SKY_BLUE}


def _history_rows(trace, subject: str) -> list[dict]:
    """The registry's trace for ``subject`` (and global level changes), one dict per event."""
    rows = []
    for e in trace.filter(["sr.register", "sr.incompatible", "sr.config", "sr.delete"]):
        f = e.fields
        if e.kind == "sr.config":
            if f.get("subject") not in (subject, None):
                continue
            rows.append({"time_ms": e.time_ms, "event": f"level set to {f['level']}" + (
                "" if f.get("subject") else " (global)"), "version": None, "id": None, "level": f["level"],
                "reason": "", "kind": "config"})
        elif f.get("subject") != subject:
            continue
        elif e.kind == "sr.register":
            rows.append({"time_ms": e.time_ms, "event": "already registered" if f["existing"] else "registered",
                         "version": f["version"], "id": f["id"], "level": f["level"],
                         "reason": _checked(f) if not f["existing"] else "the same schema: nothing written",
                         "kind": "ok"})
        elif e.kind == "sr.incompatible":
            reason = f["reason"].split("description:'", 1)[-1].split("', additionalInfo")[0]
            rows.append({"time_ms": e.time_ms, "event": "rejected (409)", "version": None, "id": None,
                         "level": f["level"], "reason": reason, "kind": "rejected"})
        else:
            rows.append({"time_ms": e.time_ms, "event": "deleted" + (" permanently" if f["permanent"] else ""),
                         "version": None, "id": None, "level": "", "reason": "", "kind": "config"})
    return rows


def _checked(f: dict) -> str:
    if f["level"] == "NONE":
        return "nothing checked"
    if not f.get("checked"):
        return "the first version: nothing to check"
    return "compatible with " + ", ".join(f"v{v}" for v in f["checked"])


def subject_history(trace, subject: str):
    """One row per registration attempt on ``subject``: registered (version, id) or rejected (reason)."""
    import pandas as pd

    cols = ["time_ms", "event", "version", "id", "level", "reason"]
    return pd.DataFrame([{k: r[k] for k in cols} for r in _history_rows(trace, subject)], columns=cols)


HISTORY_COLORS = {"ok": style.GREEN, "rejected": style.VERMILLION, "config": style.GREY}
PATH_COLORS = {"ok": style.BLUE, "failed": style.VERMILLION, "dropped": style.GREY}


def _stage_rows(ax, items: list[tuple[str, str, str]], arrows: bool) -> None:
    """Rows top to bottom: a coloured label box, then its text (wrapped to two lines), arrows between."""
    import textwrap

    n = max(1, len(items))
    ax.set_xlim(0, 1)
    ax.set_ylim(n - 0.5, -0.5)
    width_chars = max(30, int(ax.figure.get_figwidth() * 0.62 * 72 / (0.56 * style.TEXT_PT)))
    for i, (label, colour, text) in enumerate(items):
        ax.text(0.01, i, label, ha="left", va="center", fontsize=style.TEXT_PT, color=style.text_color_on(colour),
                bbox={"boxstyle": "round,pad=0.3", "fc": colour, "ec": colour})
        lines = textwrap.wrap(text, width_chars) or [""]
        shown = "\n".join(lines[:2]) + ("…" if len(lines) > 2 else "")
        ax.text(0.31, i, shown, ha="left", va="center", fontsize=style.TEXT_PT, color=style.INK)
        if arrows and i:
            ax.annotate("", xy=(0.04, i - 0.28), xytext=(0.04, i - 0.72),
                        arrowprops={"arrowstyle": "->", "color": style.DARK_GREY, "lw": 1.0})
    ax.set_axis_off()


def subject_timeline(trace, subject: str, ax=None):
    """A subject's version history: every registration attempt in order, with the registry's verdict and why."""
    rows = _history_rows(trace, subject)
    ax = style.axes_or_new(ax, width=7.5, height=1.3 + 0.62 * max(1, len(rows)), pyplot=False)
    items = []
    for r in rows:
        if r["kind"] == "ok" and r["event"] == "registered":
            label = f"v{r['version']} (id {r['id']})"
        elif r["kind"] == "ok":
            label = f"v{r['version']} again"
        elif r["kind"] == "rejected":
            label = "409 rejected"
        else:
            label = "level" if r["event"].startswith("level") else r["event"]
        text = f"{r['level']}: {r['reason']}" if r["kind"] != "config" else r["event"]
        items.append((label, HISTORY_COLORS[r["kind"]], text))
    _stage_rows(ax, items, arrows=False)
    kept = sum(1 for r in rows if r["event"] == "registered")
    rejected = [r for r in rows if r["kind"] == "rejected"]
    finding = f"{subject}: {style.plural(kept, 'version')} registered, {len(rejected)} rejected"
    if rejected:
        finding += f" (last under {rejected[-1]['level']})"
    style.finding(ax, finding)
    style.legend(ax, handles=[style.patch(HISTORY_COLORS[k], w) for k, w in
                              (("ok", "registered"), ("rejected", "rejected (409)"), ("config", "level change"))
                              if any(r["kind"] == k for r in rows)])
    style.alt(ax, f"Version history of subject {subject}, one row per registration attempt with the registry's "
                  f"verdict and reason: {finding}.")
    return ax


def record_path_diagram(stages: list[dict], ax=None):
    """A record's path (:func:`kafkalab.ecosystem.connect.path.record_stages`): converter → SMTs → sink."""
    ax = style.axes_or_new(ax, width=7.5, height=1.3 + 0.62 * max(1, len(stages)), pyplot=False)
    items = [(st["stage"], PATH_COLORS[st["outcome"]], (f"[{st['topic']}] " if st["topic"] else "") + st["value"])
             for st in stages]
    _stage_rows(ax, items, arrows=True)
    last = stages[-1]
    if last["outcome"] == "failed":
        finding = f"the record stops at {last['stage']}: {last['value'].split(':', 1)[0]}"
    elif last["outcome"] == "dropped":
        finding = f"{last['stage']} drops the record: nothing reaches the sink"
    else:
        finding = f"the record passes {len(stages) - 1} stage(s) and reaches {last['stage']}"
    style.finding(ax, finding)
    style.legend(ax, handles=[style.patch(PATH_COLORS[k], w) for k, w in
                              (("ok", "stage passed"), ("dropped", "dropped (Filter)"), ("failed", "failed here"))
                              if any(st["outcome"] == k for st in stages)])
    style.alt(ax, f"A record's path through the value converter, each single message transform and the sink, one row "
                  f"per stage with the record as it leaves it: {finding}.")
    return ax


def connect_status_table(status: dict):
    """Connect's status JSON (``GET /connectors/{name}/status``) as a table, one row per task."""
    import pandas as pd

    rows = [("connector", "", status["connector"]["state"], status["connector"]["worker_id"], "")]
    for t in status["tasks"]:
        trace = (t.get("trace") or "").splitlines()
        rows.append(("task", t["id"], t["state"], t["worker_id"], trace[-1] if trace else ""))
    return pd.DataFrame(rows, columns=["what", "id", "state", "worker_id", "cause"])


def record_path(config: dict, raw_value: bytes, topic: str = "orders"):
    """A record's way through the value converter and each SMT of ``config``: one row per stage (a table)."""
    import pandas as pd

    from ..ecosystem.connect.path import record_stages

    rows = [(st["stage"], st["topic"], st["value"] if st["outcome"] != "failed" else "✗ " + st["value"])
            for st in record_stages(config, raw_value, topic)]
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


def _history_trace(levels_and_schemas):
    """A fresh in-memory registry (``mock://``), the attempts made through the client, its trace."""
    import itertools

    from ..confluent_kafka.schema_registry import Schema, SchemaRegistryClient, SchemaRegistryError
    from ..ecosystem.schema_registry import SchemaRegistry

    global _GALLERY_RUNS
    _GALLERY_RUNS = _GALLERY_RUNS or itertools.count()
    registry = SchemaRegistry(None, url=f"mock://gallery-history-{next(_GALLERY_RUNS)}")
    sr = SchemaRegistryClient({"url": registry.url})
    for level, schema in levels_and_schemas:
        if level:
            sr.set_compatibility("users-value", level)
        try:
            sr.register_schema("users-value", Schema(schema))
        except SchemaRegistryError:
            pass
    return registry.trace


_GALLERY_RUNS = None
_U = '{"type":"record","name":"User","fields":[%s]}'
_ID = '{"name":"id","type":"long"}'


@sample(subject_timeline, "small", "Notebook 07: v1, v2 adds email with a default, v3 drops the default (rejected).")
def _timeline_small():
    trace = _history_trace([("BACKWARD_TRANSITIVE", _U % _ID),
                            (None, _U % (_ID + ',{"name":"email","type":"string","default":""}')),
                            (None, _U % (_ID + ',{"name":"email","type":"string"}'))])
    return subject_timeline(trace, "users-value")


@sample(subject_timeline, "large", "Ten attempts under changing levels: every verdict with its reason.")
def _timeline_large():
    steps = [(None, _U % _ID)]
    for i in range(1, 8):
        extra = "".join(f',{{"name":"f{j}","type":"string"{"," if j % 2 else ""}{chr(34) + "default" + chr(34) + ":" + chr(34) + chr(34) if j % 2 else ""}}}' for j in range(1, i + 1))
        steps.append((("BACKWARD", "FORWARD", "FULL_TRANSITIVE", "NONE")[i % 4] if i % 3 == 0 else None,
                      _U % (_ID + extra)))
    steps.append(("BACKWARD", _U % '{"name":"id","type":"int"}'))
    steps.append((None, _U % _ID))
    return subject_timeline(_history_trace(steps), "users-value")


_SMTS = {"connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector", "transforms": "mask,route",
         "transforms.mask.type": "org.apache.kafka.connect.transforms.MaskField$Value",
         "transforms.mask.fields": "amount",
         "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
         "transforms.route.regex": "(.*)", "transforms.route.replacement": "$1-masked"}


def _order_bytes(i: int) -> bytes:
    from ..ecosystem.connect.versus import order

    return order(i).encode()


@sample(record_path_diagram, "small", "Notebook 07: an order through JsonConverter, MaskField, RegexRouter, the sink.")
def _path_small():
    from ..ecosystem.connect.path import record_stages

    return record_path_diagram(record_stages(_SMTS, _order_bytes(1)))


@sample(record_path_diagram, "large", "Five SMTs in a row; MaskField of a field the record lacks leaves it alone, as Kafka's does.")
def _path_large():
    from ..ecosystem.connect.path import record_stages

    cfg = {"connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector",
           "transforms": "insert,rename,cast,route,mask",
           "transforms.insert.type": "org.apache.kafka.connect.transforms.InsertField$Value",
           "transforms.insert.static.field": "source", "transforms.insert.static.value": "web-shop",
           "transforms.rename.type": "org.apache.kafka.connect.transforms.ReplaceField$Value",
           "transforms.rename.renames": "amount:total",
           "transforms.cast.type": "org.apache.kafka.connect.transforms.Cast$Value",
           "transforms.cast.spec": "total:string",
           "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
           "transforms.route.regex": "orders", "transforms.route.replacement": "orders_v2",
           "transforms.mask.type": "org.apache.kafka.connect.transforms.MaskField$Value",
           "transforms.mask.fields": "card_number"}
    return record_path_diagram(record_stages(cfg, _order_bytes(7)))


@sample(connect_graph, "small", "Notebook 07: two workers share a 4-task JDBC sink.")
def _graph_small():
    return connect_graph(_connect(2, 4))


@sample(connect_graph, "large", "Three workers, 8 tasks, worker 3 dies: its tasks wait for the KIP-415 delay.")
def _graph_large():
    return connect_graph(_connect(3, 8, crash=3))
