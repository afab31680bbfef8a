"""The guide's five axes, computed: a hand-written consumer loader against the JDBC sink connector.

The same orders are produced to ``orders`` on two identical seeded clusters.  On one, :class:`CustomLoader`
(the loop a team writes first: poll, ``json.loads``, ``INSERT``, commit the batch's offsets) writes them
into an embedded SQLite database; on the other, the JDBC sink connector does, with the settings a
production sink would have (dead letter topic, ``auto.create``/``auto.evolve``).  Then each scenario of
:data:`SCENARIOS` hits both in the same way at the same virtual times — a poison record, a database
outage shorter and longer than the sink's retry budget (``max.retries`` × ``retry.backoff.ms`` = 30 s),
an additive schema change — and :func:`compare` reads the outcome from what is there afterwards: the
rows in the table, the group's committed offset, the dead letter topic, the loader's crashes and the
connector's status JSON.  Nothing in the result table is typed by hand.

Timeline of every scenario (after 10 s in which both sides start and their groups settle): orders 0–3 at 0 s, 4–7 at 5 s, 8–11 at 10 s; the database (if the scenario
says so) goes down at 4 s; at 75 s an operator restarts what has failed (``POST
/connectors/orders-sink/restart?includeTasks=true&onlyFailed=true``; the loader's supervisor restarts
the process by itself, 10 s after each crash); the run ends at 100 s.

# Simplification: the loader's supervisor is a fixed 10 s restart delay (as systemd's Restart=always
# with RestartSec=10 would do); a loader crash closes its consumer (the ``finally: consumer.close()``
# of the loop), so its partitions move at once instead of after session.timeout.ms.
"""
from __future__ import annotations

import inspect
import json
from dataclasses import dataclass, field

from .connectors import database, drop_database

ORDER = {"type": "struct", "name": "order", "optional": False,
         "fields": [{"field": "id", "type": "int64", "optional": False},
                    {"field": "amount", "type": "float64", "optional": False}]}
ORDER_V2 = dict(ORDER, fields=ORDER["fields"] + [{"field": "coupon", "type": "string", "optional": True}])

#: scenario -> what happens besides the orders (the notebook's rows, in this order)
SCENARIOS = {
    "clean": "12 orders, nothing goes wrong",
    "poison record": "order 5 is not JSON",
    "short outage": "the database is down from 4 s to 10 s (shorter than the sink's 30 s of retries)",
    "long outage": "the database is down from 4 s to 70 s (longer than the sink's retries)",
    "additive change": "from order 4 on, the schema has a new optional field coupon",
}
WAVES = ((0, range(4)), (5_000, range(4, 8)), (10_000, range(8, 12)))
OUTAGES = {"short outage": (4_000, 10_000), "long outage": (4_000, 70_000),
           "40 s outage": (4_000, 44_000)}  # the last one: notebook 07's exercise, not a row of the table
OPERATOR_MS, END_MS, TICK_MS = 75_000, 100_000, 100
WARMUP_MS = 10_000  # both sides run this long before the first order: the groups have settled
RESTART_DELAY_MS = 10_000

#: the connector's settings (besides connector.class, topics and connection.url)
SINK_CONFIG = {"tasks.max": "1", "auto.create": "true", "auto.evolve": "true", "insert.mode": "insert",
               "key.converter": "org.apache.kafka.connect.storage.StringConverter",
               "errors.tolerance": "all", "errors.deadletterqueue.topic.name": "orders-dlq",
               "errors.deadletterqueue.context.headers.enable": "true"}


def order(i: int, schema: dict = ORDER, **more) -> str:
    """Order ``i`` as JsonConverter's envelope (``schemas.enable=true``)."""
    return json.dumps({"schema": schema, "payload": {"id": i, "amount": float(10 * i), **more}})


def events(scenario: str) -> list[tuple[int, str, str]]:
    """(time ms, key, value) of every record the scenario produces."""
    out = []
    for at, ids in WAVES:
        for i in ids:
            if scenario == "poison record" and i == 5:
                value = "not json"
            elif scenario == "additive change" and i >= 4:
                value = order(i, ORDER_V2, coupon=f"C{i}")
            else:
                value = order(i)
            out.append((at, str(i), value))
    return out


class CustomLoader:
    """The loop a team writes first: poll, parse, INSERT each row, commit the batch's offsets.

    It is written as that loop is usually written, and deliberately nothing more: no handling of a bad
    record, no retry of a failed write (an exception ends the process), a fixed column list.
    """

    def __init__(self, cluster, db_name: str, topic: str = "orders"):
        self.cluster, self.db, self.topic = cluster, database(db_name), topic
        self.consumer = None
        self.restarts, self.errors = 0, []
        self.restart_at: int | None = 0

    def start(self) -> None:
        self.consumer = self.cluster.consumer({"group.id": "orders-loader", "auto.offset.reset": "earliest",
                                               "enable.auto.commit": False})
        self.consumer.subscribe([self.topic])
        self.db.execute("CREATE TABLE IF NOT EXISTS orders (id INTEGER, amount REAL)")
        self.db.conn.commit()

    def loop_once(self) -> None:
        batch = self.consumer.consume(100, timeout=0)
        for m in batch:
            if m.error() is not None:
                continue
            row = json.loads(m.value())["payload"]
            self.db.execute("INSERT INTO orders (id, amount) VALUES (?, ?)", (row["id"], row["amount"]))
            self.db.conn.commit()
        if batch:
            self.consumer.commit(asynchronous=False)

    # -- the process around the loop (not part of the loader's code) --------------------------------
    def tick(self, now: int) -> None:
        if self.consumer is None:
            if self.restart_at is not None and now >= self.restart_at:
                if self.restart_at:
                    self.restarts += 1
                self.restart_at = None
                try:
                    self.start()
                except Exception as e:  # noqa: BLE001 - the process dies at start (the database is down)
                    self._crash(now, e)
            return
        try:
            self.loop_once()
        except Exception as e:  # noqa: BLE001 - any exception ends the loader's process
            self._crash(now, e)

    def _crash(self, now: int, e: Exception) -> None:
        self.errors.append((now, f"{type(e).__name__}: {e}"))
        self.cluster.trace.emit("loader.crash", node="orders-loader", error=f"{type(e).__name__}: {e}")
        if self.consumer is not None:
            self.consumer.close()
            self.consumer = None
        self.restart_at = now + RESTART_DELAY_MS


def loader_lines() -> int:
    """Lines of code of the loader's loop and setup (``start`` and ``loop_once``), blank lines and comments left out."""
    src = inspect.getsource(CustomLoader.start) + inspect.getsource(CustomLoader.loop_once)
    return sum(1 for line in src.splitlines() if line.strip() and not line.strip().startswith("#"))


@dataclass
class Outcome:
    """What one side left behind in one scenario."""

    side: str  # "custom loader" | "JDBC sink connector"
    scenario: str
    produced: int  # records on the topic
    good: int  # of them, readable orders
    rows: int  # rows in the table at the end
    distinct: int  # distinct order ids among them
    missing: list  # good order ids not in the table
    coupons: int  # coupon values stored (the additive change)
    coupons_sent: int  # coupon values produced
    dlq: int  # records in the dead letter topic
    committed: int  # the group's committed offset at the end (-1001: none)
    state_before: str  # at 75 s, before the operator steps in
    state_after: str  # at the end
    observed: str  # what a person looking could see (the loader's last error, the status JSON's trace)
    columns: list = field(default_factory=list)
    failures: int = 0  # times the loader crashed / the connector's task went FAILED

    @property
    def duplicates(self) -> int:
        return self.rows - self.distinct


def _cluster(seed: int):
    from ...cluster import Cluster

    cluster = Cluster(brokers=3, seed=seed)
    cluster.create_topic("orders", partitions=1, replication_factor=3)
    return cluster


def _drive(cluster, scenario: str, db, step, operator, snapshot) -> None:
    """Produce the waves, switch the database off and on, tick the side, at the scenario's times."""
    p = cluster.producer({"acks": "all"})
    pending = sorted(events(scenario))
    down, up = OUTAGES.get(scenario, (None, None))
    sim = cluster.sim
    warm = sim.now + WARMUP_MS
    while sim.now < warm:
        step(sim.now)
        sim.run(until_ms=sim.now + TICK_MS)
    start = sim.now
    before = None
    while sim.now - start < END_MS:
        t = sim.now - start
        due = [e for e in pending if e[0] <= t]
        if due:
            pending = pending[len(due):]
            for _at, k, v in due:
                p.produce("orders", key=k, value=v)
            p.flush(10)
        if down is not None:
            db.available = not (down <= t < up)
        if before is None and t >= OPERATOR_MS:
            before = snapshot()
            operator()
        step(sim.now)
        sim.run(until_ms=sim.now + TICK_MS)
    db.available = True
    return before


def _committed(cluster, group: str) -> int:
    from ...clients import TopicPartition

    c = cluster.consumer({"group.id": group})
    return c.committed([TopicPartition("orders", 0)])[0].offset


def _table(db) -> tuple[list, list]:
    if "orders" not in db.tables():
        return [], []
    return db.columns("orders"), db.query("SELECT * FROM orders")


def _outcome(side, scenario, db, committed, dlq, before, after, observed) -> Outcome:
    evs = events(scenario)
    good = [int(k) for _t, k, v in evs if v.startswith("{")]
    cols, rows = _table(db)
    ids = [r[cols.index("id")] for r in rows] if rows else []
    coupons = sum(1 for r in rows if "coupon" in cols and r[cols.index("coupon")] is not None)
    sent = sum(1 for _t, _k, v in evs if '"coupon"' in v)
    return Outcome(side, scenario, len(evs), len(good), len(rows), len(set(ids)), sorted(set(good) - set(ids)),
                   coupons, sent, dlq, committed, before, after, observed, cols)


def _fresh_db(side: str, scenario: str, seed: int) -> str:
    """A database name that says what it holds (so messages quoting it read the same on every run), emptied."""
    name = f"{side}-{scenario.replace(' ', '-')}-{seed}"
    drop_database(name)
    return name


def run_custom(scenario: str, seed: int = 7) -> Outcome:
    cluster = _cluster(seed)
    db_name = _fresh_db("loader", scenario, seed)
    db = database(db_name)
    loader = CustomLoader(cluster, db_name)

    def state():
        if loader.consumer is None:
            return f"crashed {len(loader.errors)}×, restarting" if loader.errors else "not started"
        return f"running (after {len(loader.errors)} crash(es))" if loader.errors else "running"

    before = _drive(cluster, scenario, db, loader.tick, lambda: None, state)
    observed = f"the loader's log: {loader.errors[-1][1]}" if loader.errors else "the loader's log: no errors"
    out = _outcome("custom loader", scenario, db, _committed(cluster, "orders-loader"), 0, before, state(), observed)
    out.failures = len(loader.errors)
    return out


def run_connector(scenario: str, seed: int = 7, extra: dict | None = None) -> Outcome:
    """The JDBC sink with :data:`SINK_CONFIG` (and ``extra``) through ``scenario``; a config Connect refuses
    raises :class:`~kafkalab.ecosystem.connect.ConnectRestError`."""
    from .worker import ConnectCluster

    cluster = _cluster(seed)
    db_name = _fresh_db("sink", scenario, seed)
    db = database(db_name)
    connect = ConnectCluster(cluster, workers=1, tick_ms=TICK_MS)
    cfg = dict(SINK_CONFIG, **{"connector.class": "io.confluent.connect.jdbc.JdbcSinkConnector", "topics": "orders",
                               "connection.url": f"jdbc:sqlite:{db_name}"}, **(extra or {}))
    connect.create_connector("orders-sink", cfg)

    def state():
        st = connect.status("orders-sink")
        return f"connector {st['connector']['state']}, task {st['tasks'][0]['state']}"

    def step(now):
        for w in connect.workers:
            w.tick()

    before = _drive(cluster, scenario, db, step,
                    lambda: connect.restart("orders-sink", include_tasks=True, only_failed=True), state)
    failed = cluster.trace.filter("connect.task.failed")
    retries = len(cluster.trace.filter("connect.task.retry"))
    observed = (f"GET /connectors/orders-sink/status: task FAILED, trace {failed[-1].fields['error']}; "
                f"{retries} retries before" if failed else
                f"GET /connectors/orders-sink/status: {state()}; {retries} retries, "
                f"{len(cluster.trace.filter('connect.dlq'))} to the DLQ")
    dlq = 0
    if "orders-dlq" in cluster.topics():
        from ...clients import TopicPartition

        c = cluster.consumer({"group.id": "versus-dlq-reader"})
        dlq = c.get_watermark_offsets(TopicPartition("orders-dlq", 0))[1]
    out = _outcome("JDBC sink connector", scenario, db, _committed(cluster, "connect-orders-sink"), dlq, before,
                   state(), observed)
    out.failures = len(failed)
    return out


def compare(scenarios=tuple(SCENARIOS), seed: int = 7) -> list[Outcome]:
    """Run every scenario on both sides: two outcomes per scenario, the loader's first."""
    out = []
    for s in scenarios:
        out += [run_custom(s, seed), run_connector(s, seed)]
    return out


__all__ = ["SCENARIOS", "SINK_CONFIG", "CustomLoader", "Outcome", "compare", "events", "loader_lines",
           "order", "run_connector", "run_custom"]
