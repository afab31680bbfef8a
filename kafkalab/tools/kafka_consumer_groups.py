"""``kafka-consumer-groups.sh`` (``ConsumerGroupCommand.java``, ``ConsumerGroupCommandOptions.java``,
``GroupOffsetsResetter.java``) against a simulated cluster,
printing what Kafka 4.x prints."""
from __future__ import annotations

import re
from collections.abc import Iterable

from ..errors import KafkaException
from .common import (
    KAFKA_VERSION,
    JavaException,
    _describe_topics_order,
    _ExecutionException,
    _Exit,
    _hashmap_order,
    _iae,
    _java_string_hash,
    _kafka_error_exception,
    _Opt,
    _option_spec_hash,
    _parse_options,
    _Tool,
)

# ---------------------------------------------------------------------------------------------
# kafka-consumer-groups.sh (ConsumerGroupCommand.java, ConsumerGroupCommandOptions.java,
# GroupOffsetsResetter.java in tools/src/main/java/org/apache/kafka/tools/)


_NL = "\n"
GROUP_OPTIONS: list[_Opt] = [
    _Opt("bootstrap-server", "REQUIRED: The server(s) to connect to.", "server to connect to"),
    _Opt("group", "The consumer group we wish to act on.", "consumer group"),
    _Opt("topic", "The topic whose consumer group information should be deleted or topic whose should be included "
                  "in the reset offset process. In `reset-offsets` case, partitions can be specified using this "
                  "format: `topic1:0,1,2`, where 0,1,2 are the partition to be included in the process. "
                  "Reset-offsets also supports multiple topic inputs.", "topic"),
    _Opt("all-topics", "Consider all topics assigned to a group in the `reset-offsets` process."),
    _Opt("list", "List all consumer groups."),
    _Opt("describe", "Describe consumer group and list offset lag (number of messages not yet processed) related "
                     "to given group."),
    _Opt("all-groups", "Apply to all consumer groups."),
    _Opt("delete", "Pass in groups to delete topic partition offsets and ownership information over the entire "
                   "consumer group. For instance --group g1 --group g2"),
    _Opt("timeout", "The timeout that can be set for some use cases. For example, it can be used when describing "
                    "the group to specify the maximum amount of time in milliseconds to wait before the group "
                    "stabilizes (when the group is just created, or is going through some changes). (default: 5000)",
         "timeout (ms)", "Long"),
    _Opt("command-config", "Property file containing configs to be passed to Admin Client and Consumer.",
         "command config property file"),
    _Opt("reset-offsets", "Reset offsets of consumer group. Supports one consumer group at the time, and instances "
                          "should be inactive" + _NL + "Has 2 execution options: --dry-run (the default) to plan "
                          "which offsets to reset, and --execute to update the offsets. Additionally, the --export "
                          "option is used to export the results to a CSV format." + _NL + "You must choose one of "
                          "the following reset specifications: --to-datetime, --by-duration, --to-earliest, "
                          "--to-latest, --shift-by, --from-file, --to-current, --to-offset." + _NL + "To define the "
                          "scope use --all-topics or --topic. One scope must be specified unless you use "
                          "'--from-file'."),
    _Opt("delete-offsets", "Delete offsets of consumer group. Supports one consumer group at the time, and "
                           "multiple topics."),
    _Opt("dry-run", "Only show results without executing changes on Consumer Groups. Supported operations: "
                    "reset-offsets."),
    _Opt("execute", "Execute operation. Supported operations: reset-offsets."),
    _Opt("export", "Export operation execution to a CSV file. Supported operations: reset-offsets."),
    _Opt("to-offset", "Reset offsets to a specific offset.", "offset", "Long"),
    _Opt("from-file", "Reset offsets to values defined in CSV file.", "path to CSV file"),
    _Opt("to-datetime", "Reset offsets to offset from datetime. Format: 'YYYY-MM-DDTHH:mm:SS.sss'", "datetime"),
    _Opt("by-duration", "Reset offsets to offset by duration from current timestamp. Format: 'PnDTnHnMnS'",
         "duration"),
    _Opt("to-earliest", "Reset offsets to earliest offset."),
    _Opt("to-latest", "Reset offsets to latest offset."),
    _Opt("to-current", "Reset offsets to current offset."),
    _Opt("shift-by", "Reset offsets shifting current offset by 'n', where 'n' can be positive or negative.",
         "number-of-offsets", "Long"),
    _Opt("members", "Describe members of the group. This option may be used with '--describe' and "
                    "'--bootstrap-server' options only." + _NL + "Example: --bootstrap-server localhost:9092 "
                    "--describe --group group1 --members"),
    _Opt("verbose", "Provide additional information, if any, when describing the group. This option may be used "
                    "with '--offsets'/'--members'/'--state' and '--bootstrap-server' options only." + _NL +
                    "Example: --bootstrap-server localhost:9092 --describe --group group1 --members --verbose"),
    _Opt("offsets", "Describe the group and list all topic partitions in the group along with their offset lag. "
                    "This is the default sub-action of and may be used with '--describe' and '--bootstrap-server' "
                    "options only." + _NL + "Example: --bootstrap-server localhost:9092 --describe --group group1 "
                    "--offsets"),
    # Simplification: --state and --type take an *optional* argument in Kafka (``[String]`` in the help);
    # here a bare ``--state`` is rewritten to ``--state=`` before parsing (see ConsumerGroupCommand.main).
    _Opt("state", "When specified with '--describe', includes the state of the group." + _NL + "Example: "
                  "--bootstrap-server localhost:9092 --describe --group group1 --state" + _NL + "When specified "
                  "with '--list', it displays the state of all groups. It can also be used to list groups with "
                  "specific states." + _NL + "Example: --bootstrap-server localhost:9092 --list --state "
                  "stable,empty" + _NL + "This option may be used with '--describe', '--list' and "
                  "'--bootstrap-server' options only.", ""),
    _Opt("type", "When specified with '--list', it displays the types of all the groups. It can also be used to "
                 "list groups with specific types." + _NL + "Example: --bootstrap-server localhost:9092 --list "
                 "--type classic,consumer" + _NL + "This option may be used with the '--list' option only.", ""),
    _Opt("help", "Print usage information."),
    _Opt("version", "Display Kafka version."),
]

_GROUP_ACTIONS = ["list", "describe", "delete", "reset-offsets", "delete-offsets"]
_RESET_SCENARIOS = ["to-offset", "shift-by", "to-datetime", "by-duration", "to-earliest", "to-latest",
                    "to-current", "from-file"]
_OPTIONAL_ARG = ("state", "type")
_MISSING = "-"  # MISSING_COLUMN_VALUE
# Errors' default messages, for the exceptions this tool prints
_ERROR_MESSAGES = {"GroupIdNotFoundException": "The group id does not exist.",
                   "GroupNotEmptyException": "The group is not empty.",
                   "UnknownMemberIdException": "The coordinator is not aware of this member."}
# GroupState.groupStatesForType(CONSUMER), as ``Invalid state list`` prints them
_CONSUMER_GROUP_STATES = ["PreparingRebalance", "CompletingRebalance", "Stable", "Dead", "Empty", "Assigning",
                          "Reconciling"]


def _opt_set(names: Iterable[str]) -> str:
    """``Utils.join(Set<OptionSpec>, ", ")``: each spec prints as ``[name]``, in ``HashSet`` order."""
    return ", ".join(f"[{n}]" for n in _hashmap_order(list(names), hash_of=_option_spec_hash))


def _parse_java_long(s: str, option: str) -> int:
    if re.fullmatch(r"[+-]?[0-9]+", s) and -(1 << 63) <= int(s) <= (1 << 63) - 1:
        return int(s)
    raise JavaException("joptsimple.OptionArgumentConversionException",
                        f"Cannot parse argument '{s}' of option {option}")


def _topic_partition_hash(tp: tuple) -> int:
    """``TopicPartition.hashCode()``: ``31 * (31 + partition) + topic.hashCode()``."""
    return (31 * (31 + tp[1]) + _java_string_hash(tp[0])) & 0xFFFFFFFF


def _parse_datetime_ms(text: str) -> int:
    """``Utils.getDateTime``: ``yyyy-MM-dd'T'HH:mm:ss.SSS`` with an optional zone, UTC when none is given.

    kafkalab's record timestamps are the virtual clock (``sim.now``, ms since the cluster started), so
    ``1970-01-01T00:00:05.000`` is virtual time 5000 ms.  # Simplification: a plain integer is also
    accepted as that timestamp in ms (Kafka rejects it: no ``T``).
    """
    import datetime as _dt

    if re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    parts = text.split("T")
    if len(parts) < 2:
        raise JavaException("java.text.ParseException", "Error parsing timestamp. It does not contain a 'T' "
                                                        f"according to ISO8601 format: {text}")
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})(Z|[+-]\d{2}(?::?\d{2})?)?", text)
    if not m:
        raise JavaException("java.text.ParseException", f'Unparseable date: "{text}"')
    y, mo, d, h, mi, s, ms = (int(x) for x in m.groups()[:7])
    zone = m.group(8) or "Z"
    offset_min = 0
    if zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset_min = sign * (int(digits[:2]) * 60 + (int(digits[2:4]) if len(digits) > 2 else 0))
    try:
        dt = _dt.datetime(y, mo, d, h, mi, s, ms * 1000, tzinfo=_dt.timezone.utc)
    except ValueError:
        raise JavaException("java.text.ParseException", f'Unparseable date: "{text}"') from None
    epoch = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
    return (dt - epoch) // _dt.timedelta(milliseconds=1) - offset_min * 60000


class ConsumerGroupCommand(_Tool):
    """``kafka-consumer-groups.sh``: list, describe, delete groups, reset their offsets
    (``ConsumerGroupCommand.java``).

    Kafka 4.x behaviour modelled, with its exact texts:

    * ``--describe --group G`` prints the offsets table (GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET
      LAG CONSUMER-ID HOST CLIENT-ID); an Empty group first says ``Consumer group 'G' has no active
      members.`` (stderr), an unknown one fails with ``GroupIdNotFoundException: Group G not found.``
      (KIP-1043: ``describeConsumerGroups`` no longer returns a ``Dead`` group).
    * ``--reset-offsets`` is a dry run unless ``--execute``; it only works on an inactive (Empty or
      unknown) group, else ``Assignments can only be reset if the group 'G' is inactive, but the
      current state is Stable.``  ``--execute`` commits through the group coordinator like
      ``Admin.alterConsumerGroupOffsets`` (``OffsetCommit``, member ``""``, generation -1), so the
      next consumer of the group starts from the new offsets.

    Example: C1 committed offset 10 of 10 on orders-0 and 2 of 10 on orders-1 → ``--describe`` shows LAG 0
    and 8; after C1 closed, ``--reset-offsets --to-earliest --topic orders --execute`` sets both to 0.

    # Simplification: group state is read from the coordinator object directly (no DescribeGroups /
    # OffsetFetch round trip); log-end offsets and commits do travel over the simulated network.
    """

    options = GROUP_OPTIONS

    def main(self) -> int:
        args = []
        for i, a in enumerate(self.args):  # optional-argument options: a bare flag gets an empty value
            if a in ("--" + n for n in _OPTIONAL_ARG):
                nxt = self.args[i + 1] if i + 1 < len(self.args) else None
                if nxt is None or nxt.startswith("-"):
                    a += "="
            args.append(a)
        try:
            self.opts = _parse_options(args, self.specs)
            self.check_available()
        except JavaException as e:
            # ConsumerGroupCommandOptions.fromArgs runs outside main's try: an uncaught exception.
            self.term.eprintln(f'Exception in thread "main" {e.first_line()}')
            return 1
        self.check_args()
        o = self.opts
        if sum(o.has(a) for a in _GROUP_ACTIONS) != 1:
            self.usage_exit("Command must include exactly one action: "
                            + ", ".join("--" + a for a in _GROUP_ACTIONS))
        try:
            self.run()
        except JavaException as e:
            if e.java_class == "java.lang.IllegalArgumentException":
                self.usage_exit(e.message)
            self.print_error("Executing consumer group command failed due to " + e.message)
            self.term.eprintln(e.first_line())  # printStackTrace (frames left out)
            if isinstance(e, _ExecutionException):
                self.term.eprintln(f"Caused by: {e.cause.first_line()}")
        return 0

    def print_error(self, msg: str) -> None:
        self.term.println("\nError: " + msg)

    # -- ConsumerGroupCommandOptions -----------------------------------------------------------
    def check_available(self) -> None:
        """``availableIf``: ``--members``, ``--verbose``, ``--offsets`` need ``--describe``; ``--state`` also
        ``--list``; ``--type`` only ``--list``."""
        o = self.opts
        need = {"members": ("describe",), "verbose": ("describe",), "offsets": ("describe",),
                "state": ("describe", "list"), "type": ("list",)}
        bad = [n for n, deps in need.items() if o.has(n) and not any(o.has(d) for d in deps)]
        if bad:
            raise JavaException("joptsimple.UnavailableOptionException",
                                f"Option(s) [{bad[0]}] are unavailable given other options on the command line")

    def check_args(self) -> None:
        o = self.opts
        if not self.args or o.has("help"):
            self.usage_exit("This tool helps to list all consumer groups, describe a consumer group, delete "
                            "consumer group info, or reset consumer group offsets.")
        if o.has("version"):
            self.term.println(KAFKA_VERSION)
            raise _Exit(0)
        self.check_required("bootstrap-server")
        scope = _opt_set(["group", "all-groups"])
        if o.has("describe"):
            if not (o.has("group") or o.has("all-groups")):
                self.usage_exit(f"Option [describe] takes one of these options: {scope}")
            if sum(o.has(n) for n in ("members", "offsets", "state")) > 1:
                self.usage_exit("Option [describe] takes at most one of these options: [members], [offsets], "
                                "[state]")
            if o.has("state") and o.value_of("state"):
                self.usage_exit("Option [describe] does not take a value for [state]")
        if o.has("delete"):
            if not (o.has("group") or o.has("all-groups")):
                self.usage_exit(f"Option [delete] takes one of these options: {scope}")
            if o.has("topic"):
                self.usage_exit("The consumer does not support topic-specific offset deletion from a consumer group.")
        if o.has("delete-offsets") and not (o.has("group") and o.has("topic")):
            self.usage_exit(f"Option [delete-offsets] takes the following options: {_opt_set(['group', 'topic'])}")
        if o.has("reset-offsets"):
            if o.has("dry-run") and o.has("execute"):
                self.usage_exit("Option [reset-offsets] only accepts one of [execute] and [dry-run]")
            if not o.has("dry-run") and not o.has("execute"):
                self.term.eprintln("WARN: No action will be performed as the --execute option is missing.In a "
                                   "future major release, the default behavior of this command will be to prompt "
                                   "the user before executing the reset rather than doing a dry run. You should add "
                                   "the --dry-run option explicitly if you are scripting this command and want to "
                                   "keep the current default behavior without prompting.")
            if not (o.has("group") or o.has("all-groups")):
                self.usage_exit(f"Option [reset-offsets] takes one of these options: {scope}")
            for s in _RESET_SCENARIOS:
                self.check_invalid(s, [x for x in _hashmap_order(_RESET_SCENARIOS, hash_of=_option_spec_hash)
                                       if x != s])
        self.check_invalid("group", ["all-groups"])
        self.check_invalid("group", ["list"])
        self.check_invalid("topic", [x for x in _hashmap_order(["list", "describe"], hash_of=_option_spec_hash)])

    # -- the service ---------------------------------------------------------------------------
    def run(self) -> None:
        o = self.opts
        if o.has("command-config"):
            # Simplification: there are no files in the simulator.
            raise JavaException("java.nio.file.NoSuchFileException", o.value_of("command-config"))
        try:
            self.admin = self.create_admin()
        except KafkaException as e:
            raise _kafka_error_exception(e) from None
        cluster = getattr(self.admin, "cluster", None)
        if cluster is None:
            raise JavaException("org.apache.kafka.common.errors.UnsupportedVersionException",
                                "kafkalab: kafka-consumer-groups.sh needs a simulated cluster's AdminClient",
                                api=True)
        from ..groups.coordinator import coordinator_for

        self.cluster = cluster
        self.svc = coordinator_for(cluster)
        if o.has("list"):
            self.list_groups()
        elif o.has("describe"):
            self.describe_groups()
        elif o.has("delete"):
            self.delete_groups()
        elif o.has("reset-offsets"):
            if o.has("export") or o.has("from-file") or o.has("by-duration"):
                # Simplification: no files and no wall clock in the simulator.
                raise JavaException("org.apache.kafka.common.errors.UnsupportedVersionException",
                                    "kafkalab: --export, --from-file and --by-duration are not simulated", api=True)
            self.print_offsets_to_reset(self.reset_offsets())
        else:
            raise JavaException("org.apache.kafka.common.errors.UnsupportedVersionException",
                                "kafkalab: --delete-offsets is not simulated", api=True)

    # -- reading the coordinator ---------------------------------------------------------------
    def group_ids(self) -> list[str]:
        return self.list_consumer_groups() if self.opts.has("all-groups") else self.opts.values_of("group")

    def list_consumer_groups(self) -> list[str]:
        """``listGroups(forConsumerGroups())``.

        # Simplification: sorted by group id; Kafka concatenates each coordinator's answer.
        """
        return [g for g in sorted(set(self.svc.groups) | self.groups_with_offsets()) if self.group_state(g)]

    def groups_with_offsets(self) -> set[str]:
        from ..groups.coordinator import OFFSETS_TOPIC, decode_record

        out: set[str] = set()
        if OFFSETS_TOPIC not in self.cluster.controller.image.topics:
            return out
        for p in range(self.svc.num_partitions):
            rep = self.cluster.leader_replica(OFFSETS_TOPIC, p)
            if rep is None:
                continue
            for _off, rec, _b in rep.log.records(rep.log.log_start_offset, rep.log.high_watermark):
                d = decode_record(rec[0], rec[1])
                if d.get("type") == "OffsetCommit":
                    out.add(d["group"])
        return {g for g in out if self.svc.committed_offsets(g)}

    def group_state(self, gid: str) -> str | None:
        """Kafka's ``GroupState`` name, or None for a group the coordinator does not know."""
        g = self.svc.groups.get(gid)
        if g is not None and g.state.value != "Dead":
            return g.state.value
        return "Empty" if self.svc.committed_offsets(gid) else None

    def describe(self, gid: str):
        """``describeConsumerGroups(...).get()``: the group, or ``GroupIdNotFoundException`` (Kafka 4.x)."""
        state = self.group_state(gid)
        if state is None:
            cause = JavaException("org.apache.kafka.common.errors.GroupIdNotFoundException",
                                  f"Group {gid} not found.", api=True)
            raise _ExecutionException(cause)
        return self.svc.groups.get(gid), state

    @staticmethod
    def members(g) -> list:
        """Members in ``describeGroups`` order: the coordinator's ``HashMap`` of member ids.

        # Simplification: KIP-848 groups keep members in a ``TimelineHashMap``; the same order is used.
        """
        if g is None:
            return []
        return [g.members[m] for m in _hashmap_order(list(g.members))]

    @staticmethod
    def partitions_of(assignment: dict) -> list[tuple]:
        return [(t, p) for t, ps in sorted((assignment or {}).items()) for p in sorted(ps)]

    def log_end_offsets(self, tps: list[tuple]) -> dict:
        """``listOffsets(OffsetSpec.latest())``: the high watermark; missing when the leader is gone."""
        return self.list_offsets(tps, "latest")

    def list_offsets(self, tps: list[tuple], spec) -> dict:
        from ..clients.admin import OffsetSpec
        from ..clients.common import TopicPartition

        if not tps:
            return {}
        s = {"latest": OffsetSpec.latest(), "earliest": OffsetSpec.earliest()}.get(spec) \
            if isinstance(spec, str) else OffsetSpec.for_timestamp(spec)
        futures = self.admin.list_offsets({TopicPartition(t, p): s for t, p in tps})
        out = {}
        for tp, fut in futures.items():
            try:
                out[(tp.topic, tp.partition)] = fut.result().offset
            except KafkaException:
                continue  # GroupOffsetsResetter.Unknown
        return out

    def topic_partitions(self, topic: str) -> list[tuple] | None:
        t = self.cluster.controller.image.topics.get(topic)
        return None if t is None else [(topic, p) for p in range(len(t.partitions))]

    def has_leader(self, tp: tuple) -> bool:
        p = self.cluster.controller.image.partition(*tp)
        return p is not None and p.leader >= 0

    # -- --list --------------------------------------------------------------------------------
    def list_groups(self) -> None:
        o = self.opts
        include_type, include_state = o.has("type"), o.has("state")
        groups = self.list_consumer_groups()
        if not (include_type or include_state):
            for g in groups:
                self.term.println(g)
            return
        states = self.parse_filter(o.value_of("state") or "", _CONSUMER_GROUP_STATES, "state")
        types = self.parse_filter((o.value_of("type") or "").lower(), ["Classic", "Consumer"], "types")
        rows = []
        for gid in groups:
            g = self.svc.groups.get(gid)
            typ = "Consumer" if g is not None and g.type == "consumer" else "Classic"
            st = self.group_state(gid)
            if (not states or st in states) and (not types or typ in types):
                rows.append((gid, typ, st))
        width = max([15] + [len(r[0]) for r in rows]) + 10
        def line(cells):
            s = cells[0].ljust(width)
            if include_type:
                s += " " + cells[1].ljust(20)
            if include_state:
                s += " " + cells[2].ljust(20)
            return s
        self.term.println(line(("GROUP", "TYPE", "STATE")))
        for r in rows:
            self.term.println(line(r))

    @staticmethod
    def parse_filter(text: str, valid: list[str], what: str) -> set[str]:
        """``groupStatesFromString`` / ``consumerGroupTypesFromString``: case-insensitive names."""
        if not text:
            return set()
        by_key = {v.upper(): v for v in valid}
        parsed = [s.strip() for s in text.split(",")]
        bad = [s for s in parsed if s.upper() not in by_key]
        if bad:
            # Simplification: Kafka lists the valid values in HashSet order; we use Kafka's enum order.
            if what == "state":
                raise _iae(f"Invalid state list '{text}'. Valid states are: {', '.join(valid)}")
            raise _iae(f"Invalid types list '{text}'. Valid types are: {', '.join(valid)}")
        return {by_key[s.upper()] for s in parsed}

    # -- --describe ----------------------------------------------------------------------------
    def describe_groups(self) -> None:
        o = self.opts
        ids = sorted(dict.fromkeys(self.group_ids()))  # a TreeMap by group id
        described = {gid: self.describe(gid) for gid in ids}
        verbose = o.has("verbose")
        if o.has("members"):
            self.print_members(described, verbose)
        elif o.has("state"):
            self.print_states(described, verbose)
        else:
            self.print_offsets(described, verbose)

    def should_print_member_state(self, gid: str, state: str, num_rows: int) -> bool:
        if state == "Empty":
            self.term.eprintln(f"\nConsumer group '{gid}' has no active members.")
        elif state in ("PreparingRebalance", "CompletingRebalance", "Assigning", "Reconciling"):
            self.term.eprintln(f"\nWarning: Consumer group '{gid}' is rebalancing.")
        return num_rows > 0

    def offset_rows(self, gid: str, g) -> list[tuple]:
        """``collectGroupsOffsets``: members with partitions (most partitions first), then committed
        partitions nobody owns, each block sorted by topic and partition."""
        committed = self.svc.committed_offsets(gid)
        members = [m for m in self.members(g) if self.partitions_of(m.assignment)]
        members.sort(key=lambda m: -len(self.partitions_of(m.assignment)))
        blocks = [(self.partitions_of(m.assignment), m.member_id, self.host(m), m.client_id) for m in members]
        assigned = {tp for b in blocks for tp in b[0]}
        rest = sorted(tp for tp in committed if tp not in assigned)
        if rest:
            blocks.append((rest, _MISSING, _MISSING, _MISSING))
        leo = self.log_end_offsets([tp for b in blocks for tp in b[0] if self.has_leader(tp)])
        rows = []
        for tps, cid, host, client in blocks:
            for tp in sorted(tps):
                off = committed.get(tp, (None,))[0]
                end = leo.get(tp)
                lag = end - off if off is not None and off != -1 and end is not None else None
                rows.append((gid, tp[0], str(tp[1]), _str_or_missing(off), _str_or_missing(end),
                             _str_or_missing(lag), cid, host, client))
        return rows

    @staticmethod
    def host(m) -> str:
        # Simplification: the member's client node name stands in for its address (Kafka: "/10.0.0.7").
        return "/" + str(m.node)

    def print_offsets(self, described: dict, verbose: bool) -> None:
        for gid, (g, state) in described.items():
            self.print_group_offsets(gid, g, state, verbose)

    def print_group_offsets(self, gid: str, g, state: str, verbose: bool) -> None:
        """``printOffsets`` for one group: ``printf("\\n" + format, ...)`` per row, then ``println()``."""
        rows = self.offset_rows(gid, g)
        if not self.should_print_member_state(gid, state, len(rows)):
            return
        wg = max([15] + [len(r[0]) for r in rows])
        wt = max([15] + [len(r[1]) for r in rows])
        wc = max([15] + [len(r[6]) for r in rows])
        wh = max([15] + [len(r[7]) for r in rows])
        # Simplification: --verbose's LEADER-EPOCH column shows "-" (commits carry leader epoch -1).
        def fmt(r):
            cells = [r[0].ljust(wg), r[1].ljust(wt), r[2].ljust(10)]
            if verbose:
                cells.append(r[9].ljust(15) if len(r) > 9 else _MISSING.ljust(15))
            cells += [r[3].ljust(15), r[4].ljust(15), r[5].ljust(15), r[6].ljust(wc), r[7].ljust(wh), r[8]]
            return "\n" + " ".join(cells)
        header = ("GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID",
                  "HOST", "CLIENT-ID", "LEADER-EPOCH")
        out = fmt(header)
        for r in rows:
            out += fmt(r)
        self.term.println(out)

    def print_members(self, described: dict, verbose: bool) -> None:
        for gid, (g, state) in described.items():
            self.print_group_members(gid, g, state, verbose)

    def print_group_members(self, gid: str, g, state: str, verbose: bool) -> None:
        """``printMembers`` for one group: the header is printed even when the group has no members."""
        members = self.members(g)
        consumer = g is not None and g.type == "consumer"
        rows = []
        for m in members:
            cur = self.partitions_of(m.assignment)
            target = self.partitions_of(g.target.get(m.member_id, {})) if consumer else []
            rows.append((gid, m.member_id, m.instance_id or "", self.host(m), m.client_id, str(len(cur)),
                         str(m.epoch) if consumer else _MISSING, _assignment_string(cur),
                         str(g.assignment_epoch) if consumer else _MISSING, _assignment_string(target)))
        wg, wc, wi, wh, wl, wca, wta = 15, 15, 17, 15, 15, 20, 20
        with_instance = False
        if self.should_print_member_state(gid, state, len(rows)):
            for r in rows:
                wg, wc, wi = max(wg, len(r[0])), max(wc, len(r[1])), max(wi, len(r[2]))
                wh, wl = max(wh, len(r[3])), max(wl, len(r[4]))
                wca, wta = max(wca, len(r[7])), max(wta, len(r[9]))
                with_instance = with_instance or r[2] != ""

        def fmt(r):
            s = r[0].ljust(wg) + " " + r[1].ljust(wc) + " "
            if with_instance:
                s += r[2].ljust(wi) + " "
            s += r[3].ljust(wh) + " " + r[4].ljust(wl) + " " + r[5].ljust(15) + " "
            if verbose:
                s += r[6].ljust(15) + " " + r[7].ljust(wca) + " " + r[8].ljust(15) + " " + r[9].ljust(wta)
            return s
        self.term.println("\n" + fmt(("GROUP", "CONSUMER-ID", "GROUP-INSTANCE-ID", "HOST", "CLIENT-ID",
                                      "#PARTITIONS", "CURRENT-EPOCH", "CURRENT-ASSIGNMENT", "TARGET-EPOCH",
                                      "TARGET-ASSIGNMENT")))
        for r in rows:
            self.term.println(fmt(r))

    def print_states(self, described: dict, verbose: bool) -> None:
        for gid, (g, state) in described.items():
            self.print_group_state(gid, g, state, verbose)

    def print_group_state(self, gid: str, g, state: str, verbose: bool) -> None:
        """``printStates`` for one group: header and row, each after a newline."""
        if not self.should_print_member_state(gid, state, 1):
            return
        b = self.svc.coordinator_broker(gid)
        coordinator = f"kafka-{b}:9092  ({b})"
        consumer = g is not None and g.type == "consumer"
        strategy = (g.assignor if consumer else g.protocol_name) if g is not None else None
        n = len(g.members) if g is not None else 0
        wg, wco = max(15, len(gid)), max(25, len(coordinator))
        if verbose:
            def fmt(c):
                return ("\n" + c[0].ljust(wg) + " " + c[1].ljust(wco) + " " + c[2].ljust(20) + " "
                        + c[3].ljust(20) + " " + c[4].ljust(15) + " " + c[5].ljust(25) + " " + c[6])
            head = ("GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "GROUP-EPOCH",
                    "TARGET-ASSIGNMENT-EPOCH", "#MEMBERS")
            row = (gid, coordinator, strategy or _MISSING, state,
                   str(g.group_epoch) if consumer else _MISSING,
                   str(g.assignment_epoch) if consumer else _MISSING, str(n))
        else:
            def fmt(c):
                return ("\n" + c[0].ljust(wg) + " " + c[1].ljust(wco) + " " + c[2].ljust(20) + " "
                        + c[3].ljust(20) + " " + c[4])
            head = ("GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS")
            row = (gid, coordinator, strategy or _MISSING, state, str(n))
        self.term.println(fmt(head) + fmt(row))

    # -- --reset-offsets -----------------------------------------------------------------------
    def reset_offsets(self) -> dict:
        result = {}
        for gid in self.group_ids():
            state = self.group_state(gid)
            if state in (None, "Empty", "Dead"):
                result[gid] = self.reset_inactive_group(gid)
            else:
                self.print_error(f"Assignments can only be reset if the group '{gid}' is inactive, but the "
                                 f"current state is {state}.")
                result[gid] = {}
        return result

    def partitions_to_reset(self, gid: str) -> list[tuple]:
        o = self.opts
        if o.has("all-topics"):
            return list(self.svc.committed_offsets(gid))
        if not o.has("topic"):
            self.usage_exit("One of the reset scopes should be defined: --all-topics, --topic.")
        specified, plain = [], []
        for arg in o.values_of("topic"):
            if ":" in arg:
                parts = arg.split(":")
                while len(parts) > 1 and parts[-1] == "":
                    parts.pop()
                if len(parts) != 2:
                    raise _iae(f"Invalid topic arg '{arg}', expected topic name and partitions")
                for p in [x for x in parts[1].split(",")] or [""]:
                    if not re.fullmatch(r"[+-]?[0-9]+", p):
                        raise _iae(f"Invalid partition '{p}' specified in topic arg '{arg}''")
                    specified.append((parts[0], int(p)))
            else:
                plain.append(arg)
        for t in _describe_topics_order(sorted(dict.fromkeys(plain))):
            tps = self.topic_partitions(t)
            if tps is None:
                cause = JavaException("org.apache.kafka.common.errors.UnknownTopicOrPartitionException",
                                      "This server does not host this topic-partition.", api=True)
                raise _ExecutionException(cause)
            specified += tps
        return specified

    def reset_inactive_group(self, gid: str) -> dict:
        o = self.opts
        tps = self.partitions_to_reset(gid)
        missing = [tp for tp in tps if self.topic_partitions(tp[0]) is None
                   or tp not in self.topic_partitions(tp[0])]
        if missing:
            raise JavaException("org.apache.kafka.common.errors.UnknownTopicOrPartitionException",
                                'The partitions "' + ",".join(f"{t}-{p}" for t, p in missing) + '" do not exist',
                                api=True)
        leaderless = [tp for tp in tps if not self.has_leader(tp)]
        if leaderless:
            raise JavaException("org.apache.kafka.common.errors.LeaderNotAvailableException",
                                'The partitions "' + ",".join(f"{t}-{p}" for t, p in leaderless)
                                + '" have no leader', api=True)
        if o.has("to-offset"):
            n = _parse_java_long(o.value_of("to-offset"), "to-offset")
            new = self.check_offsets_range({tp: n for tp in tps})
        elif o.has("to-earliest"):
            new = self.list_offsets(tps, "earliest")
        elif o.has("to-latest"):
            new = self.list_offsets(tps, "latest")
        elif o.has("shift-by"):
            n = _parse_java_long(o.value_of("shift-by"), "shift-by")
            committed = self.svc.committed_offsets(gid)
            for tp in tps:
                if tp not in committed:
                    raise _iae(f"Cannot shift offset for partition {tp[0]}-{tp[1]} since there is no current "
                               "committed offset")
            new = self.check_offsets_range({tp: committed[tp][0] + n for tp in tps})
        elif o.has("to-datetime"):
            ts = _parse_datetime_ms(o.value_of("to-datetime"))
            found = self.list_offsets(tps, ts)
            empty = [tp for tp in tps if found.get(tp, -1) == -1]
            for t, p in empty:
                self.term.println(f"\nWarn: Partition {p} from topic {t} is empty. Falling back to latest known "
                                  "offset.")
            found.update(self.list_offsets(empty, "latest"))
            new = found
        elif o.has("to-current"):
            committed = self.svc.committed_offsets(gid)
            new = {tp: committed[tp][0] for tp in tps if tp in committed}
            new.update(self.list_offsets([tp for tp in tps if tp not in committed], "latest"))
        else:
            self.usage_exit("Option '[reset-offsets]' requires one of the following scenarios: ["
                            + ", ".join(f"[{s}]" for s in _hashmap_order(_RESET_SCENARIOS,
                                                                          hash_of=_option_spec_hash)) + "]")
        # Collectors.toMap: a HashMap of TopicPartition -> offset
        new = {tp: new[tp] for tp in _hashmap_order(list(dict.fromkeys(tps)), hash_of=_topic_partition_hash)}
        if o.has("execute") and not o.has("dry-run"):
            self.alter_offsets(gid, new)
        return new

    def check_offsets_range(self, requested: dict) -> dict:
        """``checkOffsetsRange``: clamp into [log start, log end].

        # Simplification: Kafka also logs a WARN (``New offset (99) is higher than latest offset ...``).
        """
        start = self.list_offsets(list(requested), "earliest")
        end = self.list_offsets(list(requested), "latest")
        out = {}
        for tp, off in requested.items():
            if tp in end and off > end[tp]:
                out[tp] = end[tp]
            elif tp in start and off < start[tp]:
                out[tp] = start[tp]
            else:
                out[tp] = off
        return out

    def alter_offsets(self, gid: str, offsets: dict) -> None:
        """``alterConsumerGroupOffsets``: one ``OffsetCommit`` (member ``""``, generation -1) to the
        coordinator, which appends it to __consumer_offsets exactly as it does a consumer's commit."""
        self.svc.ensure_offsets_topic()
        state: dict = {}
        node = getattr(self.admin, "node", "kafka-consumer-groups")
        self.svc.request(node, self.svc.coordinator_broker(gid), "OffsetCommit", self.svc.on_offset_commit,
                         lambda r: state.setdefault("resp", r), gid, "", -1,
                         {tp: (off, "", -1) for tp, off in offsets.items()}, None)
        self.cluster.sim.run_for(30000, until=lambda: "resp" in state)
        err = state["resp"]["error"] if "resp" in state else -185  # _TIMED_OUT
        if err:
            raise self.error_exception(err)

    @staticmethod
    def error_exception(err: int) -> JavaException:
        from ..errors import KafkaError

        e = _kafka_error_exception(KafkaException(KafkaError(err)))
        short = e.java_class.rsplit(".", 1)[-1]
        if short in _ERROR_MESSAGES:
            e = JavaException(e.java_class, _ERROR_MESSAGES[short], api=e.api)
        return e

    def print_offsets_to_reset(self, result: dict) -> None:
        """``GroupOffsetsResetter.printOffsetsToReset``: the NEW-OFFSET table (header even when empty)."""
        wg = max([15] + [len(g) for g in result])
        wt = max([15] + [len(tp[0]) for a in result.values() for tp in a])

        def fmt(g, t, p, o):
            return "\n" + g.ljust(wg) + " " + t.ljust(wt) + " " + str(p).ljust(10) + " " + str(o)
        out = ""
        if result:
            out += fmt("GROUP", "TOPIC", "PARTITION", "NEW-OFFSET")
        for gid in _hashmap_order(list(result)):
            for (t, p), off in result[gid].items():
                out += fmt(gid, t, p, off)
        self.term.println(out)

    # -- --delete ------------------------------------------------------------------------------
    def delete_groups(self) -> None:
        ids = self.group_ids()
        success, failed = [], {}
        node = getattr(self.admin, "node", "kafka-consumer-groups")
        self.svc.ensure_offsets_topic()  # FindCoordinator creates __consumer_offsets
        for gid in ids:
            state: dict = {}
            b = self.svc.coordinator_broker(gid)
            self.svc.request(node, b, "DeleteGroups", self.svc.on_delete_group,
                             lambda r, state=state: state.setdefault("resp", r), gid)
            self.cluster.sim.run_for(30000, until=lambda state=state: "resp" in state)
            err = state["resp"]["error"] if "resp" in state else -185
            if err:
                failed[gid] = self.error_exception(err)
            else:
                success.append(gid)
        success = _hashmap_order(success)  # HashMap<String, Throwable>
        if not failed:
            self.term.println("Deletion of requested consumer groups ("
                              + ", ".join(f"'{g}'" for g in success) + ") was successful.")
            return
        self.print_error("Deletion of some consumer groups failed:")
        for gid in _hashmap_order(list(failed)):
            self.term.println(f"* Group '{gid}' could not be deleted due to: {failed[gid].first_line()}")
        if success:
            self.term.println("\nThese consumer groups were deleted successfully: "
                              + ", ".join(f"'{g}'" for g in success))


def _str_or_missing(v) -> str:
    return _MISSING if v is None else str(v)


def _assignment_string(tps: list[tuple]) -> str:
    """``getAssignmentString``: ``topic:0,1,2;other:3``, topics sorted, or ``-`` when empty."""
    if not tps:
        return _MISSING
    by_topic: dict[str, list[int]] = {}
    for t, p in tps:
        by_topic.setdefault(t, []).append(p)
    return ";".join(sorted(f"{t}:" + ",".join(str(p) for p in sorted(ps)) for t, ps in by_topic.items()))

COMMAND = ConsumerGroupCommand
