"""``kafka-metadata-quorum.sh`` (``org.apache.kafka.tools.MetadataQuorumCommand``) against a simulated cluster.

The two ``describe`` modes as Kafka 4.x prints them (``DescribeQuorum``, answered by the quorum leader)::

    kafka-metadata-quorum.sh --bootstrap-server kafka-1:9092 describe --status
    ClusterId:              <22-character id>
    LeaderId:               102
    LeaderEpoch:            3
    HighWatermark:          17
    MaxFollowerLag:         0
    MaxFollowerLagTimeMs:   0
    CurrentVoters:          [{"id": 101, "endpoints": ["CONTROLLER://controller-101:9093"]}, ...]
    CurrentObservers:       [{"id": 1}, {"id": 2}, {"id": 3}]

    kafka-metadata-quorum.sh --bootstrap-server kafka-1:9092 describe --replication [--human-readable]
    NodeId  DirectoryId  LogEndOffset  Lag  LastFetchTimestamp  LastCaughtUpTimestamp  Status
    ...     (Leader first, then the other voters as Follower, then the brokers as Observer)

``MaxFollowerLag`` is the leader's log end offset minus the smallest voter's;
``MaxFollowerLagTimeMs`` the leader's last-caught-up time minus that voter's (0 when the leader is
the laggard).  Timestamps are virtual milliseconds since the cluster started.  With no leader (an
election, or a quorum without a majority) the request waits, then fails with ``The request timed out.``

# Simplification: voters have no directory id (a static ``controller.quorum.voters`` quorum, kraft.version 0:
# ``AAAAAAAAAAAAAAAAAAAAAA`` in the table, left out of ``CurrentVoters``); an observer's (broker's) log end
# offset and fetch time are those of its metadata image and its last heartbeat at the active controller.
# Only ``describe`` is offered (no add-controller / remove-controller, KIP-853).
"""
from __future__ import annotations

from .common import KAFKA_VERSION, _Exit
from .kafka_transactions import _Parser, pretty_table

PROG = "kafka-metadata-quorum.sh"
DESCRIPTION = "This tool describes kraft metadata quorum status."
ZERO_UUID = "AAAAAAAAAAAAAAAAAAAAAA"
TIMEOUT_MS = 30_000  # the admin client's request.timeout.ms, waiting for a quorum leader


def describe_quorum(cluster) -> dict | None:
    """``DescribeQuorumResponse`` from the current quorum leader: None while there is none."""
    leader = cluster.quorum.leader()
    if leader is None or not leader.controller.active:
        return None
    now = cluster.now
    voters = []
    for v in cluster.quorum.voter_ids:
        r = leader.replicas.get(v)
        if v == leader.node_id:
            voters.append({"id": v, "leo": leader.leo, "last_fetch": now, "last_caught_up": now})
        else:
            voters.append({"id": v, "leo": r.end_offset, "last_fetch": r.last_fetch_ms,
                           "last_caught_up": r.last_caught_up_ms})
    ctl = leader.controller
    observers = []
    for b in sorted(cluster.brokers):
        if b in cluster.quorum.voters:
            continue  # combined mode: the voter is reported once, as a voter
        br = cluster.brokers[b]
        if not br.alive or b not in ctl.last_heartbeat:
            continue
        leo = br.image.offset + 1
        seen = ctl.last_heartbeat[b]
        observers.append({"id": b, "leo": leo, "last_fetch": seen,
                          "last_caught_up": seen if leo >= leader.hw else -1})
    return {"leader": leader.node_id, "epoch": leader.epoch, "hw": leader.hw, "voters": voters,
            "observers": observers, "nodes": {v: cluster.quorum.voters[v].node for v in cluster.quorum.voter_ids}}


class MetadataQuorumCommand:
    def __init__(self, args: list[str], admin_factory, term):
        self.args, self.admin_factory, self.term = args, admin_factory, term

    def parser(self) -> _Parser:
        p = _Parser(prog=PROG, description=DESCRIPTION, term=self.term)
        p.add_argument("--bootstrap-server", metavar="BOOTSTRAP_SERVER",
                       help="A comma-separated list of host:port pairs to use for establishing the connection to "
                            "the Kafka cluster.")
        p.add_argument("--bootstrap-controller", metavar="BOOTSTRAP_CONTROLLER",
                       help="A comma-separated list of host:port pairs to use for establishing the connection to "
                            "the Kafka controllers.")
        p.add_argument("--command-config", metavar="COMMAND_CONFIG",
                       help="Property file containing configs to be passed to Admin Client.")
        p.add_argument("--version", action="store_true", help="Displays Kafka version.")
        sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
        d = sub.add_parser("describe", help="Describe the metadata quorum info", term=self.term,
                           prog=f"{PROG} describe")
        d.add_argument("--status", action="store_true",
                       help="A short summary of the quorum status and the other provides detailed information "
                            "about the status of replication.")
        d.add_argument("--replication", action="store_true", help="Detailed information about the status of "
                                                                    "replication")
        d.add_argument("--human-readable", action="store_true", help="Human-readable output")
        return p

    def main(self) -> int:
        if "--version" in self.args:
            self.term.println(KAFKA_VERSION)
            return 0
        p = self.parser()
        ns = p.parse_args(self.args)
        if not ns.bootstrap_server and not ns.bootstrap_controller:
            p.error("one of the arguments --bootstrap-server --bootstrap-controller is required")
        if ns.bootstrap_server and ns.bootstrap_controller:
            p.error("argument --bootstrap-controller: not allowed with argument --bootstrap-server")
        if ns.command is None:
            p.error("too few arguments")
        # MetadataQuorumCommand.execute's TerseExceptions: the message alone on stderr, exit code 1.
        if ns.status and ns.replication:
            return self.terse("Only one of --status or --replication should be specified with describe sub-command")
        if not ns.status and not ns.replication:
            return self.terse("One of --status or --replication must be specified with describe sub-command")
        if ns.status and ns.human_readable:
            return self.terse("The option --human-readable is only supported along with --replication")
        self.cluster = self.admin_factory(ns.bootstrap_server or "kafka-1:9092").cluster
        q = describe_quorum(self.cluster)
        if q is None:
            self.cluster.run(TIMEOUT_MS, until=lambda: describe_quorum(self.cluster) is not None)
            q = describe_quorum(self.cluster)
        if q is None:
            self.term.eprintln("org.apache.kafka.common.errors.TimeoutException: The request timed out.")
            raise _Exit(1)
        if ns.status:
            self.status(q)
        else:
            self.replication(q, ns.human_readable)
        return 0

    def terse(self, message: str) -> int:
        self.term.eprintln(message)
        return 1

    def status(self, q: dict) -> None:
        leader = next(v for v in q["voters"] if v["id"] == q["leader"])
        laggard = min(q["voters"], key=lambda v: v["leo"])  # Comparator.comparingLong(logEndOffset): first minimum
        lag = leader["leo"] - laggard["leo"]
        if laggard is leader:
            lag_ms = 0
        elif leader["last_caught_up"] >= 0 and laggard["last_caught_up"] >= 0:
            lag_ms = leader["last_caught_up"] - laggard["last_caught_up"]
        else:
            lag_ms = -1
        voters = ", ".join(f'{{"id": {v["id"]}, "endpoints": ["CONTROLLER://{q["nodes"][v["id"]]}:9093"]}}'
                           for v in q["voters"])
        observers = ", ".join(f'{{"id": {o["id"]}}}' for o in q["observers"])
        self.term.println(
            f"ClusterId:              {self.cluster.cluster_id}\n"
            f"LeaderId:               {q['leader']}\n"
            f"LeaderEpoch:            {q['epoch']}\n"
            f"HighWatermark:          {q['hw']}\n"
            f"MaxFollowerLag:         {lag}\n"
            f"MaxFollowerLagTimeMs:   {lag_ms}\n"
            f"CurrentVoters:          [{voters}]\n"
            f"CurrentObservers:       [{observers}]")

    def replication(self, q: dict, human: bool) -> None:
        now = self.cluster.now
        leader = next(v for v in q["voters"] if v["id"] == q["leader"])

        def ts(t: int) -> str:
            if t < 0:
                return "-1"
            return f"{now - t} ms ago" if human else str(t)

        rows = []
        groups = [([leader], "Leader"), ([v for v in q["voters"] if v is not leader], "Follower"),
                  (q["observers"], "Observer")]
        for group, status in groups:
            for r in group:
                rows.append([str(r["id"]), ZERO_UUID, str(r["leo"]), str(leader["leo"] - r["leo"]),
                             ts(r["last_fetch"]), ts(r["last_caught_up"]), status])
        self.term.out.append(pretty_table(["NodeId", "DirectoryId", "LogEndOffset", "Lag", "LastFetchTimestamp",
                                           "LastCaughtUpTimestamp", "Status"], rows))


COMMAND = MetadataQuorumCommand
