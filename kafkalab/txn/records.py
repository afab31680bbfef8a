"""``__transaction_state`` records: the bytes Kafka writes, and their decoding.

Kafka behaviour modelled (``TransactionLog`` and the ``TransactionLogKey`` / ``TransactionLogValue``
message schemas): the key is ``(version int16 = 0, transactional id string)``; the value, version 0,
is ``producer id int64, producer epoch int16, transaction timeout int32, status int8, partitions
[(topic string, [partition int32])], last update ms int64, start ms int64``.  A tombstone (null
value) removes an expired transactional id.  The topic is compacted, so the latest value per key
is the coordinator's state; a new coordinator rebuilds its cache by reading it.

Example::

    key, value = encode_txn_record(meta)
    decode_txn_record(key, value)["state"]      # 'Ongoing'

# Simplification: Kafka 4.x writes value version 1 (flexible, with tagged previous/next producer id
# and client transaction version) when transaction.version >= 1; we always write version 0, which
# holds every field this model uses.
"""
from __future__ import annotations

import struct

from ..groups.assignors import java_string_hash
from .state import TransactionState, TxnMetadata

TXN_TOPIC = "__transaction_state"


def transaction_partition(transactional_id: str, partitions: int = 50) -> int:
    """``Utils.abs(transactionalId.hashCode) % transaction.state.log.num.partitions``.

    >>> transaction_partition("etl-transformer-001")
    13
    """
    h = java_string_hash(transactional_id)
    return (0 if h == -(2**31) else abs(h)) % partitions


def _str(s: str) -> bytes:
    b = s.encode("utf-8")
    return struct.pack(">h", len(b)) + b


def encode_txn_key(transactional_id: str) -> bytes:
    return struct.pack(">h", 0) + _str(transactional_id)


def encode_txn_value(m: TxnMetadata, state: TransactionState, producer_epoch: int, partitions, start_ms: int,
                     update_ms: int, producer_id: int | None = None, timeout_ms: int | None = None) -> bytes:
    by_topic: dict[str, list[int]] = {}
    for t, p in sorted(partitions):
        by_topic.setdefault(t, []).append(p)
    out = [struct.pack(">hqhib", 0, m.producer_id if producer_id is None else producer_id, producer_epoch,
                       m.txn_timeout_ms if timeout_ms is None else timeout_ms, state.id),
           struct.pack(">i", len(by_topic))]
    for t, ps in by_topic.items():
        out.append(_str(t))
        out.append(struct.pack(">i", len(ps)) + b"".join(struct.pack(">i", p) for p in ps))
    out.append(struct.pack(">qq", update_ms, start_ms))
    return b"".join(out)


def encode_txn_record(m: TxnMetadata) -> tuple[bytes, bytes]:
    """Key and value of ``m`` as it stands."""
    return encode_txn_key(m.transactional_id), encode_txn_value(
        m, m.state, m.producer_epoch, m.partitions, m.txn_start_ms, m.txn_last_update_ms)


def decode_txn_key(key: bytes) -> str:
    (n,) = struct.unpack(">h", key[2:4])
    return key[4:4 + n].decode("utf-8")


def decode_txn_record(key: bytes, value: bytes | None) -> dict:
    """One record as a dict: transactional_id, producer_id, producer_epoch, timeout_ms, state,
    partitions [\"topic-p\", ...], last_update_ms, start_ms (``value`` None: a tombstone)."""
    tid = decode_txn_key(key)
    if value is None:
        return {"transactional_id": tid, "state": None}
    _v, pid, epoch, timeout, status = struct.unpack(">hqhib", value[:17])
    pos = 17
    (n_topics,) = struct.unpack(">i", value[pos:pos + 4])
    pos += 4
    parts = []
    for _ in range(max(n_topics, 0)):
        (tl,) = struct.unpack(">h", value[pos:pos + 2])
        topic = value[pos + 2:pos + 2 + tl].decode("utf-8")
        pos += 2 + tl
        (np_,) = struct.unpack(">i", value[pos:pos + 4])
        pos += 4
        for _ in range(np_):
            (p,) = struct.unpack(">i", value[pos:pos + 4])
            pos += 4
            parts.append(f"{topic}-{p}")
    update_ms, start_ms = struct.unpack(">qq", value[pos:pos + 16])
    return {"transactional_id": tid, "producer_id": pid, "producer_epoch": epoch, "timeout_ms": timeout,
            "state": TransactionState.from_id(status).label, "partitions": parts, "last_update_ms": update_ms,
            "start_ms": start_ms}
