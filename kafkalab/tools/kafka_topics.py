"""``kafka-topics.sh`` (``TopicCommand.java``) against a simulated cluster, printing what Kafka 4.x prints.

Notable 4.x behaviour:

* ``kafka-topics.sh --alter --config k=v`` is rejected before anything is sent:
  ``Option combination "[[bootstrap-server], [config]]" can't be used with option "[alter]" (To
  alter topic configurations, the kafka-configs tool can be used.)`` then the usage table, exit 1
  (``TopicCommandOptions.checkRequiredArgs``).  Use ``kafka-configs.sh --alter --add-config``.
* ``--describe`` prints ``Elr:`` / ``LastKnownElr:`` for every partition (KIP-966).  A 4.x admin
  client reads them with ``DescribeTopicPartitions``, which always returns lists, so with ELR
  disabled they print empty (``Elr: \\tLastKnownElr: ``); ``N/A`` only appears for a ``null`` list.
"""
from __future__ import annotations

import re

from ..errors import KafkaException
from .common import (
    _INTERNAL_TOPICS,
    KAFKA_VERSION,
    TOPIC_CONFIG_NAMES,
    JavaException,
    _Api,
    _check_topic_config_value,
    _config_entries,
    _config_entries_order,
    _describe_topic_configs,
    _describe_topics_order,
    _Exit,
    _hashmap_order,
    _iae,
    _is_default,
    _java_str,
    _kafka_error_exception,
    _list_topic_names,
    _live_brokers,
    _node_id,
    _Opt,
    _option_spec_hash,
    _parse_options,
    _result,
    _Tool,
)

# ---------------------------------------------------------------------------------------------
# kafka-topics.sh  (TopicCommand)


_CONFIGS_HINT = " (To alter topic configurations, the kafka-configs tool can be used.)"

TOPIC_OPTIONS: list[_Opt] = [
    _Opt("bootstrap-server", "REQUIRED: The Kafka server to connect to.", "server to connect to"),
    _Opt("command-config", "Property file containing configs to be passed to Admin Client.",
         "command config property file"),
    _Opt("list", "List all available topics."),
    _Opt("create", "Create a new topic."),
    _Opt("delete", "Delete a topic."),
    _Opt("alter", "Alter the number of partitions and replica assignment." + _CONFIGS_HINT),
    _Opt("describe", "List details for the given topics."),
    _Opt("topic", "The topic to create, alter, describe or delete. It also accepts a regular expression, "
                  "except for --create option.", "topic"),
    _Opt("topic-id", "The topic-id to describe.", "topic-id"),
    _Opt("config", "A topic configuration override for the topic being created. The following is a list of "
                   "valid configurations: \n" + "\n".join("\t" + n for n in TOPIC_CONFIG_NAMES) + "\n"
                   "See the Kafka documentation for full details on the topic configs. It is supported only in "
                   "combination with --create." + _CONFIGS_HINT, "name=value"),
    _Opt("delete-config", "This option is no longer supported and has been deprecated since 4.0", "name"),
    _Opt("partitions", "The number of partitions for the topic being created or altered. If not supplied with "
                       "--create, the topic uses the cluster default. (WARNING: If partitions are increased for a "
                       "topic that has a key, the partition logic or ordering of the messages will be affected).",
         "# of partitions", "Integer"),
    _Opt("replication-factor", "The replication factor for each partition in the topic being created. If not "
                               "supplied, the topic uses the cluster default.", "replication factor", "Integer"),
    _Opt("replica-assignment", "A list of manual partition-to-broker assignments for the topic being created or "
                               "altered.",
         "broker_id_for_part1_replica1 : broker_id_for_part1_replica2 , "
         "broker_id_for_part2_replica1 : broker_id_for_part2_replica2 , ..."),
    _Opt("under-replicated-partitions", "If set when describing topics, only show under-replicated partitions."),
    _Opt("unavailable-partitions",
         "If set when describing topics, only show partitions whose leader is not available."),
    _Opt("under-min-isr-partitions", "If set when describing topics, only show partitions whose isr count is "
                                     "less than the configured minimum."),
    _Opt("at-min-isr-partitions", "If set when describing topics, only show partitions whose isr count is equal "
                                  "to the configured minimum."),
    _Opt("topics-with-overrides", "If set when describing topics, only show topics that have overridden configs."),
    _Opt("if-exists", "If set when altering or deleting or describing topics, the action will only execute if "
                      "the topic exists."),
    _Opt("if-not-exists", "If set when creating topics, the create request will not fail if the topic already "
                          "exists, but the request will still be sent."),
    _Opt("exclude-internal", "Exclude internal topics when listing or describing topics. By default, the "
                             "internal topics are included."),
    _Opt("partition-size-limit-per-response", "The maximum partition size to be included in one "
                                              "DescribeTopicPartitions response.",
         "maximum number of partitions per response", "Integer"),
    _Opt("help", "Print usage information."),
    _Opt("version", "Display Kafka version."),
]

_TOPIC_ACTIONS = ["alter", "create", "describe", "list", "delete"]  # allTopicLevelOpts
_REPORT_OPTS = ["under-replicated-partitions", "under-min-isr-partitions", "at-min-isr-partitions",
                "unavailable-partitions"]



class TopicCommand(_Tool):
    """``kafka-topics.sh``: create, delete, describe, or change a topic (``TopicCommand.java``)."""

    options = TOPIC_OPTIONS
    LOGGER = "org.apache.kafka.tools.TopicCommand"

    def main(self) -> int:
        # mainNoExit: anything thrown before the service runs goes to stderr with its stack trace.
        try:
            self.opts = _parse_options(self.args, self.specs)
            self.check_args()
        except JavaException as e:
            self.term.eprintln(e.message)
            self.term.eprintln(e.first_line() + "\n")  # Utils.stackTrace(e) (frames left out)
            return 1
        return self.execute()

    # -- TopicCommandOptions.checkArgs ---------------------------------------------------------
    def check_args(self) -> None:
        o = self.opts
        if not self.args:
            self.usage_exit("Create, delete, describe, or change a topic.")
        if o.has("help"):
            self.usage_exit("This tool helps to create, delete, describe, or change a topic.")
        if o.has("version"):
            self.term.println(KAFKA_VERSION)
            raise _Exit(0)
        if sum(o.has(a) for a in ("create", "list", "alter", "describe", "delete")) != 1:
            self.usage_exit("Command must include exactly one action: --list, --describe, --create, --alter or "
                            "--delete")
        if o.has("delete-config"):
            self.term.eprintln("delete-config option is no longer supported and deprecated since version 4.0. "
                               "The config will be fully removed in future releases.")
        # checkRequiredArgs
        if not o.has("bootstrap-server"):
            raise _iae("--bootstrap-server must be specified")
        if o.has("describe") and o.has("if-exists"):
            if not o.has("topic") and not o.has("topic-id"):
                self.usage_exit("--topic or --topic-id is required to describe a topic")
            if o.has("topic") and o.has("topic-id"):
                self.term.println("Only topic id will be used when both --topic and --topic-id are specified and "
                                  "topicId is not Uuid.ZERO_UUID")
        if not o.has("list") and not o.has("describe"):
            self.check_required("topic")
        if o.has("alter"):
            # checkInvalidArgsSet(Set.of(bootstrapServerOpt, configOpt), Set.of(alterOpt), hint)
            # Simplification: Set.of's iteration order varies between JVM runs; this is the usual one.
            if o.has("bootstrap-server") and o.has("config"):
                self.usage_exit('Option combination "[[bootstrap-server], [config]]" can\'t be used with option '
                                '"[alter]"' + _CONFIGS_HINT)
            self.check_required("partitions")
        # checkInvalidArgs
        def actions_except(*keep):
            return [a for a in _TOPIC_ACTIONS if a not in keep]
        self.check_invalid("config", actions_except("alter", "create"))
        self.check_invalid("partitions", actions_except("alter", "create"))
        self.check_invalid("replication-factor", actions_except("create"))
        self.check_invalid("replica-assignment", actions_except("alter", "create"))
        if o.has("create"):
            self.check_invalid("replica-assignment", ["partitions", "replication-factor"])
        for rep in _REPORT_OPTS:
            self.check_invalid(rep, actions_except("describe") + ["topics-with-overrides"])
        # new HashSet<>(allReplicationReportOpts): hash order of the option specs
        reports = _hashmap_order(_REPORT_OPTS, hash_of=_option_spec_hash)
        self.check_invalid("topics-with-overrides", actions_except("describe") + reports)
        self.check_invalid("if-exists", actions_except("alter", "delete", "describe"))
        self.check_invalid("if-not-exists", actions_except("create"))
        self.check_invalid("exclude-internal", actions_except("list", "describe"))

    # -- TopicCommand.execute ------------------------------------------------------------------
    def execute(self) -> int:
        try:  # new TopicService(...) runs before execute's try: mainNoExit reports failures
            admin = self.create_admin()
        except (KafkaException, JavaException) as e:
            exc = e if isinstance(e, JavaException) else _kafka_error_exception(e)
            self.term.eprintln(exc.message)
            self.term.eprintln(exc.first_line() + "\n")
            return 1
        self.api = _Api(admin)
        self.admin = admin
        o = self.opts
        try:
            if o.has("create"):
                self.create_topic()
            elif o.has("alter"):
                self.alter_topic()
            elif o.has("list"):
                self.list_topics()
            elif o.has("describe"):
                self.describe_topic()
            elif o.has("delete"):
                self.delete_topic()
        except KafkaException as e:
            self.print_exception(_kafka_error_exception(e))
            return 1
        except JavaException as e:
            self.print_exception(e)
            return 1
        return 0

    def print_exception(self, e: JavaException) -> None:
        """``printException``: the message on stdout, ``LOG.error(stackTrace)`` on stderr."""
        self.term.println("Error while executing topic command : " + _java_str(e.message))
        self.term.err.append(f"ERROR {e.first_line()}\n ({self.LOGGER})\n")

    # -- helpers -------------------------------------------------------------------------------
    def topic_opt(self) -> str | None:
        return self.opts.value_of("topic")

    def get_topics(self, include: str | None, exclude_internal: bool) -> list[str]:
        """``getTopics``: all topic names, sorted, filtered by the ``--topic`` regex (full match)."""
        all_topics = sorted(_list_topic_names(self.admin))
        if include is not None:
            # TopicFilter: trims, ',' -> '|', drops spaces and surrounding quotes
            regex = include.strip().replace(",", "|").replace(" ", "")
            regex = re.sub(r"^[\"']+", "", regex)
            regex = re.sub(r"[\"']+$", "", regex)
            try:
                pattern = re.compile(regex)
            except re.error:
                raise JavaException("java.lang.RuntimeException", f"{regex} is an invalid regex.") from None
            return [t for t in all_topics
                    if pattern.fullmatch(t) and not (t in _INTERNAL_TOPICS and exclude_internal)]
        return [t for t in all_topics if not (t in _INTERNAL_TOPICS and exclude_internal)]

    @staticmethod
    def ensure_topic_exists(found: list[str], requested: str | None, require: bool) -> None:
        if requested and require and not found:
            raise _iae(f"Topic '{requested}' does not exist as expected")

    def parse_replica_assignment(self, text: str) -> dict[int, list[int]]:
        """``parseReplicaAssignment``: ``"1:2,2:3"`` -> ``{0: [1, 2], 1: [2, 3]}``."""
        parts = text.split(",")
        while parts and parts[-1] == "":
            parts.pop()
        ret: dict[int, list[int]] = {}
        for i, part in enumerate(parts):
            brokers = []
            for b in part.split(":") if part else [""]:
                b = b.strip()
                if not re.fullmatch(r"[+-]?[0-9]+", b) or not -(1 << 31) <= int(b) < (1 << 31):
                    raise JavaException("java.lang.NumberFormatException", f'For input string: "{b}"')
                brokers.append(int(b))
            dups = sorted({b for b in brokers if brokers.count(b) > 1})
            if dups:
                raise JavaException("org.apache.kafka.tools.AdminCommandFailedException",
                                    "Partition replica lists may not contain duplicate entries: "
                                    + ",".join(map(str, dups)))
            ret[i] = brokers
            if len(brokers) != len(ret[0]):
                raise JavaException("org.apache.kafka.tools.AdminOperationException",
                                    f"Partition {i} has different replication factor: "
                                    f"[{', '.join(map(str, brokers))}]")
        return ret

    def command_topic_partition(self) -> dict:
        """``CommandTopicPartition``: the topic, counts, assignment and configs, checked in Kafka's order."""
        o = self.opts
        name = self.topic_opt()
        partitions = o.value_of("partitions")
        rf = o.value_of("replication-factor")
        assignment = {}
        ra = o.value_of("replica-assignment")
        if ra:
            assignment = self.parse_replica_assignment(ra)
        configs: dict[str, str] = {}
        pairs = []
        for s in o.values_of("config"):
            kv = re.split(r"\s*=\s*", s)
            while kv and kv[-1] == "":
                kv.pop()
            pairs.append(kv)
        if not all(len(p) == 2 for p in pairs):
            raise _iae('requirement failed: Invalid topic config: all configs to be added must be in the format '
                       '"key=val".')
        for k, v in pairs:
            configs[k.strip()] = v.strip()
        for k in configs:  # LogConfig.validate: names, then values
            if k not in TOPIC_CONFIG_NAMES:
                raise JavaException("org.apache.kafka.common.errors.InvalidConfigurationException",
                                    f"Unknown topic config name: {k}", api=True)
        for k, v in configs.items():
            _check_topic_config_value(k, v)
        return {"name": name, "partitions": partitions, "replication_factor": rf,
                "assignment": assignment, "configs": configs}

    # -- actions -------------------------------------------------------------------------------
    def create_topic(self) -> None:
        t = self.command_topic_partition()
        name = t["name"]
        if "_" in name or "." in name:
            self.term.println("WARNING: Due to limitations in metric names, topics with a period ('.') or "
                              "underscore ('_') could collide. To avoid issues it is best to use either, but not both.")
        rf, partitions = t["replication_factor"], t["partitions"]
        if rf is not None and (rf > 32767 or rf < 1):
            raise _iae("The replication factor must be between 1 and 32767 inclusive")
        if partitions is not None and partitions < 1:
            raise _iae("The partitions must be greater than 0")
        NewTopic = self.api.get("NewTopic")
        if t["assignment"]:
            new_topic = NewTopic(name, replica_assignment=[t["assignment"][i] for i in sorted(t["assignment"])],
                                 config=dict(t["configs"]))
        else:
            # Simplification: confluent-kafka wants a 16-bit replication factor; -1 means "broker default"
            new_topic = NewTopic(name, num_partitions=partitions if partitions is not None else -1,
                                 replication_factor=rf if rf is not None else -1, config=dict(t["configs"]))
        futures = self.admin.create_topics([new_topic])
        try:
            _result(futures[name])
        except JavaException as e:
            if e.java_class.endswith(".TopicExistsException") and self.opts.has("if-not-exists"):
                return
            raise
        self.term.println(f"Created topic {name}.")

    def list_topics(self) -> None:
        topics = self.get_topics(self.topic_opt(), self.opts.has("exclude-internal"))
        self.term.println("\n".join(topics))

    def alter_topic(self) -> None:
        t = self.command_topic_partition()
        topics = self.get_topics(self.topic_opt(), self.opts.has("exclude-internal"))
        self.ensure_topic_exists(topics, self.topic_opt(), not self.opts.has("if-exists"))
        if not topics:
            return
        NewPartitions = self.api.get("NewPartitions")
        requests = []
        if t["assignment"]:
            infos = self.admin.describe_topics(self.api.topic_collection(topics))
        for name in topics:
            if t["assignment"]:
                start = len(_result(infos[name]).partitions)
                new = [t["assignment"][i] for i in sorted(t["assignment"]) if i >= start]
                requests.append(NewPartitions(name, t["partitions"], new))
            else:
                requests.append(NewPartitions(name, t["partitions"]))
        futures = self.admin.create_partitions(requests)
        for name in topics:  # createPartitions(...).all().get(): the first failure
            _result(futures[name])

    def delete_topic(self) -> None:
        topics = self.get_topics(self.topic_opt(), self.opts.has("exclude-internal"))
        self.ensure_topic_exists(topics, self.topic_opt(), not self.opts.has("if-exists"))
        if not topics:
            return
        futures = self.admin.delete_topics(list(topics))
        for name in topics:
            _result(futures[name])

    def describe_topic(self) -> None:
        o = self.opts
        topic_id = o.value_of("topic-id")
        use_topic_id = bool(topic_id) and topic_id != "AAAAAAAAAAAAAAAAAAAAAA"
        exclude = o.has("exclude-internal")
        if use_topic_id:
            # Simplification: topic ids are matched on their printed (base64) form.
            names = self.get_topics(None, exclude)
            descs = self.admin.describe_topics(self.api.topic_collection(names)) if names else {}
            topics = [n for n in names if str(getattr(_result(descs[n]), "topic_id", "")) == topic_id]
            if not topics and not o.has("if-exists"):
                raise _iae(f"TopicId '{topic_id}' does not exist as expected")
        else:
            topics = self.get_topics(self.topic_opt(), exclude)
            self.ensure_topic_exists(topics, self.topic_opt(), not o.has("if-exists"))
        descriptions = []
        if topics:
            futures = self.admin.describe_topics(self.api.topic_collection(topics))
            got = {n: _result(futures[n]) for n in topics}  # allTopicNames().get()
            descriptions = [got[n] for n in _describe_topics_order(topics)]
        config_futures = _describe_topic_configs(self.admin, self.api, [d.name for d in descriptions])
        live = _live_brokers(self.admin)
        report = {r: o.has(r) for r in _REPORT_OPTS}
        describe_configs = not any(report.values())
        describe_partitions = not o.has("topics-with-overrides")
        for td in descriptions:
            entries = _config_entries(_result(config_futures[td.name]))
            partitions = sorted(td.partitions, key=lambda p: p.id)
            if describe_configs:
                non_default = [e for e in entries if not _is_default(e)]
                if not o.has("topics-with-overrides") or non_default:
                    self.print_topic_header(td, len(partitions), partitions, non_default)
            if describe_partitions:
                min_isr = _min_isr(entries)
                for p in partitions:
                    if describe_configs or self.partition_selected(p, report, live, min_isr):
                        self.print_partition(td.name, p)

    def print_topic_header(self, td, count: int, partitions: list, non_default: list) -> None:
        """``TopicDescription.printDescription``."""
        by_name = {e.name: e for e in non_default}
        configs = ",".join(f"{n}={_java_str(by_name[n].value)}" for n in _config_entries_order(by_name))
        line = f"Topic: {td.name}"
        topic_id = getattr(td, "topic_id", None)
        if topic_id is not None and str(topic_id) != "AAAAAAAAAAAAAAAAAAAAAA":
            line += f"\tTopicId: {topic_id}"
        # Simplification: no partition reassignments in the model, so RF = replicas of the first partition
        rf = len(partitions[0].replicas) if partitions else 0
        line += f"\tPartitionCount: {count}\tReplicationFactor: {rf}\tConfigs: {configs}"
        self.term.println(line)

    @staticmethod
    def partition_selected(p, report: dict, live: set[int], min_isr: int) -> bool:
        """The ``--under-replicated-partitions`` style filters (``DescribeOptions``)."""
        leader = _leader_id(p)
        isr = len(p.isr)
        if report["under-replicated-partitions"] and len(p.replicas) - isr > 0:
            return True
        if report["unavailable-partitions"] and (leader is None or leader not in live):
            return True
        if report["under-min-isr-partitions"] and (leader is None or isr < min_isr):
            return True
        return report["at-min-isr-partitions"] and isr == min_isr

    def print_partition(self, topic: str, p) -> None:
        """``PartitionDescription.printDescription``."""
        leader = _leader_id(p)
        line = (f"\tTopic: {topic}\tPartition: {p.id}\tLeader: {'none' if leader is None else leader}"
                f"\tReplicas: {','.join(str(_node_id(n)) for n in p.replicas)}"
                f"\tIsr: {','.join(str(_node_id(n)) for n in p.isr)}")
        line += "\tElr: " + _elr_text(p, "elr")
        line += "\tLastKnownElr: " + _elr_text(p, "last_known_elr")
        self.term.println(line)


_MISSING = object()


def _elr_text(p, attr: str) -> str:
    """ELR columns: a list prints its ids (empty when ELR is off); ``None`` (Java ``null``) prints ``N/A``.

    A partition object without the attribute (confluent-kafka's own ``TopicPartitionInfo``) counts as
    an empty list: against a 4.x broker the admin client uses ``DescribeTopicPartitions``, whose
    ELR fields are never null.
    """
    v = getattr(p, attr, _MISSING)
    if v is _MISSING:
        v = []
    if v is None:
        return "N/A"
    return ",".join(str(_node_id(n)) for n in v)


def _leader_id(p) -> int | None:
    leader = getattr(p, "leader", None)
    if leader is None:
        return None
    lid = _node_id(leader)
    return None if lid < 0 else lid


def _min_isr(entries: list) -> int:
    for e in entries:
        if e.name == "min.insync.replicas":
            try:
                return int(e.value)
            except (TypeError, ValueError):
                break
    return 1

COMMAND = TopicCommand
