"""kafka-dump-log.sh on a simulated segment: batch and record lines as DumpLogSegments prints them."""
from kafkalab import Cluster
from kafkalab.clients import Producer
from kafkalab.tools.kafka_dump_log import crc32c

SEGMENT = "/tmp/kafka-logs/o-0/00000000000000000000.log"


def cluster_with_transactions():
    c = Cluster(brokers=3, seed=1)
    c.create_topic("o", partitions=1, replication_factor=3)
    p = Producer({"bootstrap.servers": "kafka-1:9092", "transactional.id": "x"}, cluster=c)
    p.init_transactions()
    p.begin_transaction()
    p.produce("o", b"c1", key=b"k", partition=0)
    p.commit_transaction()
    p.begin_transaction()
    p.produce("o", b"a1", partition=0)
    p.flush()
    p.abort_transaction()
    c.run(50)
    return c


def test_crc32c_check_value():
    """RFC 3720's CRC-32C check value for "123456789"."""
    assert crc32c(b"123456789") == 0xE3069283


def test_markers_as_an_operator_sees_them():
    r = cluster_with_transactions().cli(f"kafka-dump-log.sh --files {SEGMENT} --print-data-log")
    lines = r.stdout.splitlines()
    assert r.exit_code == 0 and lines[:2] == [f"Dumping {SEGMENT}", "Log starting offset: 0"]
    batches = [ln for ln in lines if ln.startswith("baseOffset:")]
    assert [(" isTransactional: true" in b, " isControl: true" in b) for b in batches] == [
        (True, False), (True, True), (True, False), (True, True)]
    # A control batch with one EndTransactionMarker is 78 bytes, as in Kafka.
    assert " size: 78 magic: 2 " in batches[1]
    records = [ln for ln in lines if ln.startswith("| ")]
    assert records[0].endswith("sequence: 0 headerKeys: [] key: k payload: c1")
    assert records[1].endswith("keySize: 4 valueSize: 6 sequence: -1 headerKeys: [] endTxnMarker: COMMIT "
                               "coordinatorEpoch: 0")
    assert "endTxnMarker: ABORT" in records[3]


def test_shallow_without_print_data_log():
    r = cluster_with_transactions().cli(f"kafka-dump-log.sh --files {SEGMENT}")
    assert not [ln for ln in r.stdout.splitlines() if ln.startswith("|")]


def test_missing_file_and_usage():
    c = cluster_with_transactions()
    r = c.cli("kafka-dump-log.sh --files /tmp/kafka-logs/o-0/00000000000000000099.log")
    assert r.exit_code == 1 and "java.nio.file.NoSuchFileException" in r.stderr
    usage = c.cli("kafka-dump-log.sh")
    assert usage.exit_code == 1 and usage.stderr.startswith("This tool helps to parse a log file")
