"""``kafka-metadata-shell.sh`` (``org.apache.kafka.shell.MetadataShell``): read the ``__cluster_metadata`` log.

The shell replays a metadata log (or snapshot) file into a metadata image and shows it as a file tree
(``org.apache.kafka.image.node``: ``/image/cluster/brokers/<id>``, ``/image/topics/byName/<topic>/<partition>``,
``/image/topics/byId/<id>``, ``/image/configs/TOPIC:<topic>/<key>``)::

    kafka-metadata-shell.sh --snapshot /var/lib/kafka/data/__cluster_metadata-0/00000000000000000000.log ls /image/topics/byName
    kafka-metadata-shell.sh --snapshot .../__cluster_metadata-0/00000000000000000000.log cat /image/topics/byName/orders/0
    PartitionRegistration(replicas=[2, 3, 1], directories=[...], isr=[2, 3, 1], removingReplicas=[], addingReplicas=[],
    elr=[], lastKnownElr=[], leader=2, leaderRecoveryState=RECOVERED, leaderEpoch=0, partitionEpoch=0)

The file is the one on the active controller's disk (or, with no leader, the standby's with the most
committed): ``<offset>.log`` replays its snapshot (if one was taken) and then every record in its log,
``<end offset>-<epoch>.checkpoint`` only that snapshot (``kafka-metadata-quorum`` and ``raft.snapshot``
events name it).  A record that is on disk but not yet committed is replayed too: the shell reads the
file, not the quorum.

# Simplification: the shell runs one command given after the options (no interactive prompt); ``ls`` prints
# one name a line instead of terminal columns; ``BrokerRegistration`` shows the fields the simulator has
# (no incarnation id, features or directories).
"""
from __future__ import annotations

import copy
import re

from ..cluster.metadata import MetadataImage
from .common import KAFKA_VERSION
from .kafka_metadata_quorum import ZERO_UUID
from .kafka_transactions import _Parser

PROG = "kafka-metadata-shell.sh"
DESCRIPTION = "The Apache Kafka metadata shell"
METADATA_DIR = "/var/lib/kafka/data/__cluster_metadata-0"


def _jlist(xs) -> str:
    return "[" + ", ".join(str(x) for x in xs) + "]"


def partition_registration(p) -> str:
    """``PartitionRegistration.toString()``."""
    return (f"PartitionRegistration(replicas={_jlist(p.replicas)}, directories={_jlist([ZERO_UUID] * len(p.replicas))}, "
            f"isr={_jlist(p.isr)}, removingReplicas=[], addingReplicas=[], elr={_jlist(p.elr)}, "
            f"lastKnownElr={_jlist(p.last_known_elr)}, leader={p.leader}, leaderRecoveryState=RECOVERED, "
            f"leaderEpoch={p.leader_epoch}, partitionEpoch={p.partition_epoch})")


def broker_registration(b) -> str:
    rack = "Optional.empty" if b.rack is None else f"Optional[{b.rack}]"
    return (f"BrokerRegistration(id={b.broker_id}, epoch={b.epoch}, listeners=[Endpoint(listenerName='PLAINTEXT', "
            f"securityProtocol=PLAINTEXT, host='{b.host}', port={b.port})], rack={rack}, fenced={str(b.fenced).lower()}, "
            f"inControlledShutdown={str(b.in_controlled_shutdown).lower()})")


def image_tree(image: MetadataImage) -> dict:
    """The shell's file tree: directories are dicts, files are strings."""
    topics_by_name = {}
    for name, t in sorted(image.topics.items()):
        node = {"name": t.name, "id": t.topic_id}
        node.update({str(p.partition): partition_registration(p) for p in t.partitions})
        topics_by_name[name] = node
    configs = {f"TOPIC:{name}": {k: str(v) for k, v in sorted(t.configs.items())}
               for name, t in sorted(image.topics.items()) if t.configs}
    return {"image": {
        "cluster": {"brokers": {str(b): broker_registration(r) for b, r in sorted(image.brokers.items())},
                    "controllers": {}},
        "topics": {"byName": topics_by_name,
                   "byId": {t["id"]: t for t in topics_by_name.values()}},
        "configs": configs,
    }}


def log_image(cluster, path: str) -> tuple[MetadataImage, str] | tuple[None, str]:
    """Replay the file at ``path`` of the controller's metadata log directory."""
    raft = cluster.controller.raft
    m = re.search(r"__cluster_metadata-0/(\d{20})(?:-(\d{10}))?\.(log|checkpoint)$", path)
    if not m:
        return None, f"{path} (No such file or directory)"
    if m.group(3) == "checkpoint":
        snap = raft.snapshot
        if snap is None or f"{m.group(1)}-{m.group(2)}" != snap.snapshot_id:
            return None, f"{path} (No such file or directory)"
        return copy.deepcopy(snap.image), ""
    if int(m.group(1)) != raft.log_start:
        return None, f"{path} (No such file or directory)"
    image = copy.deepcopy(raft.snapshot.image) if raft.snapshot else MetadataImage()
    for rec in raft.log:
        image.apply(rec)
    return image, ""


class MetadataShellCommand:
    def __init__(self, args: list[str], admin_factory, term):
        self.args, self.admin_factory, self.term = args, admin_factory, term

    def parser(self) -> _Parser:
        p = _Parser(prog=PROG, description=DESCRIPTION, term=self.term)
        p.add_argument("--snapshot", "-s", metavar="SNAPSHOT", help="The metadata snapshot file to read.")
        p.add_argument("--directory", "-d", metavar="DIRECTORY", help="The metadata directory to read.")
        p.add_argument("--version", "-V", action="store_true", help="Display Kafka version.")
        p.add_argument("command", nargs="*", help="The command to run.")
        return p

    def main(self) -> int:
        if "--version" in self.args or "-V" in self.args:
            self.term.println(KAFKA_VERSION)
            return 0
        ns = self.parser().parse_args(self.args)
        if not ns.snapshot and not ns.directory:
            self.term.eprintln("Either --snapshot or --directory must be specified.")
            return 1
        path = ns.snapshot or f"{ns.directory.rstrip('/')}/{self.admin_factory(None).cluster.controller.raft.log_start:020d}.log"
        cluster = self.admin_factory(None).cluster
        image, err = log_image(cluster, path)
        if image is None:
            self.term.eprintln(f"java.nio.file.NoSuchFileException: {err}")
            return 1
        if not ns.command:
            self.term.eprintln("kafkalab: the shell is not interactive here; give a command after the options: "
                               "ls, cat, find or pwd")
            return 1
        tree = image_tree(image)
        cmd, *rest = ns.command
        handler = getattr(self, "cmd_" + cmd, None)
        if handler is None:
            self.term.eprintln(f"Unknown command: {cmd}")
            return 1
        return handler(tree, rest or ["/"]) or 0

    @staticmethod
    def _walk(tree: dict, path: str):
        node = tree
        for part in [p for p in path.split("/") if p]:
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def cmd_pwd(self, tree, args) -> int:
        self.term.println("/")
        return 0

    def cmd_ls(self, tree, args) -> int:
        code = 0
        for path in args:
            node = self._walk(tree, path)
            if node is None:
                self.term.eprintln(f"ls: {path}: no such file or directory.")
                code = 1
            elif isinstance(node, dict):
                if len(args) > 1:
                    self.term.println(f"{path}:")
                for name in sorted(node):
                    self.term.println(name)
            else:
                self.term.println(path.rstrip("/").rsplit("/", 1)[-1])
        return code

    def cmd_cat(self, tree, args) -> int:
        code = 0
        for path in args:
            node = self._walk(tree, path)
            if node is None:
                self.term.eprintln(f"cat: {path}: No such file or directory.")
                code = 1
            elif isinstance(node, dict):
                self.term.eprintln(f"cat: {path}: Is a directory")
                code = 1
            else:
                self.term.println(node)
        return code

    def cmd_find(self, tree, args) -> int:
        def walk(node, path):
            self.term.println(path or "/")
            if isinstance(node, dict):
                for name in sorted(node):
                    walk(node[name], f"{path}/{name}")
        for path in args:
            node = self._walk(tree, path)
            if node is None:
                self.term.eprintln(f"find: {path}: no such file or directory.")
                return 1
            walk(node, path.rstrip("/"))
        return 0


COMMAND = MetadataShellCommand
