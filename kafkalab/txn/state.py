"""The transaction coordinator's state machine: ``TransactionState`` and its allowed transitions.

Kafka behaviour modelled (``kafka.coordinator.transaction.TransactionMetadata``): each transactional
id has one ``TransactionMetadata`` on its coordinator, in one of eight states.  Kafka writes the
table backwards, as each state's *valid previous states*; :data:`VALID_PREVIOUS` is that table
verbatim and :data:`ALLOWED` is the same read forwards.  A transition is written to
``__transaction_state`` first and applied only once that append is committed (``pending`` holds
the target meanwhile; a request arriving then gets ``CONCURRENT_TRANSACTIONS``).

Example: the life of one committed transaction is
``Empty → Ongoing`` (first AddPartitionsToTxn) ``→ PrepareCommit`` (EndTxn) ``→ CompleteCommit``
(every marker written); the next ``AddPartitionsToTxn`` goes ``CompleteCommit → Ongoing``.
A new producer with the same ``transactional.id`` while one is ``Ongoing``:
``Ongoing → PrepareEpochFence → PrepareAbort → CompleteAbort → Empty`` (epoch + 2 in all).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field


class TransactionState(enum.Enum):
    """Kafka's names (``DescribeTransactions`` returns them) and ids (the ``TransactionStatus`` byte)."""

    EMPTY = ("Empty", 0)
    ONGOING = ("Ongoing", 1)
    PREPARE_COMMIT = ("PrepareCommit", 2)
    PREPARE_ABORT = ("PrepareAbort", 3)
    COMPLETE_COMMIT = ("CompleteCommit", 4)
    COMPLETE_ABORT = ("CompleteAbort", 5)
    DEAD = ("Dead", 6)
    PREPARE_EPOCH_FENCE = ("PrepareEpochFence", 7)

    @property
    def label(self) -> str:
        return self.value[0]

    @property
    def id(self) -> int:
        return self.value[1]

    @classmethod
    def from_id(cls, i: int) -> TransactionState:
        for s in cls:
            if s.id == i:
                return s
        raise ValueError(f"Unknown transaction state id {i} from the transaction status message")

    def __str__(self) -> str:
        return self.label


_S = TransactionState

# TransactionMetadata.scala, each state's ``validPreviousStates``.
VALID_PREVIOUS: dict[TransactionState, frozenset] = {
    _S.EMPTY: frozenset({_S.EMPTY, _S.COMPLETE_COMMIT, _S.COMPLETE_ABORT}),
    _S.ONGOING: frozenset({_S.ONGOING, _S.EMPTY, _S.COMPLETE_COMMIT, _S.COMPLETE_ABORT}),
    _S.PREPARE_COMMIT: frozenset({_S.ONGOING}),
    _S.PREPARE_ABORT: frozenset({_S.ONGOING, _S.PREPARE_EPOCH_FENCE}),
    _S.COMPLETE_COMMIT: frozenset({_S.PREPARE_COMMIT}),
    _S.COMPLETE_ABORT: frozenset({_S.PREPARE_ABORT}),
    _S.DEAD: frozenset({_S.EMPTY, _S.COMPLETE_ABORT, _S.COMPLETE_COMMIT}),
    _S.PREPARE_EPOCH_FENCE: frozenset({_S.ONGOING}),
}

# The same table read forwards: state -> the states it may move to.
ALLOWED: dict[TransactionState, frozenset] = {
    s: frozenset(t for t, prev in VALID_PREVIOUS.items() if s in prev) for s in TransactionState
}

NO_PRODUCER_ID = -1
NO_PRODUCER_EPOCH = -1
EPOCH_EXHAUSTED = 2**15 - 2  # Short.MaxValue - 1: the epoch a producer may never use


@dataclass
class TxnMetadata:
    """One transactional id's metadata on its coordinator (``TransactionMetadata``)."""

    transactional_id: str
    producer_id: int
    producer_epoch: int = NO_PRODUCER_EPOCH
    last_producer_epoch: int = NO_PRODUCER_EPOCH
    txn_timeout_ms: int = 60000
    state: TransactionState = _S.EMPTY
    partitions: set = field(default_factory=set)  # {(topic, partition)}
    txn_start_ms: int = -1
    txn_last_update_ms: int = -1
    client_transaction_version: int = 0
    pending: TransactionState | None = None  # the transition whose append is in flight
    history: list = field(default_factory=list)  # the states it went through, for the state-machine picture

    def check_transition(self, new: TransactionState) -> None:
        assert self.state in VALID_PREVIOUS[new], (
            f"transactional id {self.transactional_id}: {self.state.label} -> {new.label} is not allowed")

    def transition(self, new: TransactionState, **changes) -> None:
        """Apply a transition that has been appended to ``__transaction_state`` (asserts the table)."""
        self.check_transition(new)
        self.state = new
        for k, v in changes.items():
            setattr(self, k, v)
        self.history.append(new)

    @property
    def epoch_exhausted(self) -> bool:
        return self.producer_epoch >= EPOCH_EXHAUSTED
