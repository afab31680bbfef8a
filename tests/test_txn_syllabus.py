"""The study guide's transactional consume-transform-produce loop, with only its import changed.

``tests/data/syllabus_eos.py`` is the guide's code (section 6, worked example) with ``from
confluent_kafka import`` replaced by ``from kafkalab.confluent_kafka import``.  Its ``while True:``
loop is stopped the way a learner stops it, with an interrupt (``Cluster.interrupt_at``).
"""
import json
from pathlib import Path

from kafkalab import Cluster
from kafkalab.clients import Consumer, Producer
from kafkalab.clients.common import TopicPartition
from kafkalab.groups.coordinator import coordinator_for
from kafkalab.txn import txn_coordinator_for
from kafkalab.txn.records import TXN_TOPIC, decode_txn_record

SOURCE = (Path(__file__).parent / "data" / "syllabus_eos.py").read_text()


def run_guide(seed=42, backlog=100):
    c = Cluster(brokers=3, seed=seed)
    for t in ("raw-events", "enriched-events"):
        c.create_topic(t, partitions=1, replication_factor=3)
    p = Producer({"bootstrap.servers": "kafka-1:9092"}, cluster=c)
    for i in range(backlog):  # what the group had already processed: the guide's offsets start at 100
        p.produce("raw-events", key=b"0", value=json.dumps({"a": -i}).encode())
    for a in (1, 2, 3):
        p.produce("raw-events", key=b"42", value=json.dumps({"a": a}).encode())
    p.flush()
    done = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "etl-transformer"}, cluster=c)
    done.commit(offsets=[TopicPartition("raw-events", 0, backlog)], asynchronous=False)
    done.close()
    c.interrupt_at(c.now + 30_000)
    try:
        exec(compile(SOURCE, "syllabus_eos.py", "exec"), {})  # noqa: S102 - running the guide's code is the test
        raise AssertionError("the loop should run until interrupted")
    except KeyboardInterrupt:
        pass
    c.interrupt_at(None)
    c.run(100)
    return c


def test_only_the_import_differs():
    assert "from kafkalab.confluent_kafka import Consumer, Producer" in SOURCE
    assert "confluent_kafka import" not in SOURCE.replace("kafkalab.confluent_kafka import", "")


def test_guide_loop_leaves_what_the_guide_says():
    c = run_guide()
    r = Consumer({"bootstrap.servers": "kafka-1:9092", "group.id": "downstream", "auto.offset.reset": "earliest"},
                 cluster=c)
    r.assign([TopicPartition("enriched-events", 0, 0)])
    out = [json.loads(m.value()) for m in r.consume(10, timeout=2.0) if m.error() is None]
    # enriched-events: 3 committed records, each with "enriched": true
    assert [(o["a"], o["enriched"]) for o in out] == [(1, True), (2, True), (3, True)]
    # __consumer_offsets: etl-transformer raw-events P0 -> 103
    assert coordinator_for(c).committed_offsets("etl-transformer") == {("raw-events", 0): (103, "", -1)}
    # __transaction_state: three CompleteCommit transitions -- all with the same epoch under librdkafka
    svc = txn_coordinator_for(c)
    log = c.partition_log(TXN_TOPIC, svc.partition_for("etl-transformer-001"))
    commits = [decode_txn_record(rec[0], rec[1]) for _o, rec, _b in log.records()]
    commits = [d for d in commits if d["state"] == "CompleteCommit"]
    assert [d["producer_epoch"] for d in commits] == [0, 0, 0]
    # each commit marker took an offset of the output topic
    assert c.partition_log("enriched-events", 0).txn_status() == {0: "committed", 1: "control", 2: "committed",
                                                                  3: "control", 4: "committed", 5: "control"}
