"""Kafka errors, shaped like confluent-kafka's and named like Kafka's.

Two vocabularies meet here:

* The wire: brokers put Kafka ``Errors`` codes in responses (``NOT_ENOUGH_REPLICAS = 19``).
  Model code uses :class:`Err` values for that and never raises.
* The client API: ``confluent_kafka`` raises ``KafkaException(KafkaError(...))``.  Our exceptions
  keep Kafka's Java class names (``NotEnoughReplicasException``) *and* are ``KafkaException``
  subclasses whose ``args[0]`` is a :class:`KafkaError`, so code written for the real client
  (``except KafkaException as e: e.args[0].code()``) catches them unchanged.

``KafkaError.name()`` returns librdkafka's spelling (``MSG_SIZE_TOO_LARGE``, ``TOPIC_EXCEPTION``,
``UNKNOWN_TOPIC_OR_PART``), because that is what a learner sees from confluent-kafka; the Java
name is on ``KafkaError.java_name()``.  Local (client-side) librdkafka errors have negative codes
and names starting with ``_`` (``_QUEUE_FULL = -184``, ``_MSG_TIMED_OUT = -192``).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorSpec:
    code: int
    name: str  # librdkafka / confluent-kafka name
    java_name: str  # org.apache.kafka.common.protocol.Errors name
    exception: str  # Java exception class name
    retriable: bool = False


# (code, librdkafka name, Java Errors name, Java exception class, retriable)
_SPECS = [
    (-1, "UNKNOWN", "UNKNOWN_SERVER_ERROR", "UnknownServerException", False),
    (0, "NO_ERROR", "NONE", "", False),
    (1, "OFFSET_OUT_OF_RANGE", "OFFSET_OUT_OF_RANGE", "OffsetOutOfRangeException", False),
    (2, "INVALID_MSG", "CORRUPT_MESSAGE", "CorruptRecordException", True),
    (3, "UNKNOWN_TOPIC_OR_PART", "UNKNOWN_TOPIC_OR_PARTITION", "UnknownTopicOrPartitionException", True),
    (5, "LEADER_NOT_AVAILABLE", "LEADER_NOT_AVAILABLE", "LeaderNotAvailableException", True),
    (6, "NOT_LEADER_FOR_PARTITION", "NOT_LEADER_OR_FOLLOWER", "NotLeaderOrFollowerException", True),
    (7, "REQUEST_TIMED_OUT", "REQUEST_TIMED_OUT", "TimeoutException", True),
    (8, "BROKER_NOT_AVAILABLE", "BROKER_NOT_AVAILABLE", "BrokerNotAvailableException", False),
    (9, "REPLICA_NOT_AVAILABLE", "REPLICA_NOT_AVAILABLE", "ReplicaNotAvailableException", True),
    (10, "MSG_SIZE_TOO_LARGE", "MESSAGE_TOO_LARGE", "RecordTooLargeException", False),
    (13, "NETWORK_EXCEPTION", "NETWORK_EXCEPTION", "NetworkException", True),
    (14, "COORDINATOR_LOAD_IN_PROGRESS", "COORDINATOR_LOAD_IN_PROGRESS", "CoordinatorLoadInProgressException", True),
    (15, "COORDINATOR_NOT_AVAILABLE", "COORDINATOR_NOT_AVAILABLE", "CoordinatorNotAvailableException", True),
    (16, "NOT_COORDINATOR", "NOT_COORDINATOR", "NotCoordinatorException", True),
    (17, "TOPIC_EXCEPTION", "INVALID_TOPIC_EXCEPTION", "InvalidTopicException", False),
    (18, "RECORD_LIST_TOO_LARGE", "RECORD_LIST_TOO_LARGE", "RecordBatchTooLargeException", False),
    (19, "NOT_ENOUGH_REPLICAS", "NOT_ENOUGH_REPLICAS", "NotEnoughReplicasException", True),
    (20, "NOT_ENOUGH_REPLICAS_AFTER_APPEND", "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
     "NotEnoughReplicasAfterAppendException", True),
    (21, "INVALID_REQUIRED_ACKS", "INVALID_REQUIRED_ACKS", "InvalidRequiredAcksException", False),
    (22, "ILLEGAL_GENERATION", "ILLEGAL_GENERATION", "IllegalGenerationException", False),
    (24, "INVALID_GROUP_ID", "INVALID_GROUP_ID", "InvalidGroupIdException", False),
    (25, "UNKNOWN_MEMBER_ID", "UNKNOWN_MEMBER_ID", "UnknownMemberIdException", False),
    (26, "INVALID_SESSION_TIMEOUT", "INVALID_SESSION_TIMEOUT", "InvalidSessionTimeoutException", False),
    (27, "REBALANCE_IN_PROGRESS", "REBALANCE_IN_PROGRESS", "RebalanceInProgressException", False),
    (32, "INVALID_TIMESTAMP", "INVALID_TIMESTAMP", "InvalidTimestampException", False),
    (36, "TOPIC_ALREADY_EXISTS", "TOPIC_ALREADY_EXISTS", "TopicExistsException", False),
    (37, "INVALID_PARTITIONS", "INVALID_PARTITIONS", "InvalidPartitionsException", False),
    (38, "INVALID_REPLICATION_FACTOR", "INVALID_REPLICATION_FACTOR", "InvalidReplicationFactorException", False),
    (39, "INVALID_REPLICA_ASSIGNMENT", "INVALID_REPLICA_ASSIGNMENT", "InvalidReplicaAssignmentException", False),
    (40, "INVALID_CONFIG", "INVALID_CONFIG", "InvalidConfigurationException", False),
    (42, "INVALID_REQUEST", "INVALID_REQUEST", "InvalidRequestException", False),
    (44, "POLICY_VIOLATION", "POLICY_VIOLATION", "PolicyViolationException", False),
    (45, "OUT_OF_ORDER_SEQUENCE_NUMBER", "OUT_OF_ORDER_SEQUENCE_NUMBER", "OutOfOrderSequenceException", False),
    (46, "DUPLICATE_SEQUENCE_NUMBER", "DUPLICATE_SEQUENCE_NUMBER", "DuplicateSequenceException", False),
    (47, "INVALID_PRODUCER_EPOCH", "INVALID_PRODUCER_EPOCH", "InvalidProducerEpochException", False),
    (48, "INVALID_TXN_STATE", "INVALID_TXN_STATE", "InvalidTxnStateException", False),
    (49, "INVALID_PRODUCER_ID_MAPPING", "INVALID_PRODUCER_ID_MAPPING", "InvalidPidMappingException", False),
    (50, "INVALID_TRANSACTION_TIMEOUT", "INVALID_TRANSACTION_TIMEOUT", "InvalidTxnTimeoutException", False),
    (51, "CONCURRENT_TRANSACTIONS", "CONCURRENT_TRANSACTIONS", "ConcurrentTransactionsException", True),
    (52, "TRANSACTION_COORDINATOR_FENCED", "TRANSACTION_COORDINATOR_FENCED", "TransactionCoordinatorFencedException",
     False),
    (59, "UNKNOWN_PRODUCER_ID", "UNKNOWN_PRODUCER_ID", "UnknownProducerIdException", False),
    (68, "NON_EMPTY_GROUP", "NON_EMPTY_GROUP", "GroupNotEmptyException", False),
    (69, "GROUP_ID_NOT_FOUND", "GROUP_ID_NOT_FOUND", "GroupIdNotFoundException", False),
    (74, "FENCED_LEADER_EPOCH", "FENCED_LEADER_EPOCH", "FencedLeaderEpochException", True),
    (75, "UNKNOWN_LEADER_EPOCH", "UNKNOWN_LEADER_EPOCH", "UnknownLeaderEpochException", True),
    (79, "MEMBER_ID_REQUIRED", "MEMBER_ID_REQUIRED", "MemberIdRequiredException", False),
    (80, "PREFERRED_LEADER_NOT_AVAILABLE", "PREFERRED_LEADER_NOT_AVAILABLE",
     "PreferredLeaderNotAvailableException", True),
    (82, "FENCED_INSTANCE_ID", "FENCED_INSTANCE_ID", "FencedInstanceIdException", False),
    (83, "ELIGIBLE_LEADERS_NOT_AVAILABLE", "ELIGIBLE_LEADERS_NOT_AVAILABLE",
     "EligibleLeadersNotAvailableException", False),
    (84, "ELECTION_NOT_NEEDED", "ELECTION_NOT_NEEDED", "ElectionNotNeededException", False),
    (87, "INVALID_RECORD", "INVALID_RECORD", "InvalidRecordException", False),
    (88, "UNSTABLE_OFFSET_COMMIT", "UNSTABLE_OFFSET_COMMIT", "UnstableOffsetCommitException", True),
    (90, "PRODUCER_FENCED", "PRODUCER_FENCED", "ProducerFencedException", False),
    (91, "RESOURCE_NOT_FOUND", "RESOURCE_NOT_FOUND", "ResourceNotFoundException", False),
    (95, "INVALID_UPDATE_VERSION", "INVALID_UPDATE_VERSION", "InvalidUpdateVersionException", False),
    (107, "INELIGIBLE_REPLICA", "INELIGIBLE_REPLICA", "IneligibleReplicaException", False),
    (110, "FENCED_MEMBER_EPOCH", "FENCED_MEMBER_EPOCH", "FencedMemberEpochException", False),
    (105, "TRANSACTIONAL_ID_NOT_FOUND", "TRANSACTIONAL_ID_NOT_FOUND", "TransactionalIdNotFoundException", False),
    (113, "STALE_MEMBER_EPOCH", "STALE_MEMBER_EPOCH", "StaleMemberEpochException", False),
    (120, "TRANSACTION_ABORTABLE", "TRANSACTION_ABORTABLE", "TransactionAbortableException", False),
    # librdkafka local errors (client side, negative codes).
    (-199, "_BAD_MSG", "", "", False),
    (-195, "_TRANSPORT", "", "", True),
    (-192, "_MSG_TIMED_OUT", "", "", False),
    (-191, "_PARTITION_EOF", "", "", False),
    (-190, "_UNKNOWN_PARTITION", "", "", False),
    (-188, "_UNKNOWN_TOPIC", "", "", False),
    (-187, "_ALL_BROKERS_DOWN", "", "", False),
    (-186, "_INVALID_ARG", "", "ConfigException", False),
    (-185, "_TIMED_OUT", "", "", True),
    (-184, "_QUEUE_FULL", "", "", False),
    (-177, "_PREV_IN_PROGRESS", "", "", False),
    (-173, "_CONFLICT", "", "", False),
    (-172, "_STATE", "", "", False),
    (-168, "_NO_OFFSET", "", "", False),
    (-165, "_UNSUPPORTED_FEATURE", "", "", False),
    (-152, "_PURGE_QUEUE", "", "", False),
    (-151, "_PURGE_INFLIGHT", "", "", False),
    (-150, "_FATAL", "", "", False),
    (-147, "_MAX_POLL_EXCEEDED", "", "", False),
    (-145, "_NOT_CONFIGURED", "", "", False),
    (-144, "_FENCED", "", "", False),
    (-142, "_ASSIGNMENT_LOST", "", "", False),
]

SPECS: dict[int, ErrorSpec] = {c: ErrorSpec(c, n, j or n, e, r) for c, n, j, e, r in _SPECS}
_BY_NAME: dict[str, ErrorSpec] = {}
for _s in SPECS.values():
    _BY_NAME[_s.name] = _s
    _BY_NAME[_s.java_name] = _s


class Err:
    """Kafka error codes by their Java ``Errors`` name (and librdkafka's, where it differs)."""


for _s in SPECS.values():
    setattr(Err, _s.java_name, _s.code)
    setattr(Err, _s.name, _s.code)


def spec(code_or_name: int | str) -> ErrorSpec:
    if isinstance(code_or_name, str):
        return _BY_NAME[code_or_name]
    return SPECS[code_or_name]


class KafkaError:
    """confluent-kafka's ``KafkaError``: a code plus a human-readable string.

    >>> e = KafkaError(Err.NOT_ENOUGH_REPLICAS)
    >>> e.code(), e.name(), e.retriable()
    (19, 'NOT_ENOUGH_REPLICAS', True)
    """

    def __init__(self, error: int, reason: str | None = None, fatal: bool = False,
                 retriable: bool | None = None, txn_requires_abort: bool = False):
        self._spec = SPECS.get(error) or ErrorSpec(error, f"ERR_{error}", f"ERR_{error}", "")
        self._code = error
        self._reason = reason if reason is not None else _default_reason(self._spec)
        self._fatal = fatal
        self._retriable = self._spec.retriable if retriable is None else retriable
        self._txn_requires_abort = txn_requires_abort

    def code(self) -> int:
        return self._code

    def name(self) -> str:
        return self._spec.name

    def java_name(self) -> str:
        return self._spec.java_name

    def str(self) -> str:
        return self._reason

    def fatal(self) -> bool:
        return self._fatal

    def retriable(self) -> bool:
        return self._retriable

    def txn_requires_abort(self) -> bool:
        return self._txn_requires_abort

    def __eq__(self, other) -> bool:
        if isinstance(other, KafkaError):
            return self._code == other._code
        if isinstance(other, int):
            return self._code == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._code)

    def __str__(self) -> str:
        return self._reason

    def __repr__(self) -> str:
        return f'KafkaError{{code={self.name()},val={self._code},str="{self._reason}"}}'


def _default_reason(s: ErrorSpec) -> str:
    if s.code > 0:
        return f"Broker: {s.java_name.replace('_', ' ').capitalize()}"
    return s.name.lstrip("_").replace("_", " ").capitalize()


# confluent-kafka exposes the codes as class attributes: KafkaError._QUEUE_FULL, KafkaError.NOT_ENOUGH_REPLICAS.
for _s in SPECS.values():
    setattr(KafkaError, _s.name, _s.code)
    if not hasattr(KafkaError, _s.java_name):
        setattr(KafkaError, _s.java_name, _s.code)


class KafkaException(Exception):
    """confluent-kafka's exception: ``args[0]`` is a :class:`KafkaError`."""

    code_default: int = -1

    def __init__(self, error: KafkaError | int | str | None = None, message: str | None = None):
        if error is None:
            error = self.code_default
        if isinstance(error, str):  # KafkaException("text"): an unknown error with a reason
            error = KafkaError(self.code_default, error)
        elif isinstance(error, int):
            error = KafkaError(error, message)
        super().__init__(error)

    @property
    def error(self) -> KafkaError:
        return self.args[0]

    def __str__(self) -> str:
        return str(self.args[0])


EXCEPTIONS: dict[int, type[KafkaException]] = {}


def _make_exception(s: ErrorSpec) -> type[KafkaException]:
    cls = type(s.exception, (KafkaException,), {"code_default": s.code, "__doc__": f"Kafka ``{s.java_name}`` ({s.code})."})
    cls.__module__ = __name__
    return cls


for _s in SPECS.values():
    if _s.exception and _s.code != Err._INVALID_ARG:
        _cls = _make_exception(_s)
        globals()[_s.exception] = _cls
        EXCEPTIONS[_s.code] = _cls


class ConfigException(KafkaException):
    """A bad client or topic config: librdkafka reports these as ``_INVALID_ARG``.

    ``Producer({"buffer.memory": 1})`` raises it with ``No such configuration property: "buffer.memory"``.
    """

    code_default = Err._INVALID_ARG


EXCEPTIONS[Err._INVALID_ARG] = ConfigException


def raise_for(code: int, message: str | None = None, **kw) -> None:
    """Raise the exception class for ``code`` with a message that says what to change."""
    cls = EXCEPTIONS.get(code, KafkaException)
    raise cls(KafkaError(code, message, **kw))


def exception_for(code: int, message: str | None = None, **kw) -> KafkaException:
    cls = EXCEPTIONS.get(code, KafkaException)
    return cls(KafkaError(code, message, **kw))


class InvariantViolation(AssertionError):
    """A simulator bug: a Kafka invariant the model must keep did not hold."""


__all__ = ["Err", "ErrorSpec", "KafkaError", "KafkaException", "ConfigException", "InvariantViolation",
           "raise_for", "exception_for", "spec", "EXCEPTIONS"] + sorted(
    s.exception for s in SPECS.values() if s.exception and s.exception != "ConfigException")
