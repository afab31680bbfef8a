"""``kafka-configs.sh`` (``ConfigCommand.java``) against a simulated cluster,
printing what Kafka 4.x prints."""
from __future__ import annotations

import re
from collections.abc import Iterable

from ..errors import KafkaException
from .common import (
    KAFKA_VERSION,
    TOPIC_CONFIG_NAMES,
    JavaException,
    _Api,
    _config_entries,
    _describe_topic_configs,
    _enum_name,
    _ExecutionException,
    _hashmap_order,
    _iae,
    _java_str,
    _kafka_error_exception,
    _list_topic_names,
    _Opt,
    _parse_options,
    _synonyms,
    _Tool,
    _validate_topic_name,
)

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

COMMAND = ConfigCommand
