"""Kafka errors, shaped like confluent-kafka's and named like Kafka's.

Two vocabularies meet here:

* The wire: brokers put Kafka ``Errors`` codes in responses (``NOT_ENOUGH_REPLICAS = 19``).
  Model code uses :class:`Err` values for that and never raises.
* The client API: ``confluent_kafka`` raises ``KafkaException(KafkaError(...))``.  Our exceptions
  keep Kafka's Java class names (``NotEnoughReplicasException``) *and* are ``KafkaException``
  subclasses whose ``args[0]`` is a :class:`KafkaError`, so code written for the real client
  (``except KafkaException as e: e.args[0].code()``) catches them unchanged.

The table below holds every error code librdkafka knows (its ``rd_kafka_resp_err_t``, 188 codes in
librdkafka 2.16: the 68 local ones are negative and start with ``_``) with librdkafka's name and text,
exactly as ``confluent_kafka.KafkaError(code).name()`` / ``.str()`` give them, plus the Kafka broker
codes librdkafka does not name (98, 101-109).  Where Kafka's ``org.apache.kafka.common.protocol.Errors``
has the code, its name, exception class and retriability (the class extends ``RetriableException``)
come from Kafka's ``Errors.java`` and ``common/errors/*.java``.  ``tests/test_errors.py`` checks the
librdkafka half against the installed confluent-kafka.

``KafkaError.name()`` returns librdkafka's spelling (``MSG_SIZE_TOO_LARGE``, ``TOPIC_EXCEPTION``,
``UNKNOWN_TOPIC_OR_PART``), because that is what a learner sees from confluent-kafka; the Java
name is on ``KafkaError.java_name()`` and Java's retriability on ``spec(code).retriable``.
``KafkaError.retriable()`` is confluent-kafka's flag: False unless the error says otherwise, as for
every error librdkafka reports through a response code (only ``rd_kafka_error_t`` errors, e.g. from
the transactional API, carry ``retriable``/``fatal``/``txn_requires_abort``).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorSpec:
    code: int
    name: str  # librdkafka / confluent-kafka name ("ERR_107?" where librdkafka has none)
    description: str  # librdkafka's rd_kafka_err2str() text
    java_name: str  # org.apache.kafka.common.protocol.Errors name ("" for librdkafka's local errors)
    exception: str  # Kafka's exception class ("" where Kafka has none)
    retriable: bool = False  # Kafka's: the exception class extends RetriableException


# (code, librdkafka name, librdkafka text, Java Errors name if different, Java exception class, Java retriable)
# librdkafka half from confluent_kafka 2.16.1 (librdkafka 2.16.0): KafkaError(code).name() and .str().
# Java half from apache/kafka clients/src/main/java/org/apache/kafka/common/protocol/Errors.java and
# common/errors/*.java (trunk of October 2024); codes 129-133 are newer than that and have no class here.
_TABLE = [
    (-199, '_BAD_MSG', 'Local: Bad message format', '', '', False),
    (-198, '_BAD_COMPRESSION', 'Local: Invalid compressed data', '', '', False),
    (-197, '_DESTROY', 'Local: Broker handle destroyed for termination', '', '', False),
    (-196, '_FAIL', 'Local: Communication failure with broker', '', '', False),
    (-195, '_TRANSPORT', 'Local: Broker transport failure', '', '', False),
    (-194, '_CRIT_SYS_RESOURCE', 'Local: Critical system resource failure', '', '', False),
    (-193, '_RESOLVE', 'Local: Host resolution failure', '', '', False),
    (-192, '_MSG_TIMED_OUT', 'Local: Message timed out', '', '', False),
    (-191, '_PARTITION_EOF', 'Broker: No more messages', '', '', False),
    (-190, '_UNKNOWN_PARTITION', 'Local: Unknown partition', '', '', False),
    (-189, '_FS', 'Local: File or filesystem error', '', '', False),
    (-188, '_UNKNOWN_TOPIC', 'Local: Unknown topic', '', '', False),
    (-187, '_ALL_BROKERS_DOWN', 'Local: All broker connections are down', '', '', False),
    (-186, '_INVALID_ARG', 'Local: Invalid argument or configuration', '', '', False),
    (-185, '_TIMED_OUT', 'Local: Timed out', '', '', False),
    (-184, '_QUEUE_FULL', 'Local: Queue full', '', '', False),
    (-183, '_ISR_INSUFF', 'Local: ISR count insufficient', '', '', False),
    (-182, '_NODE_UPDATE', 'Local: Broker node update', '', '', False),
    (-181, '_SSL', 'Local: SSL error', '', '', False),
    (-180, '_WAIT_COORD', 'Local: Waiting for coordinator', '', '', False),
    (-179, '_UNKNOWN_GROUP', 'Local: Unknown group', '', '', False),
    (-178, '_IN_PROGRESS', 'Local: Operation in progress', '', '', False),
    (-177, '_PREV_IN_PROGRESS', 'Local: Previous operation in progress', '', '', False),
    (-176, '_EXISTING_SUBSCRIPTION', 'Local: Existing subscription', '', '', False),
    (-175, '_ASSIGN_PARTITIONS', 'Local: Assign partitions', '', '', False),
    (-174, '_REVOKE_PARTITIONS', 'Local: Revoke partitions', '', '', False),
    (-173, '_CONFLICT', 'Local: Conflicting use', '', '', False),
    (-172, '_STATE', 'Local: Erroneous state', '', '', False),
    (-171, '_UNKNOWN_PROTOCOL', 'Local: Unknown protocol', '', '', False),
    (-170, '_NOT_IMPLEMENTED', 'Local: Not implemented', '', '', False),
    (-169, '_AUTHENTICATION', 'Local: Authentication failure', '', '', False),
    (-168, '_NO_OFFSET', 'Local: No offset stored', '', '', False),
    (-167, '_OUTDATED', 'Local: Outdated', '', '', False),
    (-166, '_TIMED_OUT_QUEUE', 'Local: Timed out in queue', '', '', False),
    (-165, '_UNSUPPORTED_FEATURE', 'Local: Required feature not supported by broker', '', '', False),
    (-164, '_WAIT_CACHE', 'Local: Awaiting cache update', '', '', False),
    (-163, '_INTR', 'Local: Operation interrupted', '', '', False),
    (-162, '_KEY_SERIALIZATION', 'Local: Key serialization error', '', '', False),
    (-161, '_VALUE_SERIALIZATION', 'Local: Value serialization error', '', '', False),
    (-160, '_KEY_DESERIALIZATION', 'Local: Key deserialization error', '', '', False),
    (-159, '_VALUE_DESERIALIZATION', 'Local: Value deserialization error', '', '', False),
    (-158, '_PARTIAL', 'Local: Partial response', '', '', False),
    (-157, '_READ_ONLY', 'Local: Read-only object', '', '', False),
    (-156, '_NOENT', 'Local: No such entry', '', '', False),
    (-155, '_UNDERFLOW', 'Local: Read underflow', '', '', False),
    (-154, '_INVALID_TYPE', 'Local: Invalid type', '', '', False),
    (-153, '_RETRY', 'Local: Retry operation', '', '', False),
    (-152, '_PURGE_QUEUE', 'Local: Purged in queue', '', '', False),
    (-151, '_PURGE_INFLIGHT', 'Local: Purged in flight', '', '', False),
    (-150, '_FATAL', 'Local: Fatal error', '', '', False),
    (-149, '_INCONSISTENT', 'Local: Inconsistent state', '', '', False),
    (-148, '_GAPLESS_GUARANTEE', 'Local: Gap-less ordering would not be guaranteed if proceeding', '', '', False),
    (-147, '_MAX_POLL_EXCEEDED',
     'Local: Maximum application poll interval (max.poll.interval.ms) exceeded',
     '', '', False),
    (-146, '_UNKNOWN_BROKER', 'Local: Unknown broker', '', '', False),
    (-145, '_NOT_CONFIGURED', 'Local: Functionality not configured', '', '', False),
    (-144, '_FENCED', 'Local: This instance has been fenced by a newer instance', '', '', False),
    (-143, '_APPLICATION', 'Local: Application generated error', '', '', False),
    (-142, '_ASSIGNMENT_LOST', 'Local: Group partition assignment lost', '', '', False),
    (-141, '_NOOP', 'Local: No operation performed', '', '', False),
    (-140, '_AUTO_OFFSET_RESET', 'Local: No offset to automatically reset to', '', '', False),
    (-139, '_LOG_TRUNCATION', 'Local: Partition log truncation detected', '', '', False),
    (-138, '_INVALID_DIFFERENT_RECORD',
     'Local: an invalid record in the same batch caused the failure of this message too',
     '', '', False),
    (-137, '_DESTROY_BROKER', 'Local: Broker handle destroyed without termination', '', '', False),
    (-1, 'UNKNOWN', 'Unknown broker error', 'UNKNOWN_SERVER_ERROR', 'UnknownServerException', False),
    (0, 'NO_ERROR', 'Success', 'NONE', '', False),
    (1, 'OFFSET_OUT_OF_RANGE', 'Broker: Offset out of range', '', 'OffsetOutOfRangeException', False),
    (2, 'INVALID_MSG', 'Broker: Invalid message', 'CORRUPT_MESSAGE', 'CorruptRecordException', True),
    (3, 'UNKNOWN_TOPIC_OR_PART',
     'Broker: Unknown topic or partition',
     'UNKNOWN_TOPIC_OR_PARTITION', 'UnknownTopicOrPartitionException', True),
    (4, 'INVALID_MSG_SIZE', 'Broker: Invalid message size', 'INVALID_FETCH_SIZE', 'InvalidFetchSizeException', False),
    (5, 'LEADER_NOT_AVAILABLE', 'Broker: Leader not available', '', 'LeaderNotAvailableException', True),
    (6, 'NOT_LEADER_FOR_PARTITION',
     'Broker: Not leader for partition',
     'NOT_LEADER_OR_FOLLOWER', 'NotLeaderOrFollowerException', True),
    (7, 'REQUEST_TIMED_OUT', 'Broker: Request timed out', '', 'TimeoutException', True),
    (8, 'BROKER_NOT_AVAILABLE', 'Broker: Broker not available', '', 'BrokerNotAvailableException', False),
    (9, 'REPLICA_NOT_AVAILABLE', 'Broker: Replica not available', '', 'ReplicaNotAvailableException', True),
    (10, 'MSG_SIZE_TOO_LARGE',
     'Broker: Message size too large',
     'MESSAGE_TOO_LARGE', 'RecordTooLargeException', False),
    (11, 'STALE_CTRL_EPOCH',
     'Broker: StaleControllerEpochCode',
     'STALE_CONTROLLER_EPOCH', 'ControllerMovedException', False),
    (12, 'OFFSET_METADATA_TOO_LARGE', 'Broker: Offset metadata string too large', '', 'OffsetMetadataTooLarge', False),
    (13, 'NETWORK_EXCEPTION', 'Broker: Broker disconnected before response received', '', 'NetworkException', True),
    (14, 'COORDINATOR_LOAD_IN_PROGRESS',
     'Broker: Coordinator load in progress',
     '', 'CoordinatorLoadInProgressException', True),
    (15, 'COORDINATOR_NOT_AVAILABLE',
     'Broker: Coordinator not available',
     '', 'CoordinatorNotAvailableException', True),
    (16, 'NOT_COORDINATOR', 'Broker: Not coordinator', '', 'NotCoordinatorException', True),
    (17, 'TOPIC_EXCEPTION', 'Broker: Invalid topic', 'INVALID_TOPIC_EXCEPTION', 'InvalidTopicException', False),
    (18, 'RECORD_LIST_TOO_LARGE',
     'Broker: Message batch larger than configured server segment size',
     '', 'RecordBatchTooLargeException', False),
    (19, 'NOT_ENOUGH_REPLICAS', 'Broker: Not enough in-sync replicas', '', 'NotEnoughReplicasException', True),
    (20, 'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
     'Broker: Message(s) written to insufficient number of in-sync replicas',
     '', 'NotEnoughReplicasAfterAppendException', True),
    (21, 'INVALID_REQUIRED_ACKS', 'Broker: Invalid required acks value', '', 'InvalidRequiredAcksException', False),
    (22, 'ILLEGAL_GENERATION',
     'Broker: Specified group generation id is not valid',
     '', 'IllegalGenerationException', False),
    (23, 'INCONSISTENT_GROUP_PROTOCOL',
     'Broker: Inconsistent group protocol',
     '', 'InconsistentGroupProtocolException', False),
    (24, 'INVALID_GROUP_ID', 'Broker: Invalid group.id', '', 'InvalidGroupIdException', False),
    (25, 'UNKNOWN_MEMBER_ID', 'Broker: Unknown member', '', 'UnknownMemberIdException', False),
    (26, 'INVALID_SESSION_TIMEOUT', 'Broker: Invalid session timeout', '', 'InvalidSessionTimeoutException', False),
    (27, 'REBALANCE_IN_PROGRESS', 'Broker: Group rebalance in progress', '', 'RebalanceInProgressException', False),
    (28, 'INVALID_COMMIT_OFFSET_SIZE',
     'Broker: Commit offset data size is not valid',
     '', 'InvalidCommitOffsetSizeException', False),
    (29, 'TOPIC_AUTHORIZATION_FAILED', 'Broker: Topic authorization failed', '', 'TopicAuthorizationException', False),
    (30, 'GROUP_AUTHORIZATION_FAILED', 'Broker: Group authorization failed', '', 'GroupAuthorizationException', False),
    (31, 'CLUSTER_AUTHORIZATION_FAILED',
     'Broker: Cluster authorization failed',
     '', 'ClusterAuthorizationException', False),
    (32, 'INVALID_TIMESTAMP', 'Broker: Invalid timestamp', '', 'InvalidTimestampException', False),
    (33, 'UNSUPPORTED_SASL_MECHANISM',
     'Broker: Unsupported SASL mechanism',
     '', 'UnsupportedSaslMechanismException', False),
    (34, 'ILLEGAL_SASL_STATE',
     'Broker: Request not valid in current SASL state',
     '', 'IllegalSaslStateException', False),
    (35, 'UNSUPPORTED_VERSION', 'Broker: API version not supported', '', 'UnsupportedVersionException', False),
    (36, 'TOPIC_ALREADY_EXISTS', 'Broker: Topic already exists', '', 'TopicExistsException', False),
    (37, 'INVALID_PARTITIONS', 'Broker: Invalid number of partitions', '', 'InvalidPartitionsException', False),
    (38, 'INVALID_REPLICATION_FACTOR',
     'Broker: Invalid replication factor',
     '', 'InvalidReplicationFactorException', False),
    (39, 'INVALID_REPLICA_ASSIGNMENT',
     'Broker: Invalid replica assignment',
     '', 'InvalidReplicaAssignmentException', False),
    (40, 'INVALID_CONFIG', 'Broker: Configuration is invalid', '', 'InvalidConfigurationException', False),
    (41, 'NOT_CONTROLLER', 'Broker: Not controller for cluster', '', 'NotControllerException', True),
    (42, 'INVALID_REQUEST', 'Broker: Invalid request', '', 'InvalidRequestException', False),
    (43, 'UNSUPPORTED_FOR_MESSAGE_FORMAT',
     'Broker: Message format on broker does not support request',
     '', 'UnsupportedForMessageFormatException', False),
    (44, 'POLICY_VIOLATION', 'Broker: Policy violation', '', 'PolicyViolationException', False),
    (45, 'OUT_OF_ORDER_SEQUENCE_NUMBER',
     'Broker: Broker received an out of order sequence number',
     '', 'OutOfOrderSequenceException', False),
    (46, 'DUPLICATE_SEQUENCE_NUMBER',
     'Broker: Broker received a duplicate sequence number',
     '', 'DuplicateSequenceException', False),
    (47, 'INVALID_PRODUCER_EPOCH',
     'Broker: Producer attempted an operation with an old epoch',
     '', 'InvalidProducerEpochException', False),
    (48, 'INVALID_TXN_STATE',
     'Broker: Producer attempted a transactional operation in an invalid state',
     '', 'InvalidTxnStateException', False),
    (49, 'INVALID_PRODUCER_ID_MAPPING',
     'Broker: Producer attempted to use a producer id which is not currently assigned to its transactional id',
     '', 'InvalidPidMappingException', False),
    (50, 'INVALID_TRANSACTION_TIMEOUT',
     "Broker: Transaction timeout is larger than the maximum value allowed by the broker's max.transaction.timeout.ms",
     '', 'InvalidTxnTimeoutException', False),
    (51, 'CONCURRENT_TRANSACTIONS',
     ('Broker: Producer attempted to update a transaction while another concurrent operation on the same '
     'transaction was ongoing'),
     '', 'ConcurrentTransactionsException', True),
    (52, 'TRANSACTION_COORDINATOR_FENCED',
     ('Broker: Indicates that the transaction coordinator sending a WriteTxnMarker is no longer the '
     'current coordinator for a given producer'),
     '', 'TransactionCoordinatorFencedException', False),
    (53, 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
     'Broker: Transactional Id authorization failed',
     '', 'TransactionalIdAuthorizationException', False),
    (54, 'SECURITY_DISABLED', 'Broker: Security features are disabled', '', 'SecurityDisabledException', False),
    (55, 'OPERATION_NOT_ATTEMPTED', 'Broker: Operation not attempted', '', 'OperationNotAttemptedException', False),
    (56, 'KAFKA_STORAGE_ERROR',
     'Broker: Disk error when trying to access log file on disk',
     '', 'KafkaStorageException', True),
    (57, 'LOG_DIR_NOT_FOUND',
     'Broker: The user-specified log directory is not found in the broker config',
     '', 'LogDirNotFoundException', False),
    (58, 'SASL_AUTHENTICATION_FAILED', 'Broker: SASL Authentication failed', '', 'SaslAuthenticationException', False),
    (59, 'UNKNOWN_PRODUCER_ID', 'Broker: Unknown Producer Id', '', 'UnknownProducerIdException', False),
    (60, 'REASSIGNMENT_IN_PROGRESS',
     'Broker: Partition reassignment is in progress',
     '', 'ReassignmentInProgressException', False),
    (61, 'DELEGATION_TOKEN_AUTH_DISABLED',
     'Broker: Delegation Token feature is not enabled',
     '', 'DelegationTokenDisabledException', False),
    (62, 'DELEGATION_TOKEN_NOT_FOUND',
     'Broker: Delegation Token is not found on server',
     '', 'DelegationTokenNotFoundException', False),
    (63, 'DELEGATION_TOKEN_OWNER_MISMATCH',
     'Broker: Specified Principal is not valid Owner/Renewer',
     '', 'DelegationTokenOwnerMismatchException', False),
    (64, 'DELEGATION_TOKEN_REQUEST_NOT_ALLOWED',
     'Broker: Delegation Token requests are not allowed on this connection',
     '', 'UnsupportedByAuthenticationException', False),
    (65, 'DELEGATION_TOKEN_AUTHORIZATION_FAILED',
     'Broker: Delegation Token authorization failed',
     '', 'DelegationTokenAuthorizationException', False),
    (66, 'DELEGATION_TOKEN_EXPIRED',
     'Broker: Delegation Token is expired',
     '', 'DelegationTokenExpiredException', False),
    (67, 'INVALID_PRINCIPAL_TYPE',
     'Broker: Supplied principalType is not supported',
     '', 'InvalidPrincipalTypeException', False),
    (68, 'NON_EMPTY_GROUP', 'Broker: The group is not empty', '', 'GroupNotEmptyException', False),
    (69, 'GROUP_ID_NOT_FOUND', 'Broker: The group id does not exist', '', 'GroupIdNotFoundException', False),
    (70, 'FETCH_SESSION_ID_NOT_FOUND',
     'Broker: The fetch session ID was not found',
     '', 'FetchSessionIdNotFoundException', True),
    (71, 'INVALID_FETCH_SESSION_EPOCH',
     'Broker: The fetch session epoch is invalid',
     '', 'InvalidFetchSessionEpochException', True),
    (72, 'LISTENER_NOT_FOUND', 'Broker: No matching listener', '', 'ListenerNotFoundException', True),
    (73, 'TOPIC_DELETION_DISABLED', 'Broker: Topic deletion is disabled', '', 'TopicDeletionDisabledException', False),
    (74, 'FENCED_LEADER_EPOCH',
     'Broker: Leader epoch is older than broker epoch',
     '', 'FencedLeaderEpochException', True),
    (75, 'UNKNOWN_LEADER_EPOCH',
     'Broker: Leader epoch is newer than broker epoch',
     '', 'UnknownLeaderEpochException', True),
    (76, 'UNSUPPORTED_COMPRESSION_TYPE',
     'Broker: Unsupported compression type',
     '', 'UnsupportedCompressionTypeException', False),
    (77, 'STALE_BROKER_EPOCH', 'Broker: Broker epoch has changed', '', 'StaleBrokerEpochException', False),
    (78, 'OFFSET_NOT_AVAILABLE',
     'Broker: Leader high watermark is not caught up',
     '', 'OffsetNotAvailableException', True),
    (79, 'MEMBER_ID_REQUIRED', 'Broker: Group member needs a valid member ID', '', 'MemberIdRequiredException', False),
    (80, 'PREFERRED_LEADER_NOT_AVAILABLE',
     'Broker: Preferred leader was not available',
     '', 'PreferredLeaderNotAvailableException', True),
    (81, 'GROUP_MAX_SIZE_REACHED',
     'Broker: Consumer group has reached maximum size',
     '', 'GroupMaxSizeReachedException', False),
    (82, 'FENCED_INSTANCE_ID',
     'Broker: Static consumer fenced by other consumer with same group.instance.id',
     '', 'FencedInstanceIdException', False),
    (83, 'ELIGIBLE_LEADERS_NOT_AVAILABLE',
     'Broker: Eligible partition leaders are not available',
     '', 'EligibleLeadersNotAvailableException', True),
    (84, 'ELECTION_NOT_NEEDED',
     'Broker: Leader election not needed for topic partition',
     '', 'ElectionNotNeededException', True),
    (85, 'NO_REASSIGNMENT_IN_PROGRESS',
     'Broker: No partition reassignment is in progress',
     '', 'NoReassignmentInProgressException', False),
    (86, 'GROUP_SUBSCRIBED_TO_TOPIC',
     'Broker: Deleting offsets of a topic while the consumer group is subscribed to it',
     '', 'GroupSubscribedToTopicException', False),
    (87, 'INVALID_RECORD', 'Broker: Broker failed to validate record', '', 'InvalidRecordException', False),
    (88, 'UNSTABLE_OFFSET_COMMIT',
     'Broker: There are unstable offsets that need to be cleared',
     '', 'UnstableOffsetCommitException', True),
    (89, 'THROTTLING_QUOTA_EXCEEDED',
     'Broker: Throttling quota has been exceeded',
     '', 'ThrottlingQuotaExceededException', True),
    (90, 'PRODUCER_FENCED',
     'Broker: There is a newer producer with the same transactionalId which fences the current one',
     '', 'ProducerFencedException', False),
    (91, 'RESOURCE_NOT_FOUND',
     'Broker: Request illegally referred to resource that does not exist',
     '', 'ResourceNotFoundException', False),
    (92, 'DUPLICATE_RESOURCE',
     'Broker: Request illegally referred to the same resource twice',
     '', 'DuplicateResourceException', False),
    (93, 'UNACCEPTABLE_CREDENTIAL',
     'Broker: Requested credential would not meet criteria for acceptability',
     '', 'UnacceptableCredentialException', False),
    (94, 'INCONSISTENT_VOTER_SET',
     ('Broker: Indicates that the either the sender or recipient of a voter-only request is not one of the '
     'expected voters'),
     '', 'InconsistentVoterSetException', False),
    (95, 'INVALID_UPDATE_VERSION', 'Broker: Invalid update version', '', 'InvalidUpdateVersionException', False),
    (96, 'FEATURE_UPDATE_FAILED',
     'Broker: Unable to update finalized features due to server error',
     '', 'FeatureUpdateFailedException', False),
    (97, 'PRINCIPAL_DESERIALIZATION_FAILURE',
     'Broker: Request principal deserialization failed during forwarding',
     '', 'PrincipalDeserializationException', False),
    (98, None, None, 'SNAPSHOT_NOT_FOUND', 'SnapshotNotFoundException', False),
    (100, 'UNKNOWN_TOPIC_ID', 'Broker: Unknown topic id', '', 'UnknownTopicIdException', True),
    (101, None, None, 'DUPLICATE_BROKER_REGISTRATION', 'DuplicateBrokerRegistrationException', False),
    (102, None, None, 'BROKER_ID_NOT_REGISTERED', 'BrokerIdNotRegisteredException', False),
    (103, 'INCONSISTENT_TOPIC_ID',
     "Broker: The log's topic ID did not match the topic ID in the request",
     '', 'InconsistentTopicIdException', True),
    (104, None, None, 'INCONSISTENT_CLUSTER_ID', 'InconsistentClusterIdException', False),
    (105, None, None, 'TRANSACTIONAL_ID_NOT_FOUND', 'TransactionalIdNotFoundException', False),
    (106, None, None, 'FETCH_SESSION_TOPIC_ID_ERROR', 'FetchSessionTopicIdException', True),
    (107, None, None, 'INELIGIBLE_REPLICA', 'IneligibleReplicaException', False),
    (108, None, None, 'NEW_LEADER_ELECTED', 'NewLeaderElectedException', False),
    (109, None, None, 'OFFSET_MOVED_TO_TIERED_STORAGE', 'OffsetMovedToTieredStorageException', False),
    (110, 'FENCED_MEMBER_EPOCH',
     'Broker: The member epoch is fenced by the group coordinator',
     '', 'FencedMemberEpochException', False),
    (111, 'UNRELEASED_INSTANCE_ID',
     'Broker: The instance ID is still used by another member in the consumer group',
     '', 'UnreleasedInstanceIdException', False),
    (112, 'UNSUPPORTED_ASSIGNOR',
     'Broker: The assignor or its version range is not supported by the consumer group',
     '', 'UnsupportedAssignorException', False),
    (113, 'STALE_MEMBER_EPOCH', 'Broker: The member epoch is stale', '', 'StaleMemberEpochException', False),
    (114, 'MISMATCHED_ENDPOINT_TYPE',
     'Broker: The request was sent to an endpoint of the wrong type',
     '', 'MismatchedEndpointTypeException', False),
    (115, 'UNSUPPORTED_ENDPOINT_TYPE',
     'Broker: This endpoint type is not supported yet',
     '', 'UnsupportedEndpointTypeException', False),
    (116, 'UNKNOWN_CONTROLLER_ID',
     'Broker: This controller ID is not known',
     '', 'UnknownControllerIdException', False),
    (117, 'UNKNOWN_SUBSCRIPTION_ID',
     'Broker: Client sent a push telemetry request with an invalid or outdated subscription ID',
     '', 'UnknownSubscriptionIdException', False),
    (118, 'TELEMETRY_TOO_LARGE',
     'Broker: Client sent a push telemetry request larger than the maximum size the broker will accept',
     '', 'TelemetryTooLargeException', False),
    (119, 'INVALID_REGISTRATION',
     'Broker: The controller has considered the broker registration to be invalid',
     '', 'InvalidRegistrationException', False),
    (120, 'TRANSACTION_ABORTABLE',
     'Broker: The server encountered an error with the transaction',
     '', 'TransactionAbortableException', False),
    (121, 'INVALID_RECORD_STATE', 'Broker: The record state is invalid', '', 'InvalidRecordStateException', False),
    (122, 'SHARE_SESSION_NOT_FOUND',
     'Broker: The share session was not found',
     '', 'ShareSessionNotFoundException', True),
    (123, 'INVALID_SHARE_SESSION_EPOCH',
     'Broker: The share session epoch is invalid',
     '', 'InvalidShareSessionEpochException', True),
    (124, 'FENCED_STATE_EPOCH',
     'Broker: The share-group state epoch did not match',
     '', 'FencedStateEpochException', False),
    (125, 'INVALID_VOTER_KEY',
     "Broker: The voter key doesn't match the receiving replica's key",
     '', 'InvalidVoterKeyException', False),
    (126, 'DUPLICATE_VOTER',
     'Broker: The voter is already part of the set of voters',
     '', 'DuplicateVoterException', False),
    (127, 'VOTER_NOT_FOUND',
     'Broker: The voter is not part of the set of voters',
     '', 'VoterNotFoundException', False),
    (128, 'INVALID_REGULAR_EXPRESSION',
     'Broker: The regular expression is not valid',
     '', 'InvalidRegularExpression', False),
    (129, 'REBOOTSTRAP_REQUIRED',
     'Broker: Client metadata is stale, client should rebootstrap to obtain new metadata',
     '', '', False),
    (130, 'STREAMS_INVALID_TOPOLOGY', 'Broker: The supplied topology is invalid', '', '', False),
    (131, 'STREAMS_INVALID_TOPOLOGY_EPOCH', 'Broker: The supplied topology epoch is invalid', '', '', False),
    (132, 'STREAMS_TOPOLOGY_FENCED', 'Broker: The supplied topology epoch is outdated', '', '', False),
    (133, 'SHARE_SESSION_LIMIT_REACHED', 'Broker: The limit of share sessions has been reached', '', '', False),
]


def _unnamed(code: int) -> str:
    return f"ERR_{code}?"  # rd_kafka_err2name() of a code it does not know


SPECS: dict[int, ErrorSpec] = {}
for _c, _n, _d, _j, _x, _r in _TABLE:
    _jn = _j or ("" if _c < -1 else _n)
    SPECS[_c] = ErrorSpec(_c, _n or _unnamed(_c), _d or f"Err-{_c}?", _jn, _x, _r)
# Kafka's UNKNOWN_SERVER_ERROR is librdkafka's UNKNOWN; its ``NONE`` is librdkafka's NO_ERROR.
SPECS[-1] = ErrorSpec(-1, "UNKNOWN", SPECS[-1].description, "UNKNOWN_SERVER_ERROR", "UnknownServerException")
SPECS[0] = ErrorSpec(0, "NO_ERROR", SPECS[0].description, "NONE", "")
# Simplification: librdkafka reports a bad argument or configuration as plain KafkaException(_INVALID_ARG);
# kafkalab raises a KafkaException subclass named after Kafka's ConfigException so the Java name shows.
SPECS[-186] = ErrorSpec(-186, "_INVALID_ARG", SPECS[-186].description, "", "ConfigException")

_BY_NAME: dict[str, ErrorSpec] = {}
for _s in SPECS.values():
    for _alias in (_s.name, _s.java_name):
        if _alias and not _alias.startswith("ERR_"):
            _BY_NAME.setdefault(_alias, _s)


class Err:
    """Kafka error codes by their Java ``Errors`` name and by librdkafka's (``Err.NOT_LEADER_OR_FOLLOWER == 6``)."""


for _alias, _s in _BY_NAME.items():
    setattr(Err, _alias, _s.code)


def spec(code_or_name: int | str) -> ErrorSpec:
    if isinstance(code_or_name, str):
        return _BY_NAME[code_or_name]
    return SPECS.get(code_or_name) or ErrorSpec(code_or_name, _unnamed(code_or_name), f"Err-{code_or_name}?", "", "")


class KafkaError:
    """confluent-kafka's ``KafkaError``: a code plus a human-readable string.

    >>> e = KafkaError(Err.NOT_ENOUGH_REPLICAS)
    >>> e.code(), e.name(), e.str(), e.retriable()
    (19, 'NOT_ENOUGH_REPLICAS', 'Broker: Not enough in-sync replicas', False)
    """

    def __init__(self, error: int, reason: str | None = None, fatal: bool = False,
                 retriable: bool = False, txn_requires_abort: bool = False):
        self._spec = spec(error)
        self._code = error
        self._reason = reason if reason is not None else self._spec.description
        self._fatal = bool(fatal)
        self._retriable = bool(retriable)
        self._txn_requires_abort = bool(txn_requires_abort)

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

    def __lt__(self, other) -> bool:
        return self._code < (other._code if isinstance(other, KafkaError) else other)

    def __hash__(self) -> int:
        return hash(self._code)

    def __repr__(self) -> str:
        fatal = "FATAL," if self._fatal else ""
        return f'KafkaError{{{fatal}code={self.name()},val={self._code},str="{self._reason}"}}'

    __str__ = __repr__  # confluent-kafka prints the same text for str() and repr()


# confluent-kafka exposes the codes as class attributes: KafkaError._QUEUE_FULL, KafkaError.NOT_ENOUGH_REPLICAS;
# the Java names are added where they differ (KafkaError.NOT_LEADER_OR_FOLLOWER).
for _alias, _s in _BY_NAME.items():
    if not hasattr(KafkaError, _alias):
        setattr(KafkaError, _alias, _s.code)


class KafkaException(Exception):
    """confluent-kafka's exception: ``args[0]`` is a :class:`KafkaError`.

    ``KafkaException(KafkaError(...))`` as in confluent-kafka; the Kafka-named subclasses also take a
    code or a message (``TopicExistsException("Topic 'orders' already exists.")``).
    """

    code_default: int = -1

    def __init__(self, error: KafkaError | int | str | None = None, message: str | None = None):
        if error is None:
            error = self.code_default
        if isinstance(error, str):  # a message for this class's code
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
    doc = f"Kafka ``{s.java_name or s.name}`` ({s.code}); librdkafka ``{s.name}``."
    cls = type(s.exception, (KafkaException,), {"code_default": s.code, "__doc__": doc})
    cls.__module__ = __name__
    return cls


for _s in SPECS.values():
    if _s.exception:
        _cls = _make_exception(_s)
        globals()[_s.exception] = _cls
        EXCEPTIONS[_s.code] = _cls
ConfigException = EXCEPTIONS[Err._INVALID_ARG]
ConfigException.__doc__ = """A bad client or topic config: librdkafka reports these as ``_INVALID_ARG``.

    ``Producer({"buffer.memory": 1})`` raises it with ``No such configuration property: "buffer.memory"``.
    """


def raise_for(code: int, message: str | None = None, **kw) -> None:
    """Raise the exception class for ``code`` with a message that says what to change."""
    raise exception_for(code, message, **kw)


def exception_for(code: int, message: str | None = None, **kw) -> KafkaException:
    cls = EXCEPTIONS.get(code, KafkaException)
    return cls(KafkaError(code, message, **kw))


def error_text(exc: BaseException) -> str:
    """The message of an exception: a KafkaException's ``KafkaError.str()``, else ``str(exc)``.

    ``str()`` of a confluent-kafka exception is the whole ``KafkaError{code=...,val=...,str="..."}``;
    verdicts and widgets quote only the sentence.
    """
    err = exc.args[0] if isinstance(exc, KafkaException) and exc.args else None
    return err.str() if isinstance(err, KafkaError) else str(exc)


class InvariantViolation(AssertionError):
    """A simulator bug: a Kafka invariant the model must keep did not hold."""


__all__ = ["Err", "ErrorSpec", "KafkaError", "KafkaException", "ConfigException", "InvariantViolation",
           "raise_for", "exception_for", "error_text", "spec", "EXCEPTIONS", "SPECS"] + sorted(
    s.exception for s in SPECS.values() if s.exception and s.exception != "ConfigException")
