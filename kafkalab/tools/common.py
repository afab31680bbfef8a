"""What Kafka's shell tools share here: shell words, jopt-simple options and help tables, Java texts.

A learner pastes a command line from the interview guide; :func:`run_cli` parses it like a shell,
finds the tool module named after the script (``kafka-topics.sh`` is :mod:`kafkalab.tools.kafka_topics`),
runs the tool's logic against an ``AdminClient`` (confluent-kafka's API) and returns the terminal
text with the exit code::

    >>> r = run_cli("kafka-topics.sh --bootstrap-server kafka-1:9092 --create --topic clickstream "
    ...             "--partitions 20 --replication-factor 3", admin_factory)      # doctest: +SKIP
    >>> print(r)                                                                   # doctest: +SKIP
    Created topic clickstream.

The tools follow the Java ones in ``apache/kafka`` (4.x trunk, commit ``1208b168``, under
``tools/src/main/java/org/apache/kafka/tools/``); option parsing and help tables follow jopt-simple
5.0.4 (``OptionParser``, ``BuiltinHelpFormatter``, ``internal/Columns``, ``internal/Rows``) as Kafka
configures it (``CommandDefaultOptions``: no abbreviations).

Messages that Kafka sends to its log (``LOG.error``) go to stderr without the log timestamp, and
Java stack frames (``\\tat ...``) are left out, so the output is deterministic.
"""
from __future__ import annotations

import importlib
import itertools
import re
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar

from ..errors import SPECS, KafkaException

KAFKA_VERSION = "4.1.0"  # what ``--version`` prints (AppInfoParser.getVersion())

__all__ = ["TOPIC_CONFIG_NAMES", "CliResult", "JavaException", "find_tool", "format_help", "run_cli",
           "tool_names"]


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
        from ..clients import admin as real

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
# The shell


def find_tool(prog: str) -> type[_Tool] | None:
    """The tool class behind a program name: ``kafka-topics.sh`` (or ``kafka-topics``, or a path
    ending in either) is ``COMMAND`` of :mod:`kafkalab.tools.kafka_topics`.  A new tool is a module
    of this package named after its script, nothing else to register."""
    name = prog.rsplit("/", 1)[-1].removesuffix(".sh")
    if not re.fullmatch(r"kafka(-[a-z]+)+", name):
        return None
    try:
        module = importlib.import_module(f"{__package__}.{name.replace('-', '_')}")
    except ModuleNotFoundError:
        return None
    return getattr(module, "COMMAND", None)


def tool_names() -> list[str]:
    """The scripts this package provides (``kafka-topics.sh``, ...), sorted."""
    import pkgutil

    from .. import tools
    return sorted(f"{m.name.replace('_', '-')}.sh" for m in pkgutil.iter_modules(tools.__path__)
                  if m.name.startswith("kafka_") and find_tool(m.name.replace("_", "-")) is not None)


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
        tool = find_tool(prog)
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
