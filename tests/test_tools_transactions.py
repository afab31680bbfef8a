"""kafka-transactions.sh: list, describe, describe-producers, find-hanging, abort (TransactionsCommand)."""
from kafkalab import Cluster
from kafkalab.clients import Producer
from kafkalab.tools.kafka_transactions import pretty_table
from kafkalab.txn_lab import hanging_transaction

CMD = "kafka-transactions.sh --bootstrap-server kafka-1:9092"


def rows(result):
    return [[c.strip() for c in line.split("\t")[:-1]] for line in result.stdout.splitlines()]


def test_pretty_table_pads_and_tabs():
    """ToolsUtils.prettyPrintTable: each cell left-justified to its column's width, then a tab."""
    assert pretty_table(["A", "Bee"], [["xyz", "1"]]) == "A  \tBee\t\nxyz\t1  \t\n"


def test_list_and_describe_an_open_transaction():
    c = Cluster(brokers=3, seed=2)
    c.create_topic("o", partitions=1, replication_factor=3)
    p = Producer({"bootstrap.servers": "kafka-1:9092", "transactional.id": "etl-1"}, cluster=c)
    p.init_transactions()
    p.begin_transaction()
    p.produce("o", b"x", partition=0)
    p.flush()
    listed = rows(c.cli(f"{CMD} list"))
    assert listed[0] == ["TransactionalId", "Coordinator", "ProducerId", "TransactionState"]
    assert listed[1][0] == "etl-1" and listed[1][3] == "Ongoing"
    described = rows(c.cli(f"{CMD} describe --transactional-id etl-1"))
    assert described[0][-1] == "TopicPartitions" and described[1][4] == "Ongoing" and described[1][-1] == "o-0"
    producers = rows(c.cli(f"{CMD} describe-producers --topic o --partition 0"))
    assert producers[1][-1] == "0"  # CurrentTransactionStartOffset
    missing = c.cli(f"{CMD} describe --transactional-id nobody")
    assert missing.exit_code == 1 and "The transactionalId could not be found" in missing.stderr


def test_hanging_transaction_found_and_aborted():
    c, part = hanging_transaction(verification=False)
    log = c.partition_log("payments", part)
    assert log.last_stable_offset < log.high_watermark
    hanging = rows(c.cli(f"{CMD} find-hanging --topic payments --max-transaction-timeout 1"))
    assert len(hanging) == 2 and hanging[1][:2] == ["payments", str(part)]
    start = hanging[1][5]
    r = c.cli(f"{CMD} abort --topic payments --partition {part} --start-offset {start}")
    assert r.exit_code == 0, r
    c.run(100)
    assert log.last_stable_offset == log.high_watermark
    assert rows(c.cli(f"{CMD} find-hanging --topic payments --max-transaction-timeout 1")) == [
        ["Topic", "Partition", "ProducerId", "ProducerEpoch", "CoordinatorEpoch", "StartOffset", "LastTimestamp",
         "Duration(min)"]]


def test_verification_refuses_the_stuck_batch():
    c, part = hanging_transaction(verification=True)
    log = c.partition_log("payments", part)
    assert log.last_stable_offset == log.high_watermark
    assert [e.fields["reason"] for e in c.trace.filter("produce.reject")] == ["transaction verification"]


def test_usage_errors():
    c = Cluster(brokers=1, seed=1)
    r = c.cli("kafka-transactions.sh list")
    assert r.exit_code == 1 and "kafka-transactions.sh: error:" in r.stderr and "--bootstrap-server" in r.stderr
    r = c.cli(f"{CMD} find-hanging")
    assert r.exit_code == 1 and r.stderr.startswith("The `find-hanging` command requires either --topic")
    r = c.cli(f"{CMD} abort --topic o --partition 0")
    assert r.exit_code == 1 and "must be identified either with --start-offset" in r.stderr
