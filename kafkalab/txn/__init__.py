"""Transactions (KIP-98, KIP-447, KIP-890): the transaction coordinator, its state machine and
``__transaction_state``. Model code: no pandas, matplotlib or widgets."""
from .coordinator import TransactionCoordinator, allocate_producer_id, txn_coordinator_for
from .records import TXN_TOPIC, decode_txn_record, encode_txn_record, transaction_partition
from .state import ALLOWED, VALID_PREVIOUS, TransactionState, TxnMetadata

__all__ = [
           "ALLOWED",
           "TXN_TOPIC",
           "VALID_PREVIOUS",
           "TransactionCoordinator",
           "TransactionState",
           "TxnMetadata",
           "allocate_producer_id",
           "decode_txn_record",
           "encode_txn_record",
           "transaction_partition",
           "txn_coordinator_for",
]
