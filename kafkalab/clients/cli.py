"""``kafka-topics.sh``, ``kafka-configs.sh`` and ``kafka-consumer-groups.sh`` against a simulated cluster,
printing what Kafka 4.x prints.

A learner pastes a command line from the interview guide; :func:`run_cli` parses it like a shell,
runs the tool's logic against an ``AdminClient`` (confluent-kafka's API) and returns the terminal
text with the exit code::

    >>> r = run_cli("kafka-topics.sh --bootstrap-server kafka-1:9092 --create --topic clickstream "
    ...             "--partitions 20 --replication-factor 3", admin_factory)      # doctest: +SKIP
    >>> print(r)                                                                   # doctest: +SKIP
    Created topic clickstream.

The behaviour follows the Java tools in ``apache/kafka`` (4.x trunk, commit ``1208b168``):
``tools/src/main/java/org/apache/kafka/tools/TopicCommand.java`` and
``tools/src/main/java/org/apache/kafka/tools/ConfigCommand.java`` (and, for :class:`ConsumerGroupCommand`,
``tools/.../consumer/group/ConsumerGroupCommand.java``, ``ConsumerGroupCommandOptions.java`` and
``tools/.../GroupOffsetsResetter.java``); option parsing and help tables
follow jopt-simple 5.0.4 (``OptionParser``, ``BuiltinHelpFormatter``, ``internal/Columns``,
``internal/Rows``) as Kafka configures it (``CommandDefaultOptions``: no abbreviations).  Notable
4.x behaviour:

* ``kafka-topics.sh --alter --config k=v`` is rejected before anything is sent:
  ``Option combination "[[bootstrap-server], [config]]" can't be used with option "[alter]" (To
  alter topic configurations, the kafka-configs tool can be used.)`` then the usage table, exit 1
  (``TopicCommandOptions.checkRequiredArgs``).  Use ``kafka-configs.sh --alter --add-config``.
* ``--describe`` prints ``Elr:`` / ``LastKnownElr:`` for every partition (KIP-966).  A 4.x admin
  client reads them with ``DescribeTopicPartitions``, which always returns lists, so with ELR
  disabled they print empty (``Elr: \\tLastKnownElr: ``); ``N/A`` only appears for a ``null`` list.

Messages that Kafka sends to its log (``LOG.error``) go to stderr without the log timestamp, and
Java stack frames (``\\tat ...``) are left out, so the output is deterministic.
"""
from __future__ import annotations

import itertools
import re
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar

from ..errors import SPECS, KafkaException

KAFKA_VERSION = "4.1.0"  # what ``--version`` prints (AppInfoParser.getVersion())

__all__ = ["TOOLS", "TOPIC_CONFIG_NAMES", "CliResult", "format_help", "run_cli"]


# ---------------------------------------------------------------------------------------------
# The result object


@dataclass
class CliResult:
    """What the terminal showed: ``stdout``, ``stderr`` and the process exit code.

    ``str(result)`` is ``stdout + stderr``; a notebook cell ending in ``cluster.cli(...)`` shows
    that text, not a dataclass repr.
    """

    stdout: str
    stderr: str
    exit_code: int

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def __str__(self) -> str:
        return self.stdout + self.stderr

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, p, cycle) -> None:  # IPython
        p.text(str(self))


class _Exit(Exception):
    """``Exit.exit(code)`` in the Java tools: stop the command with this exit code."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


class _Term:
    """The two output streams of the process."""

    def __init__(self):
        self.out: list[str] = []
        self.err: list[str] = []

    def println(self, s: str = "") -> None:  # System.out.println
        self.out.append(s + "\n")

    def eprintln(self, s: str = "") -> None:  # System.err.println
        self.err.append(s + "\n")


# ---------------------------------------------------------------------------------------------
# Java exceptions, as the tools print them


class JavaException(Exception):
    """A Java exception thrown inside a tool: ``java_class`` is the fully qualified class name.

    ``api`` marks Kafka ``ApiException`` subclasses, whose stack trace is empty (they override
    ``fillInStackTrace``); every other exception prints frames, which we leave out.
    """

    def __init__(self, java_class: str, message: str, api: bool = False):
        super().__init__(message)
        self.java_class = java_class
        self.message = message
        self.api = api

    def first_line(self) -> str:  # Throwable.toString()
        return f"{self.java_class}: {self.message}" if self.message is not None else self.java_class


def _iae(message: str) -> JavaException:
    return JavaException("java.lang.IllegalArgumentException", message)


def _kafka_error_exception(exc: BaseException) -> JavaException:
    """The Java exception a confluent-kafka ``KafkaException`` stands for (by its error code)."""
    err = exc.args[0] if exc.args else None
    code = err.code() if hasattr(err, "code") else -1
    message = err.str() if hasattr(err, "str") else str(exc)
    spec = SPECS.get(code)
    name = spec.exception if spec else ""
    if name == "ConfigException":
        return JavaException("org.apache.kafka.common.config.ConfigException", message)
    if not name:
        # librdkafka-local errors have no Java class; the Java admin client's equivalent.
        name = {-185: "TimeoutException", -192: "TimeoutException", -195: "NetworkException",
                -187: "TimeoutException", -188: "UnknownTopicOrPartitionException",
                -186: "InvalidRequestException"}.get(code, "")
        if not name:
            return JavaException("org.apache.kafka.common.KafkaException", message)
    return JavaException(f"org.apache.kafka.common.errors.{name}", message, api=True)


def _result(future):
    """``future.get()``: unwraps a failed admin future into the Java exception it stands for."""
    try:
        return future.result()
    except KafkaException as e:
        raise _kafka_error_exception(e) from None


# ---------------------------------------------------------------------------------------------
# Java collections whose iteration order shows in the output


def _java_string_hash(s: str) -> int:
    """``String.hashCode()`` (over UTF-16 code units), as an unsigned 32-bit int."""
    h = 0
    data = s.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return h


def _spread(h: int) -> int:
    """``HashMap.hash()``: ``h ^ (h >>> 16)`` (Scala 2.13's ``improveHash`` is the same)."""
    return (h ^ (h >> 16)) & 0xFFFFFFFF


def _signed(x: int) -> int:
    return x - (1 << 32) if x & 0x80000000 else x


def _table_size_for(c: int) -> int:
    n = 1
    while n < c:
        n <<= 1
    return n


class _JavaHashMap:
    """Iteration order of ``java.util.HashMap`` (JDK 21): buckets in index order, each in insertion order.

    Only keys are kept.  ``hash_of`` gives ``hashCode()`` (unsigned 32 bits).
    """

    def __init__(self, initial_capacity: int | None = None, hash_of: Callable = _java_string_hash):
        self._hash_of = hash_of
        self._table: list[list] | None = None
        self._size = 0
        self._threshold = _table_size_for(initial_capacity) if initial_capacity is not None else 0

    @classmethod
    def copy_of(cls, other: _JavaHashMap) -> _JavaHashMap:
        """``new HashMap<>(m)``: sized with ``ceil(s / 0.75)`` (JDK 19+), then filled in m's order."""
        m = cls(hash_of=other._hash_of)
        s = other._size
        if s > 0:
            t = -(-s * 4 // 3)
            if t > m._threshold:
                m._threshold = _table_size_for(t)
        for k in other:
            m.put(k)
        return m

    def _resize(self) -> None:
        old_cap = len(self._table) if self._table else 0
        old_thr = self._threshold
        new_thr = 0
        if old_cap > 0:
            new_cap = old_cap * 2
            if old_cap >= 16:
                new_thr = old_thr * 2
        elif old_thr > 0:
            new_cap = old_thr
        else:
            new_cap, new_thr = 16, 12
        if new_thr == 0:
            new_thr = int(new_cap * 0.75)
        self._threshold = new_thr
        table: list[list] = [[] for _ in range(new_cap)]
        for bucket in self._table or []:
            for k in bucket:  # split into lo/hi keeps relative order
                table[_spread(self._hash_of(k)) & (new_cap - 1)].append(k)
        self._table = table

    def put(self, key) -> None:
        if not self._table:
            self._resize()
        bucket = self._table[_spread(self._hash_of(key)) & (len(self._table) - 1)]
        if key in bucket:
            return
        bucket.append(key)
        self._size += 1
        if self._size > self._threshold:
            self._resize()

    def __iter__(self):
        for bucket in self._table or []:
            yield from bucket

    def __len__(self) -> int:
        return self._size


def _hashmap_order(keys: Iterable, initial_capacity: int | None = None,
                   hash_of: Callable = _java_string_hash) -> list:
    m = _JavaHashMap(initial_capacity, hash_of)
    for k in keys:
        m.put(k)
    return list(m)


def _describe_topics_order(names: list[str]) -> list[str]:
    """Order in which ``kafka-topics.sh --describe`` prints several topics.

    ``TopicCommand`` sorts the names, but ``KafkaAdminClient.describeTopics`` keys its futures by a
    ``HashMap(n)``, copies it (``new HashMap<>(m)``) into the result, and
    ``DescribeTopicsResult.allTopicNames()`` collects into another ``HashMap(n)``: the printed order
    is that map's iteration order, e.g. ``sensor.alerts`` before ``sensor.readings``.
    """
    if not names:
        return []
    first = _JavaHashMap(len(names))
    for n in names:
        first.put(n)
    copy = _JavaHashMap.copy_of(first)
    return _hashmap_order(list(copy), initial_capacity=len(copy))


def _config_entries_order(names: Iterable[str]) -> list[str]:
    """Order of ``Config.entries()`` for a topic, as ``kafka-topics.sh --describe`` joins them.

    The broker builds the DescribeConfigs entries from a Scala ``mutable.HashMap`` and the admin
    client's ``Config`` puts them in a ``java.util.HashMap``; with a topic's ~33 configs both tables
    have 64 buckets.  So: by bucket (``hash & 63``), then by Scala's in-bucket order (the spread hash
    as a signed int).  Real output: ``min.insync.replicas=3,cleanup.policy=delete,
    segment.bytes=1073741824,retention.ms=2592000000,unclean.leader.election.enable=false``.
    """
    # Simplification: assumes the broker returns 24..47 entries (64-bucket tables), true for topics.
    def key(n: str):
        s = _spread(_java_string_hash(n))
        return (s & 63, _signed(s))
    return sorted(names, key=key)


def _option_spec_hash(name: str) -> int:
    """``AbstractOptionSpec.hashCode()`` = ``options().hashCode()`` of a one-name ``List<String>``."""
    return (31 + _java_string_hash(name)) & 0xFFFFFFFF


# ---------------------------------------------------------------------------------------------
# jopt-simple: options, parsing, help


@dataclass(frozen=True)
class _Opt:
    """One option as ``parser.accepts(name, description)`` declares it."""

    name: str
    description: str
    arg: str | None = None  # None: takes no argument; else ``describedAs`` ("" when not given)
    type: str = "String"  # ofType(...): "String" or "Integer"
    separator: str | None = None  # withValuesSeparatedBy(...)


class _Options:
    """An ``OptionSet``: which options were given, with their raw arguments, in command-line order."""

    def __init__(self, specs: dict[str, _Opt]):
        self.specs = specs
        self.values: dict[str, list[str]] = {}
        self.order: list[str] = []  # option names in detection order (OptionSet.specs())
        self.non_options: list[str] = []

    def add(self, name: str, value: str | None) -> None:
        self.values.setdefault(name, [])
        self.order.append(name)
        if value is not None:
            spec = self.specs[name]
            if spec.separator and value:
                self.values[name].extend(v for v in value.split(spec.separator) if v != "")
            else:
                self.values[name].append(value)

    def has(self, name: str) -> bool:
        return name in self.values

    def values_of(self, name: str) -> list:
        spec = self.specs[name]
        raw = self.values.get(name, [])
        if spec.type == "Integer":
            return [_parse_java_int(v, name) for v in raw]
        return list(raw)

    def value_of(self, name: str):
        vals = self.values_of(name)
        if len(vals) > 1:
            raise JavaException("joptsimple.MultipleArgumentsForOptionException",
                                f"Found multiple arguments for option {name}, but you asked for only one")
        return vals[0] if vals else None


def _parse_java_int(s: str, option: str) -> int:
    """``Integer.valueOf`` through jopt-simple's converter."""
    if re.fullmatch(r"[+-]?[0-9]+", s) and -(1 << 31) <= int(s) <= (1 << 31) - 1:
        return int(s)
    raise JavaException("joptsimple.OptionArgumentConversionException",
                        f"Cannot parse argument '{s}' of option {option}")


def _parse_options(args: list[str], specs: dict[str, _Opt]) -> _Options:
    """``OptionParser.parse`` (jopt-simple 5.0.4, abbreviations off as in ``CommandDefaultOptions``).

    ``--name value``, ``--name=value`` and ``-name value`` work; a required argument takes the next
    word whatever it looks like; other words are non-option arguments and are ignored.
    """
    opts = _Options(specs)
    i = 0
    no_more = False
    while i < len(args):
        tok = args[i]
        i += 1
        if no_more:
            opts.non_options.append(tok)
            continue
        if tok == "--":
            no_more = True
            continue
        if tok.startswith("-") and tok != "-":
            body = tok[2:] if tok.startswith("--") else tok[1:]
            key, eq, val = body.partition("=")
            value = val if eq else None
            if key not in specs:
                if tok.startswith("--"):
                    raise JavaException("joptsimple.UnrecognizedOptionException",
                                        f"{key} is not a recognized option")
                # a short-option cluster: no tool here has one-letter options
                raise JavaException("joptsimple.UnrecognizedOptionException",
                                    f"{body[:1]} is not a recognized option")
            spec = specs[key]
            if spec.arg is not None and value is None:
                if i >= len(args):
                    raise JavaException("joptsimple.OptionMissingRequiredArgumentException",
                                        f"Option {key} requires an argument")
                value = args[i]
                i += 1
            opts.add(key, value if spec.arg is not None else None)
            continue
        opts.non_options.append(tok)
    return opts


def _break_chunks(line: str) -> list[str]:
    """Pieces between line-break opportunities, like ``BreakIterator.getLineInstance()``.

    A break may follow a run of spaces, a run of hyphens before a letter (``--`` | ``create``,
    ``partition-`` | ``to``) and a ``.`` or ``,`` before a letter (``e.`` | ``g.``,
    ``throttled.`` | ``replicas``).
    """
    # Simplification: an approximation of the JDK's line-break rules, checked against Kafka's help.
    if not line:
        return []
    cuts = [0]
    for i in range(1, len(line)):
        prev, cur = line[i - 1], line[i]
        if (prev in " \t" and cur not in " \t") or \
                (prev == "-" and cur.isascii() and cur.isalpha()) or \
                (prev in ".," and cur.isascii() and cur.isalpha()):
            cuts.append(i)
    cuts.append(len(line))
    return [line[a:b] for a, b in itertools.pairwise(cuts)]


def _pieces(raw: str, width: int) -> list[str]:
    """``Columns.piecesOf``: wrap each embedded line; continuation pieces are indented by 2."""
    pieces: list[str] = []
    lines = raw.strip().split("\n")
    while lines and lines[-1] == "":  # String.split drops trailing empty strings
        lines.pop()
    for line in lines:
        cur = ""
        for word in _break_chunks(line):
            if len(cur) + len(word) > width:
                pieces.append(cur.rstrip(" \t\n\x0b\f\r"))
                cur = "  " + word
            else:
                cur += word
        if cur:
            pieces.append(cur)
    return pieces


def _option_display(o: _Opt) -> str:
    s = "--" + o.name if len(o.name) > 1 else "-" + o.name
    if o.arg is not None:
        s += " <" + o.type + (": " + o.arg if o.arg else "") + ">"
    return s


def format_help(options: Iterable[_Opt], width: int = 80, separator: int = 2) -> str:
    """``parser.printHelpOn(...)``: jopt-simple's ``BuiltinHelpFormatter(80, 2)`` table.

    Options sorted by name; the option and description columns each get at most half the width;
    every row is padded to the column widths (so lines carry trailing spaces, as in a terminal).
    """
    rows = [("Option", "Description"), ("------", "-----------")]
    rows += [(_option_display(o), o.description) for o in sorted(options, key=lambda o: o.name)]

    def widths(rs):
        ow = min((width - separator) // 2, max(len(r[0]) for r in rs))
        dw = min(width - ow - separator, max(len(r[1]) for r in rs))
        return ow, dw

    ow, dw = widths(rows)
    fitted: list[tuple[str, str]] = []
    for opt, desc in rows:
        a, b = _pieces(opt, ow), _pieces(desc, dw)
        for k in range(max(len(a), len(b))):
            fitted.append((a[k] if k < len(a) else "", b[k] if k < len(b) else ""))
    ow, dw = widths(fitted)
    return "".join(o.ljust(ow) + " " * separator + d.ljust(dw) + "\n" for o, d in fitted)


# ---------------------------------------------------------------------------------------------
# Topic configs (LogConfig) that the tools list and check


# LogConfig.nonInternalConfigNames() (Kafka 4.0/4.1), sorted as the help prints them.
TOPIC_CONFIG_NAMES = [
    "cleanup.policy", "compression.gzip.level", "compression.lz4.level", "compression.type",
    "compression.zstd.level", "delete.retention.ms", "file.delete.delay.ms", "flush.messages",
    "flush.ms", "follower.replication.throttled.replicas", "index.interval.bytes",
    "leader.replication.throttled.replicas", "local.retention.bytes", "local.retention.ms",
    "max.compaction.lag.ms", "max.message.bytes", "message.timestamp.after.max.ms",
    "message.timestamp.before.max.ms", "message.timestamp.type", "min.cleanable.dirty.ratio",
    "min.compaction.lag.ms", "min.insync.replicas", "preallocate", "remote.log.copy.disable",
    "remote.log.delete.on.disable", "remote.storage.enable", "retention.bytes", "retention.ms",
    "segment.bytes", "segment.index.bytes", "segment.jitter.ms", "segment.ms",
    "unclean.leader.election.enable",
]

# ConfigDef types, for the client-side check TopicCommand does (LogConfig.validate -> CONFIG.parse).
_TOPIC_CONFIG_TYPES = {
    "compression.gzip.level": "INT", "compression.lz4.level": "INT", "compression.zstd.level": "INT",
    "delete.retention.ms": "LONG", "file.delete.delay.ms": "LONG", "flush.messages": "LONG",
    "flush.ms": "LONG", "index.interval.bytes": "INT", "local.retention.bytes": "LONG",
    "local.retention.ms": "LONG", "max.compaction.lag.ms": "LONG", "max.message.bytes": "INT",
    "message.timestamp.after.max.ms": "LONG", "message.timestamp.before.max.ms": "LONG",
    "min.cleanable.dirty.ratio": "DOUBLE", "min.compaction.lag.ms": "LONG",
    "min.insync.replicas": "INT", "preallocate": "BOOLEAN", "remote.log.copy.disable": "BOOLEAN",
    "remote.log.delete.on.disable": "BOOLEAN", "remote.storage.enable": "BOOLEAN",
    "retention.bytes": "LONG", "retention.ms": "LONG", "segment.bytes": "INT",
    "segment.index.bytes": "INT", "segment.jitter.ms": "LONG", "segment.ms": "LONG",
    "unclean.leader.election.enable": "BOOLEAN",
}


def _check_topic_config_value(name: str, value: str) -> None:
    """``ConfigDef.parseType``: a value that does not parse as the config's type is rejected."""
    # Simplification: types only; range and enum validators are left to the broker.
    kind = _TOPIC_CONFIG_TYPES.get(name)
    bad = None
    v = value.strip()
    if kind in ("INT", "LONG"):
        bits = 31 if kind == "INT" else 63
        if not (re.fullmatch(r"[+-]?[0-9]+", v) and -(1 << bits) <= int(v) <= (1 << bits) - 1):
            bad = f"Not a number of type {kind}"
    elif kind == "DOUBLE":
        try:
            float(v)
        except ValueError:
            bad = "Not a number of type DOUBLE"
    elif kind == "BOOLEAN" and v.lower() not in ("true", "false"):
        bad = "Expected value to be either true or false"
    if bad:
        raise JavaException("org.apache.kafka.common.config.ConfigException",
                            f"Invalid value {value} for configuration {name}: {bad}")


_INTERNAL_TOPICS = {"__consumer_offsets", "__transaction_state", "__share_group_state"}  # Topic.isInternal

_TOPIC_LEGAL = re.compile(r"[a-zA-Z0-9._-]*")


def _validate_topic_name(name: str) -> None:
    """``Topic.validate``: throws ``InvalidTopicException`` with Kafka's reason."""
    reason = None
    if name == "":
        reason = "the empty string is not allowed"
    elif name == ".":
        reason = "'.' is not allowed"
    elif name == "..":
        reason = "'..' is not allowed"
    elif len(name) > 249:
        reason = f"the length of '{name}' is longer than the max allowed length 249"
    elif not _TOPIC_LEGAL.fullmatch(name):
        reason = f"'{name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"
    if reason:
        raise JavaException("org.apache.kafka.common.errors.InvalidTopicException",
                            f"Topic name is invalid: {reason}", api=True)


# ---------------------------------------------------------------------------------------------
# The admin client API (confluent-kafka's classes, from the admin's own module)


class _Api:
    """confluent-kafka's request classes (``NewTopic``, ``ConfigResource``, ...), from
    ``kafkalab.clients.admin``: the real admin and a test's fake admin both take these."""

    def __init__(self, admin=None):
        from . import admin as real

        self._module = real

    def get(self, name: str):
        return getattr(self._module, name, None)

    def topic_resource(self, name: str, **kw):
        m = self._module
        return m.ConfigResource(m.ResourceType.TOPIC, name, **kw)

    def topic_collection(self, names: list[str]):
        return self._module.TopicCollection(names)


def _enum_name(x) -> str:
    return getattr(x, "name", None) or str(x).rsplit(".", 1)[-1]


def _node_id(n) -> int:
    return n.id if hasattr(n, "id") else int(n)


def _list_topic_names(admin) -> list[str]:
    """``listTopics(listInternal=true).names()`` (unsorted set; callers sort when Kafka does)."""
    try:
        md = admin.list_topics(timeout=60)
    except KafkaException as e:
        raise _kafka_error_exception(e) from None
    return list(md.topics)


def _live_brokers(admin) -> set[int]:
    """``describeCluster().nodes()``: registered, unfenced brokers."""
    if hasattr(admin, "describe_cluster"):
        desc = _result(admin.describe_cluster())
        return {_node_id(n) for n in desc.nodes}
    md = admin.list_topics(timeout=60)
    return {int(b) for b in md.brokers}


def _describe_topic_configs(admin, api: _Api, names: list[str]) -> dict:
    """``describeConfigs`` for topics: ``{name: future}`` (the futures fail one by one)."""
    if not names:
        return {}
    futures = admin.describe_configs([api.topic_resource(n) for n in names])
    by_name = {}
    for res, fut in futures.items():
        by_name[getattr(res, "name", res)] = fut
    return by_name


def _config_entries(result) -> list:
    """A ``describe_configs`` result (``{name: ConfigEntry}``, or a list) as a list of entries."""
    if isinstance(result, dict):
        return list(result.values())
    return list(result)


def _is_default(entry) -> bool:
    d = getattr(entry, "is_default", None)
    if d is not None:
        return bool(d)
    return _enum_name(getattr(entry, "source", "")) == "DEFAULT_CONFIG"


def _java_str(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


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


def _specs(options: list[_Opt]) -> dict[str, _Opt]:
    return {o.name: o for o in options}


class _Tool:
    """Shared plumbing of a jopt-simple based Kafka tool."""

    options: ClassVar[list[_Opt]] = []

    def __init__(self, args: list[str], admin_factory: Callable, term: _Term):
        self.args = args
        self.admin_factory = admin_factory
        self.term = term
        self.specs = _specs(self.options)
        self.opts: _Options | None = None

    def usage_exit(self, message: str) -> None:
        """``CommandLineUtils.printUsageAndExit``: message and help table on stderr, exit 1."""
        self.term.eprintln(message)
        self.term.err.append(format_help(self.options))
        raise _Exit(1)

    def check_required(self, *names: str) -> None:
        for n in names:
            if not self.opts.has(n):
                self.usage_exit(f'Missing required argument "[{n}]"')

    def check_invalid(self, used: str, invalid: Iterable[str]) -> None:
        if self.opts.has(used):
            for n in invalid:
                if self.opts.has(n):
                    self.usage_exit(f'Option "[{used}]" can\'t be used with option "[{n}]"')

    def create_admin(self):
        return self.admin_factory(self.opts.value_of("bootstrap-server"))


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


# ---------------------------------------------------------------------------------------------
# kafka-configs.sh  (ConfigCommand)


def _config_list(names: Iterable[str]) -> str:
    """``formatConfigNames``: sorted, one per line with a tab, newline before and after."""
    return "\n" + "\n".join("\t" + n for n in sorted(names)) + "\n"


# Config names listed in kafka-configs' help (Kafka 4.0: DynamicConfig.Broker.names(), QuotaConfig,
# ClientMetricsConfigs, GroupConfig).
_BROKER_DYNAMIC_CONFIGS = [
    "background.threads", "compression.gzip.level", "compression.lz4.level", "compression.type",
    "compression.zstd.level", "follower.replication.throttled.rate", "leader.replication.throttled.rate",
    "listener.security.protocol.map", "listeners", "log.cleaner.backoff.ms", "log.cleaner.dedupe.buffer.size",
    "log.cleaner.delete.retention.ms", "log.cleaner.io.buffer.load.factor", "log.cleaner.io.buffer.size",
    "log.cleaner.io.max.bytes.per.second", "log.cleaner.max.compaction.lag.ms", "log.cleaner.min.cleanable.ratio",
    "log.cleaner.min.compaction.lag.ms", "log.cleaner.threads", "log.cleanup.policy", "log.flush.interval.messages",
    "log.flush.interval.ms", "log.index.interval.bytes", "log.index.size.max.bytes", "log.local.retention.bytes",
    "log.local.retention.ms", "log.message.timestamp.after.max.ms", "log.message.timestamp.before.max.ms",
    "log.message.timestamp.type", "log.preallocate", "log.retention.bytes", "log.retention.ms", "log.roll.jitter.ms",
    "log.roll.ms", "log.segment.bytes", "log.segment.delete.delay.ms", "max.connection.creation.rate",
    "max.connections", "max.connections.per.ip", "max.connections.per.ip.overrides", "message.max.bytes",
    "metric.reporters", "min.insync.replicas", "num.io.threads", "num.network.threads",
    "num.recovery.threads.per.data.dir", "num.replica.fetchers", "principal.builder.class",
    "producer.id.expiration.ms", "remote.fetch.max.wait.ms", "remote.list.offsets.request.timeout.ms",
    "remote.log.index.file.cache.total.size.bytes", "remote.log.manager.copier.thread.pool.size",
    "remote.log.manager.copy.max.bytes.per.second", "remote.log.manager.expiration.thread.pool.size",
    "remote.log.manager.fetch.max.bytes.per.second", "remote.log.reader.threads",
    "replica.alter.log.dirs.io.max.bytes.per.second", "sasl.enabled.mechanisms", "sasl.jaas.config",
    "sasl.kerberos.kinit.cmd", "sasl.kerberos.min.time.before.relogin", "sasl.kerberos.principal.to.local.rules",
    "sasl.kerberos.service.name", "sasl.kerberos.ticket.renew.jitter", "sasl.kerberos.ticket.renew.window.factor",
    "sasl.login.refresh.buffer.seconds", "sasl.login.refresh.min.period.seconds", "sasl.login.refresh.window.factor",
    "sasl.login.refresh.window.jitter", "sasl.mechanism.inter.broker.protocol", "ssl.cipher.suites", "ssl.client.auth",
    "ssl.enabled.protocols", "ssl.endpoint.identification.algorithm", "ssl.engine.factory.class", "ssl.key.password",
    "ssl.keymanager.algorithm", "ssl.keystore.certificate.chain", "ssl.keystore.key", "ssl.keystore.location",
    "ssl.keystore.password", "ssl.keystore.type", "ssl.protocol", "ssl.provider", "ssl.secure.random.implementation",
    "ssl.trustmanager.algorithm", "ssl.truststore.certificates", "ssl.truststore.location", "ssl.truststore.password",
    "ssl.truststore.type", "transaction.partition.verification.enable", "unclean.leader.election.enable",
]
_CLIENT_QUOTAS = ["consumer_byte_rate", "controller_mutation_rate", "producer_byte_rate", "request_percentage"]
_USER_CONFIGS = ["SCRAM-SHA-256", "SCRAM-SHA-512"] + _CLIENT_QUOTAS
_IP_CONFIGS = ["connection_creation_rate"]
_CLIENT_METRICS_CONFIGS = ["interval.ms", "match", "metrics"]
_GROUP_CONFIGS = ["consumer.heartbeat.interval.ms", "consumer.session.timeout.ms", "share.auto.offset.reset",
                  "share.heartbeat.interval.ms", "share.record.lock.duration.ms", "share.session.timeout.ms"]

CONFIG_OPTIONS: list[_Opt] = [
    _Opt("bootstrap-server", "The Kafka servers to connect to.", "server to connect to"),
    _Opt("bootstrap-controller", "The Kafka controllers to connect to.", "controller to connect to"),
    _Opt("command-config", "Property file containing configs to be passed to Admin Client. This is used only "
                           "with --bootstrap-server option for describing and altering broker configs.",
         "command config property file"),
    _Opt("alter", "Alter the configuration for the entity."),
    _Opt("describe", "List configs for the given entity."),
    _Opt("all", "List all configs for the given entity, including static configs if available."),
    _Opt("entity-type", "Type of entity (topics/clients/users/brokers/broker-loggers/ips/client-metrics/groups)",
         ""),
    _Opt("entity-name", "Name of entity (topic name/client id/user principal name/broker id/ip/client "
                        "metrics/group id)", ""),
    _Opt("entity-default", "Default entity name for clients/users/brokers/ips (applies to corresponding entity "
                           "type)"),
    _Opt("add-config", "Key Value pairs of configs to add. Square brackets can be used to group values which "
                       "contain commas: 'k1=v1,k2=[v1,v2,v2],k3=v3'. The following is a list of valid "
                       "configurations: "
                       "For entity-type 'topics': " + _config_list(TOPIC_CONFIG_NAMES)
                       + "For entity-type 'brokers': " + _config_list(_BROKER_DYNAMIC_CONFIGS)
                       + "For entity-type 'users': " + _config_list(_USER_CONFIGS)
                       + "For entity-type 'clients': " + _config_list(_CLIENT_QUOTAS)
                       + "For entity-type 'ips': " + _config_list(_IP_CONFIGS)
                       + "For entity-type 'client-metrics': " + _config_list(_CLIENT_METRICS_CONFIGS)
                       + "For entity-type 'groups': " + _config_list(_GROUP_CONFIGS)
                       + "Entity types 'users' and 'clients' may be specified together to update config for clients "
                         "of a specific user.", ""),
    _Opt("add-config-file", "Path to a properties file with configs to add. See add-config for a list of valid "
                            "configurations.", ""),
    _Opt("delete-config", "config keys to remove 'k1,k2'", "", separator=","),
    _Opt("topic", "The topic's name.", ""),
    _Opt("client", "The client's ID.", ""),
    _Opt("client-defaults", "The config defaults for all clients."),
    _Opt("user", "The user's principal name.", ""),
    _Opt("user-defaults", "The config defaults for all users."),
    _Opt("broker", "The broker's ID.", ""),
    _Opt("broker-defaults", "The config defaults for all brokers."),
    _Opt("broker-logger", "The broker's ID for its logger config.", ""),
    _Opt("ip-defaults", "The config defaults for all IPs."),
    _Opt("ip", "The IP address.", ""),
    _Opt("group", "The group's ID.", ""),
    _Opt("client-metrics", "The client metrics config resource name.", ""),
    _Opt("help", "Print usage information."),
    _Opt("version", "Display Kafka version."),
]

# BROKER_SUPPORTED_CONFIG_TYPES: broker-loggers, then ConfigType.values()
_CONFIG_TYPES = ["broker-loggers", "topics", "clients", "users", "brokers", "ips", "client-metrics", "groups"]
_ENTITY_FLAGS = [("topic", "topics"), ("client", "clients"), ("user", "users"), ("broker", "brokers"),
                 ("broker-logger", "broker-loggers"), ("ip", "ips"), ("client-metrics", "client-metrics"),
                 ("group", "groups")]
_ENTITY_DEFAULT_FLAGS = [("client-defaults", "clients"), ("user-defaults", "users"),
                         ("broker-defaults", "brokers"), ("ip-defaults", "ips")]


class ConfigCommand(_Tool):
    """``kafka-configs.sh`` for topics: describe and alter dynamic topic configs (``ConfigCommand.java``)."""

    options = CONFIG_OPTIONS

    def main(self) -> int:
        try:
            self.opts = _parse_options(self.args, self.specs)
            if not self.args or self.opts.has("help"):
                self.usage_exit("This tool helps to manipulate and describe entity config for a topic, client, user, "
                                "broker, ip, client-metrics or group")
            if self.opts.has("version"):
                self.term.println(KAFKA_VERSION)
                return 0
            self.check_args()
            self.process_command()
        except JavaException as e:
            if e.java_class in ("java.lang.IllegalArgumentException",
                                "org.apache.kafka.common.errors.InvalidConfigurationException",
                                "org.apache.kafka.common.errors.UnsupportedVersionException") \
                    or e.java_class.startswith("joptsimple."):
                self.term.eprintln(e.message)
            else:
                self.print_error(e)
            return 1
        return 0

    def print_error(self, e: JavaException) -> None:
        """The catch-all: the command line, then ``printStackTrace`` (frames left out)."""
        self.term.eprintln(f"Error while executing config command with args '{' '.join(self.args)}'")
        self.term.eprintln(e.first_line())
        if isinstance(e, _ExecutionException):
            self.term.eprintln(f"Caused by: {e.cause.first_line()}")

    def topic_names(self) -> list[str]:
        """``listTopics(listInternal=true).names().get()``: a failure is an ``ExecutionException``."""
        try:
            return _list_topic_names(self.admin)
        except JavaException as e:
            raise _ExecutionException(e) from None

    # -- ConfigCommandOptions ------------------------------------------------------------------
    def entity_types(self) -> list[str]:
        o = self.opts
        types = list(o.values_of("entity-type"))
        types += [t for flag, t in _ENTITY_FLAGS + _ENTITY_DEFAULT_FLAGS if o.has(flag)]
        return types

    def entity_names(self) -> list[str]:
        o = self.opts
        names_iter = iter(o.values_of("entity-name"))
        from_specs = []
        for name in (n for n in o.order if n in ("entity-name", "entity-default")):  # OptionSet.specs()
            if name == "entity-name":
                from_specs.append(next(names_iter, ""))
            else:
                from_specs.append("")
        from_flags = [o.value_of(flag) for flag, _ in _ENTITY_FLAGS if o.has(flag)]
        from_defaults = ["" for flag, _ in _ENTITY_DEFAULT_FLAGS if o.has(flag)]
        return from_specs + from_flags + from_defaults

    def check_args(self) -> None:
        o = self.opts
        if sum(o.has(a) for a in ("alter", "describe")) != 1:
            self.usage_exit("Command must include exactly one action: --describe, --alter")
        self.check_invalid("alter", ["describe"])
        self.check_invalid("describe", ["alter", "add-config", "delete-config"])
        types = self.entity_types()
        dups = [t for i, t in enumerate(types) if t in types[:i]]
        if dups:
            raise _iae("Duplicate entity type(s) specified: " + ",".join(dict.fromkeys(dups)))
        if not (o.has("bootstrap-server") or o.has("bootstrap-controller")):
            raise _iae("Either --bootstrap-server or --bootstrap-controller must be specified.")
        for t in types:
            if t not in _CONFIG_TYPES:
                raise _iae(f"Invalid entity type {t}, the entity type must be one of {', '.join(_CONFIG_TYPES)} "
                           "with a --bootstrap-server or --bootstrap-controller argument")
        if not types:
            raise _iae("At least one entity type must be specified")
        if len(types) > 1 and set(types) != {"users", "clients"}:
            raise _iae("Only 'users' and 'clients' entity types may be specified together")
        if (o.has("entity-name") or o.has("entity-type") or o.has("entity-default")) and \
                any(o.has(f) for f, _ in _ENTITY_FLAGS + _ENTITY_DEFAULT_FLAGS):
            raise _iae("--entity-{type,name,default} should not be used in conjunction with specific entity flags")
        names = self.entity_names()
        has_name = any(n != "" for n in names)
        has_default = any(n == "" for n in names)
        if o.has("bootstrap-server") and o.has("bootstrap-controller"):
            raise _iae("Only one of --bootstrap-server or --bootstrap-controller can be specified")
        if has_name and ("brokers" in types or "broker-loggers" in types):
            for flag in ("entity-name", "broker", "broker-logger"):
                if o.has(flag):
                    v = o.value_of(flag)
                    if not re.fullmatch(r"[+-]?[0-9]+", v):
                        raise _iae(f"The entity name for {types[0]} must be a valid integer broker id, but it is: {v}")
        if o.has("describe"):
            if not ({"users", "clients", "brokers", "ips"} & set(types)) and o.has("entity-default"):
                raise _iae("--entity-default must not be specified with --describe of " + ",".join(types))
            if "broker-loggers" in types and not has_name:
                raise _iae("An entity name must be specified with --describe of " + ",".join(types))
        if o.has("alter"):
            if {"users", "clients", "brokers", "ips"} & set(types):
                if not has_name and not has_default:
                    raise _iae("An entity-name or default entity must be specified with --alter of users, clients, "
                               "brokers or ips")
            elif not has_name:
                raise _iae("An entity name must be specified with --alter of " + ",".join(types))
            if o.has("add-config") and o.has("add-config-file"):
                raise _iae("Only one of --add-config or --add-config-file must be specified")
            if not (o.has("add-config") or o.has("add-config-file") or o.has("delete-config")):
                raise _iae("At least one of --add-config, --add-config-file, or --delete-config must be specified "
                           "with --alter")

    # -- processCommand ------------------------------------------------------------------------
    def process_command(self) -> None:
        o = self.opts
        if o.has("alter") and len(self.entity_types()) != len(self.entity_names()):
            raise _iae("An entity name must be specified for every entity type")
        if o.has("bootstrap-controller"):
            raise JavaException("org.apache.kafka.common.errors.UnsupportedVersionException",
                                "kafkalab: --bootstrap-controller is not simulated; use --bootstrap-server")
        entity_type = self.entity_types()[0]
        if entity_type != "topics":
            # Simplification: only topic configs are simulated.
            raise JavaException("org.apache.kafka.common.errors.UnsupportedVersionException",
                                f"kafkalab: kafka-configs.sh --entity-type {entity_type} is not simulated; "
                                "only topics are")
        try:
            self.admin = self.create_admin()
        except KafkaException as e:
            raise _kafka_error_exception(e) from None
        self.api = _Api(self.admin)
        if o.has("alter"):
            self.alter_config()
        else:
            self.describe_config()

    def parse_configs_to_be_added(self) -> dict[str, str]:
        """``--add-config 'k1=v1,k2=[v1,v2]'``: split on commas outside ``[...]``, drop the brackets."""
        o = self.opts
        props: dict[str, str] = {}
        if o.has("add-config-file"):
            # Simplification: there are no files in the simulator.
            path = o.value_of("add-config-file")
            raise JavaException("java.nio.file.NoSuchFileException", path)
        if o.has("add-config"):
            lookahead = r"(?=[^\]]*(?:\[|$))"
            items = re.split("," + lookahead, o.value_of("add-config"))
            while len(items) > 1 and items[-1] == "":  # String.split drops trailing empty strings
                items.pop()
            pairs = [re.split(r"\s*=\s*" + lookahead, s) for s in items]
            if any(len(p) != 2 for p in pairs):
                raise _iae('Invalid entity config: all configs to be added must be in the format "key=val" or  '
                           '"key=[val1,val2]" to group values which contain commas.')
            for k, v in pairs:
                props[k.strip()] = re.sub(r"\[?\]?", "", v).strip()
        for k in props:
            if not re.fullmatch(r"[$a-zA-Z0-9._-]*", k):
                raise _iae("Invalid character found for config key: " + k)
        return props

    def resource_configs(self, name: str, describe_all: bool) -> list:
        """``getResourceConfig``: entries sorted by name, only ``DYNAMIC_TOPIC_CONFIG`` unless ``--all``."""
        if name:
            _validate_topic_name(name)
        futures = _describe_topic_configs(self.admin, self.api, [name])
        try:
            result = futures[name].result()
        except KafkaException as e:
            cause = _kafka_error_exception(e)
            raise _ExecutionException(cause) from None
        entries = _config_entries(result)
        if not describe_all:
            entries = [e for e in entries if _enum_name(getattr(e, "source", "")) == "DYNAMIC_TOPIC_CONFIG"]
        return sorted(entries, key=lambda e: e.name)

    def describe_config(self) -> None:
        o = self.opts
        describe_all = o.has("all")
        names = self.entity_names()
        name = names[0] if names else None
        if not describe_all and name is not None:
            _validate_topic_name(name)
            if name not in self.topic_names():
                self.term.println(f"The topic '{name}' doesn't exist and doesn't have dynamic config.")
                return
        if name is not None:
            entities = [name]
        else:
            # HashMap-keyed names from listTopics (insertion order approximated by sorting)
            entities = _hashmap_order(sorted(self.topic_names()))
        for entity in entities:
            self.term.println(f"{'All' if describe_all else 'Dynamic'} configs for topic {entity} are:")
            for e in self.resource_configs(entity, describe_all):
                syn = ", ".join(f"{_enum_name(s.source)}:{s.name}={_java_str(s.value)}"
                                for s in _synonyms(e))
                self.term.println(f"  {e.name}={_java_str(e.value)} sensitive={_java_str(bool(e.is_sensitive))} "
                                  f"synonyms={{{syn}}}")

    def alter_config(self) -> None:
        name = self.entity_names()[0]
        to_add = self.parse_configs_to_be_added()
        to_delete = [v.strip() for v in self.opts.values_of("delete-config")]
        old = {e.name for e in self.resource_configs(name, describe_all=False)}
        invalid = [c for c in to_delete if c not in old]
        if invalid:
            raise JavaException("org.apache.kafka.common.errors.InvalidConfigurationException",
                                "Invalid config(s): " + ",".join(invalid), api=True)
        ConfigEntry, OpType = self.api.get("ConfigEntry"), self.api.get("AlterConfigOpType")
        ops = [ConfigEntry(k, "", incremental_operation=OpType.DELETE) for k in to_delete]
        ops += [ConfigEntry(k, v, incremental_operation=OpType.SET) for k, v in to_add.items()]
        resource = self.api.topic_resource(name, incremental_configs=ops)
        futures = self.admin.incremental_alter_configs([resource])
        for fut in futures.values():
            try:
                fut.result()
            except KafkaException as e:
                raise _ExecutionException(_kafka_error_exception(e)) from None
        self.term.println(f"Completed updating config for topic {name}.")


class _ExecutionException(JavaException):
    """``java.util.concurrent.ExecutionException`` wrapping a failed admin future."""

    def __init__(self, cause: JavaException):
        super().__init__("java.util.concurrent.ExecutionException", cause.first_line())
        self.cause = cause


def _synonyms(entry) -> list:
    syn = getattr(entry, "synonyms", None) or []
    if isinstance(syn, dict):
        return list(syn.values())
    return list(syn)


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
    """``kafka-consumer-groups.sh``: list, describe, delete groups and reset their offsets (``ConsumerGroupCommand.java``).

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
        from .admin import OffsetSpec
        from .common import TopicPartition

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


# ---------------------------------------------------------------------------------------------
# The shell


TOOLS: dict[str, type[_Tool]] = {
    "kafka-topics.sh": TopicCommand, "kafka-topics": TopicCommand,
    "kafka-configs.sh": ConfigCommand, "kafka-configs": ConfigCommand,
    "kafka-consumer-groups.sh": ConsumerGroupCommand, "kafka-consumer-groups": ConsumerGroupCommand,
}


def _command_lines(command: str) -> list[list[str]]:
    """Shell words of each command: ``\\``-newline joins lines, ``#`` starts a comment."""
    text = re.sub(r"\\\r?\n", "", command)
    lines = []
    for line in text.splitlines():
        words = shlex.split(line, comments=True)
        if words:
            lines.append(words)
    return lines


def run_cli(command: str, admin_factory: Callable[[str], object]) -> CliResult:
    """Run Kafka command line(s) against the cluster behind ``admin_factory(bootstrap_servers)``.

    Kafka 4.x tools, exact texts (see the module docstring)::

        kafka-topics.sh --bootstrap-server kafka-1:9092 --create --topic clickstream \\
            --partitions 20 --replication-factor 3 --config min.insync.replicas=2
        -> "Created topic clickstream."

    Several lines run one after the other; the exit code is the last one's.  An unknown program
    gets the shell's ``bash: foo: command not found`` and exit code 127.
    """
    term = _Term()
    code = 0
    try:
        lines = _command_lines(command)
    except ValueError as e:  # unbalanced quotes
        return CliResult("", f"bash: syntax error: {e}\n", 2)
    for words in lines:
        prog, args = words[0], words[1:]
        tool = TOOLS.get(prog.rsplit("/", 1)[-1])
        if tool is None:
            if "/" in prog:
                term.eprintln(f"bash: {prog}: No such file or directory")
            else:
                term.eprintln(f"bash: {prog}: command not found")
            code = 127
            continue
        try:
            code = tool(args, admin_factory, term).main()
        except _Exit as e:
            code = e.code
    return CliResult("".join(term.out), "".join(term.err), code)
