"""``kafka-transactions.sh`` (``org.apache.kafka.tools.TransactionsCommand``) against a simulated cluster.

The five commands and their tables as Kafka 4.x prints them (``ToolsUtils.prettyPrintTable``: each
column padded to its widest cell, then a tab)::

    kafka-transactions.sh --bootstrap-server kafka-1:9092 list
    kafka-transactions.sh --bootstrap-server kafka-1:9092 describe --transactional-id etl-1
    kafka-transactions.sh --bootstrap-server kafka-1:9092 describe-producers --topic orders --partition 0
    kafka-transactions.sh --bootstrap-server kafka-1:9092 find-hanging --broker-id 1
    kafka-transactions.sh --bootstrap-server kafka-1:9092 abort --topic orders --partition 0 --start-offset 7

``find-hanging`` lists open transactions (a producer state with a current transaction start offset)
older than ``--max-transaction-timeout`` minutes (15) whose coordinator does not know the
partition as part of an ongoing transaction; ``abort`` writes an ABORT marker for it
(``WriteTxnMarkers`` from the admin client, KIP-664).

# Simplification: the admin RPCs (ListTransactions, DescribeTransactions, DescribeProducers,
# WriteTxnMarkers) read and change the model at the brokers without a network round trip, and the
# command line is parsed with Python's argparse, of which argparse4j (Kafka's parser here) is a port:
# usage and error lines follow its shape, not always its exact words.
"""
from __future__ import annotations

import argparse

from ..cluster.log import marker_batch
from .common import KAFKA_VERSION, _Exit

PROG = "kafka-transactions.sh"
DESCRIPTION = ("This tool is used to analyze the transactional state of producers in the cluster. It can be used "
               "to detect and recover from hanging transactions.")


def pretty_table(headers: list[str], rows: list[list[str]]) -> str:
    """``ToolsUtils.prettyPrintTable``: every cell left-aligned to its column's width, then a tab."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    return "".join("".join(c.ljust(w) + "\t" for c, w in zip(row, widths, strict=True)) + "\n"
                   for row in [headers, *rows])


class _Parser(argparse.ArgumentParser):
    def __init__(self, *a, term=None, **kw):
        super().__init__(*a, **kw)
        self.term = term

    def error(self, message):
        self.term.err.append(self.format_usage())
        self.term.eprintln(f"{self.prog}: error: {message}")
        raise _Exit(1)

    def exit(self, status=0, message=None):
        if message:
            self.term.err.append(message)
        raise _Exit(status)

    def print_help(self, file=None):
        self.term.out.append(self.format_help())


class TransactionsCommand:
    def __init__(self, args: list[str], admin_factory, term):
        self.args, self.admin_factory, self.term = args, admin_factory, term

    def parser(self) -> _Parser:
        p = _Parser(prog=PROG, description=DESCRIPTION, term=self.term)
        p.add_argument("-v", "--version", action="store_true",
                       help="show the version of this Kafka distribution and exit")
        p.add_argument("--command-config", metavar="FILE",
                       help="property file containing configs to be passed to admin client")
        p.add_argument("--bootstrap-server", metavar="host:port", required=True,
                       help="hostname and port for the broker to connect to, in the form `host:port`  (multiple "
                            "comma-separated entries can be given)")
        sub = p.add_subparsers(dest="command", title="commands", metavar="COMMAND", parser_class=_Parser)

        def cmd(name, help_):
            return sub.add_parser(name, help=help_, term=self.term, prog=f"{PROG} {name}")
        ls = cmd("list", "list transactions")
        ls.add_argument("--duration-filter", type=int,
                        help="Duration (in millis) to filter by: if < 0, all transactions will be returned; "
                             "otherwise, only transactions running longer than this duration will be returned")
        d = cmd("describe", "describe the state of an active transactional-id")
        d.add_argument("--transactional-id", required=True, help="transactional id")
        dp = cmd("describe-producers", "describe the states of active producers for a topic partition")
        dp.add_argument("--broker-id", type=int,
                        help="optional broker id to describe the producer state on a specific replica")
        dp.add_argument("--topic", required=True, help="topic name")
        dp.add_argument("--partition", type=int, required=True, help="partition number")
        ab = cmd("abort", "abort a hanging transaction (requires administrative privileges)")
        ab.add_argument("--topic", required=True, help="topic name")
        ab.add_argument("--partition", type=int, required=True, help="partition number")
        ab.add_argument("--start-offset", type=int, help="start offset of the transaction to abort")
        ab.add_argument("--producer-id", type=int, help="producer id")
        ab.add_argument("--producer-epoch", type=int, help="producer epoch")
        ab.add_argument("--coordinator-epoch", type=int, help="coordinator epoch")
        fh = cmd("find-hanging", "find hanging transactions")
        fh.add_argument("--broker-id", type=int, help="broker id to search for hanging transactions")
        fh.add_argument("--max-transaction-timeout", type=int, default=15,
                        help="maximum transaction timeout in minutes to limit the scope of the search (15 minutes "
                             "by default)")
        fh.add_argument("--topic", help="topic name to limit search to (required if --partition is specified)")
        fh.add_argument("--partition", type=int, help="partition number")
        return p

    def fail(self, message: str) -> None:
        self.term.eprintln(message)
        raise _Exit(1)

    def main(self) -> int:
        p = self.parser()
        if "-v" in self.args or "--version" in self.args:
            self.term.println(KAFKA_VERSION)
            return 0
        ns = p.parse_args(self.args)
        if ns.command is None:
            p.error("too few arguments")
        self.cluster = self.admin_factory(ns.bootstrap_server).cluster
        from ..txn.coordinator import txn_coordinator_for

        self.svc = txn_coordinator_for(self.cluster)
        getattr(self, "cmd_" + ns.command.replace("-", "_"))(ns)
        return 0

    # -- list / describe ----------------------------------------------------------------------------
    def cmd_list(self, ns) -> None:
        now = self.cluster.now
        rows = []
        for d in self.svc.list_transactions():
            if ns.duration_filter is not None and ns.duration_filter >= 0 and \
                    not (d["start_ms"] >= 0 and now - d["start_ms"] > ns.duration_filter):
                continue
            rows.append((d["coordinator"], [d["transactional_id"], str(d["coordinator"]), str(d["producer_id"]),
                                            d["state"]]))
        rows.sort(key=lambda r: (r[0], r[1][0]))
        self.term.out.append(pretty_table(["TransactionalId", "Coordinator", "ProducerId", "TransactionState"],
                                          [r for _b, r in rows]))

    def cmd_describe(self, ns) -> None:
        d = self.svc.describe(ns.transactional_id)
        if d is None:
            self.fail(f"Failed to describe transaction state of transactional-id `{ns.transactional_id}`: The "
                      "transactionalId could not be found. Enable debug logging for additional detail.")
        start = d["start_ms"]
        row = [str(d["coordinator"]), d["transactional_id"], str(d["producer_id"]), str(d["producer_epoch"]),
               d["state"], str(d["timeout_ms"]), str(start) if start >= 0 else "None",
               str(self.cluster.now - start) if start >= 0 else "None",
               ",".join(f"{t}-{p}" for t, p in d["partitions"])]
        self.term.out.append(pretty_table(["CoordinatorId", "TransactionalId", "ProducerId", "ProducerEpoch",
                                           "TransactionState", "TransactionTimeoutMs",
                                           "CurrentTransactionStartTimeMs", "TransactionDurationMs",
                                           "TopicPartitions"], [row]))

    # -- producer state ---------------------------------------------------------------------------------
    def _replica_log(self, topic: str, partition: int, broker: int | None):
        if topic not in self.cluster.topics() or partition >= len(self.cluster.describe(topic).partitions):
            return None, "This server does not host this topic-partition"
        p = self.cluster.describe(topic).partitions[partition]
        b = p.leader if broker is None else broker
        if b not in p.replicas or not self.cluster.brokers[b].alive:
            return None, "This server does not host this topic-partition"
        return self.cluster.brokers[b].logs.get((topic, partition)), None

    def producer_states(self, log) -> list[dict]:
        """DescribeProducers: the active producers of one replica's log."""
        out = []
        for pid in sorted(log.producers):
            epoch, recent = log.producers[pid]
            last_ts, coord_epoch = log.producer_meta.get(pid, (-1, -1))
            out.append({"producer_id": pid, "producer_epoch": epoch, "coordinator_epoch": coord_epoch,
                        "last_sequence": recent[-1][1] if recent else -1, "last_timestamp": last_ts,
                        "txn_start_offset": log.ongoing_txns.get(pid)})
        return out

    def cmd_describe_producers(self, ns) -> None:
        log, err = self._replica_log(ns.topic, ns.partition, ns.broker_id)
        if log is None:
            where = f"broker {ns.broker_id}" if ns.broker_id is not None else "leader"
            self.fail(f"Failed to describe producers for partition {ns.topic}-{ns.partition} on {where}: {err}. "
                      "Enable debug logging for additional detail.")
        rows = [[str(s["producer_id"]), str(s["producer_epoch"]), str(s["coordinator_epoch"]), str(s["last_sequence"]),
                 str(s["last_timestamp"]), "None" if s["txn_start_offset"] is None else str(s["txn_start_offset"])]
                for s in self.producer_states(log)]
        self.term.out.append(pretty_table(["ProducerId", "ProducerEpoch", "LatestCoordinatorEpoch", "LastSequence",
                                           "LastTimestamp", "CurrentTransactionStartOffset"], rows))

    # -- find-hanging / abort -------------------------------------------------------------------------
    def cmd_find_hanging(self, ns) -> None:
        if ns.topic is None and ns.broker_id is None:
            self.fail("The `find-hanging` command requires either --topic or --broker-id to limit the scope of the "
                      "search")
        if ns.partition is not None and ns.topic is None:
            self.fail("The --partition argument requires --topic to be provided")
        max_ms = ns.max_transaction_timeout * 60_000
        now = self.cluster.now
        tps = []
        for t in ([ns.topic] if ns.topic else self.cluster.topics()):
            for p in self.cluster.describe(t).partitions:
                if (ns.partition is None or p.partition == ns.partition) and \
                        (ns.broker_id is None or ns.broker_id in p.replicas):
                    tps.append((t, p.partition))
        by_pid = {d["producer_id"]: d for d in self.svc.list_transactions()}
        rows = []
        for t, p in tps:
            log, _err = self._replica_log(t, p, ns.broker_id)
            if log is None:
                continue
            for s in self.producer_states(log):
                if s["txn_start_offset"] is None or now - s["last_timestamp"] < max_ms:
                    continue
                d = by_pid.get(s["producer_id"])
                if d is not None and (t, p) in d["partitions"]:
                    continue  # the coordinator still expects to write this partition's marker
                rows.append([t, str(p), str(s["producer_id"]), str(s["producer_epoch"]), str(s["coordinator_epoch"]),
                             str(s["txn_start_offset"]), str(s["last_timestamp"]),
                             str((now - s["last_timestamp"]) // 60_000)])
        self.term.out.append(pretty_table(["Topic", "Partition", "ProducerId", "ProducerEpoch", "CoordinatorEpoch",
                                           "StartOffset", "LastTimestamp", "Duration(min)"], rows))

    def cmd_abort(self, ns) -> None:
        tp = f"{ns.topic}-{ns.partition}"
        if ns.start_offset is None and ns.producer_id is None:
            self.fail("The transaction to abort must be identified either with --start-offset (for brokers on 3.0 "
                      "or above) or with --producer-id, --producer-epoch, and --coordinator-epoch (for older "
                      "brokers)")
        log, err = self._replica_log(ns.topic, ns.partition, None)
        if log is None:
            self.fail(f"Failed to validate producer state for partition {tp}: {err}. Enable debug logging for "
                      "additional detail.")
        if ns.start_offset is not None:
            found = [s for s in self.producer_states(log) if s["txn_start_offset"] == ns.start_offset]
            if not found:
                self.fail(f"Could not find any open transactions starting at offset {ns.start_offset} on partition "
                          f"{tp}")
            pid, epoch, coord = found[0]["producer_id"], found[0]["producer_epoch"], max(0,
                                                                                          found[0]["coordinator_epoch"])
        else:
            if ns.producer_epoch is None:
                self.fail("Missing required argument --producer-epoch")
            if ns.coordinator_epoch is None:
                self.fail("Missing required argument --coordinator-epoch")
            pid, epoch, coord = ns.producer_id, ns.producer_epoch, max(0, ns.coordinator_epoch)
        leader = self.cluster.describe(ns.topic).partitions[ns.partition].leader
        b = self.cluster.brokers[leader]
        results: dict = {}
        b.on_produce({"client": f"{PROG}", "acks": -1, "timeout_ms": 30000,
                      "batches": {(ns.topic, ns.partition): marker_batch(pid, epoch, False, coord, self.cluster.now)},
                      "reply": results.update})
        self.cluster.run(10, until=lambda: bool(results))
        err = results.get((ns.topic, ns.partition), (0,))[0]
        if err:
            from ..errors import KafkaError

            self.fail(f"Failed to abort transaction AbortTransactionSpec(topicPartition={tp}, producerId={pid}, "
                      f"producerEpoch={epoch}, coordinatorEpoch={coord}): {KafkaError(err).str()}. Enable debug "
                      "logging for additional detail.")
        self.cluster.trace.emit("tool.abort_transaction", node=PROG, topic=ns.topic, partition=ns.partition,
                                producer_id=pid, producer_epoch=epoch)


COMMAND = TransactionsCommand
