"""``kafka-dump-log.sh`` (``kafka.tools.DumpLogSegments``) against a simulated broker's log segments.

Prints what Kafka 4.x prints for a ``.log`` segment: one line per record batch (``baseOffset`` …
``isTransactional``, ``isControl``, ``position``, ``CreateTime``, ``size``, ``crc``), and with
``--print-data-log`` (or ``--deep-iteration``) one ``| offset: …`` line per record, where a control
record shows ``endTxnMarker: COMMIT coordinatorEpoch: 0`` — so a learner sees a transaction marker
the way an operator does::

    kafka-dump-log.sh --files /tmp/kafka-logs/enriched-events-0/00000000000000000000.log --print-data-log

Paths are ``<log.dirs>/<topic>-<partition>/<base offset, 20 digits>.log`` with Kafka's default
``log.dirs=/tmp/kafka-logs``.

# Simplification: the tool runs "on" the partition leader's host: the file is that replica's segment
# whose base offset the name gives.  The ``crc`` is CRC-32C over the batch's v2 encoding from its
# attributes on, as Kafka computes it, for uncompressed batches; a compressed batch's records are
# encoded uncompressed for it.  Only the default StringDecoder is offered (no --offsets-decoder,
# --transaction-log-decoder, key/value decoder classes or index files), so the help lists those
# options of DumpLogSegmentsOptions that are modelled.
"""
from __future__ import annotations

import re
import struct

from ..cluster.log import decode_end_txn_marker
from .common import KAFKA_VERSION, JavaException, _Opt, _parse_options, _Tool

LOG_DIRS = "/tmp/kafka-logs"

DUMP_OPTIONS: list[_Opt] = [
    _Opt("deep-iteration", "If set, uses deep instead of shallow iteration. Automatically set if print-data-log is "
                           "enabled."),
    _Opt("files", "REQUIRED: The comma separated list of data and index log files to be dumped.", "file1, file2, ..."),
    _Opt("help", "Print usage information."),
    _Opt("max-bytes", "Limit the amount of total batches read in bytes avoiding reading the whole .log file(s).",
         "size", "Integer"),
    _Opt("print-data-log", "If set, printing the messages content when dumping data logs. Automatically set if any "
                           "decoder option is specified."),
    _Opt("skip-record-metadata", "Whether to skip printing metadata for each record."),
    _Opt("version", "Display Kafka version."),
]

_CRC_TABLE = []
for _n in range(256):
    _c = _n
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), the checksum of a v2 record batch (``Crc32C``)."""
    crc = 0xFFFFFFFF
    for b in data:
        crc = _CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _varint(n: int) -> bytes:
    z = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        if z < 0x80:
            out.append(z)
            return bytes(out)
        out.append((z & 0x7F) | 0x80)
        z >>= 7


def batch_crc(batch) -> int:
    """The batch's checksum: CRC-32C of its v2 encoding from ``attributes`` to the end."""
    recs = list(batch.iter_offsets())
    base_ts = recs[0][1][2] if recs else -1
    body = bytearray()
    for off, (key, value, ts, headers) in recs:
        rec = bytearray(b"\x00") + _varint(ts - base_ts) + _varint(off - batch.base_offset)
        rec += _varint(-1) if key is None else _varint(len(key)) + key
        rec += _varint(-1) if value is None else _varint(len(value)) + value
        hs = headers or ()
        rec += _varint(len(hs))
        for hk, hv in hs:
            hkb = hk.encode() if isinstance(hk, str) else hk
            rec += _varint(len(hkb)) + hkb + (_varint(-1) if hv is None else _varint(len(hv)) + hv)
        body += _varint(len(rec)) + rec
    attributes = (0x10 if batch.is_transactional else 0) | (0x20 if batch.is_control else 0)
    head = struct.pack(">hiqqqhii", attributes, batch.last_offset - batch.base_offset, base_ts, batch.max_timestamp,
                       batch.producer_id, batch.producer_epoch, batch.base_sequence, len(recs))
    return crc32c(head + bytes(body))


def _payload(b: bytes | None) -> str:
    return "null" if b is None else b.decode("utf-8", "replace")


class DumpLogSegments(_Tool):
    options = DUMP_OPTIONS

    def main(self) -> int:
        try:
            self.opts = _parse_options(self.args, self.specs)
        except JavaException as e:
            self.term.eprintln(e.message)
            return 1
        if not self.args or self.opts.has("help"):
            self.usage_exit("This tool helps to parse a log file and dump its contents to the console, useful for "
                            "debugging a seemingly corrupt log segment.")
        if self.opts.has("version"):
            self.term.println(KAFKA_VERSION)
            return 0
        self.check_required("files")
        cluster = self.admin_factory(None).cluster
        deep = self.opts.has("deep-iteration") or self.opts.has("print-data-log")
        max_bytes = self.opts.value_of("max-bytes") if self.opts.has("max-bytes") else 2**31 - 1
        for path in [p for p in self.opts.value_of("files").split(",") if p]:
            self.term.println(f"Dumping {path}")
            name = path.rsplit("/", 1)[-1]
            if not name.endswith(".log"):
                self.term.eprintln(f"Ignoring unknown file {path}")
                continue
            seg = self._segment(cluster, path)
            if seg is None:
                self.term.eprintln(f'Exception in thread "main" java.nio.file.NoSuchFileException: {path}')
                return 1
            self.term.println(f"Log starting offset: {int(name[:-4])}")
            self._dump(seg, deep, max_bytes)
        return 0

    def _segment(self, cluster, path: str):
        m = re.fullmatch(r".*/(?P<topic>[^/]+)-(?P<p>\d+)/(?P<base>\d{20})\.log", path)
        if m is None or m["topic"] not in cluster.topics():
            return None
        parts = cluster.describe(m["topic"]).partitions
        if int(m["p"]) >= len(parts):
            return None
        log = cluster.partition_log(m["topic"], int(m["p"]))
        base = int(m["base"])
        return next((s for s in (log.segments if log else []) if s.base_offset == base), None)

    def _dump(self, seg, deep: bool, max_bytes: int) -> None:
        position = 0
        skip_meta = self.opts.has("skip-record-metadata")
        printing = self.opts.has("print-data-log")
        for b in seg.batches:
            if position + b.size_bytes > max_bytes:
                break
            last_seq = b.base_sequence + len(b.records) - 1 if b.base_sequence >= 0 else -1
            horizon = "OptionalLong.empty" if b.delete_horizon_ms is None else f"OptionalLong[{b.delete_horizon_ms}]"
            codec = "none" if b.compression in ("none", "uncompressed") else b.compression
            self.term.println(
                f"baseOffset: {b.base_offset} lastOffset: {b.last_offset} count: {len(b.records)} baseSequence: "
                f"{b.base_sequence} lastSequence: {last_seq} producerId: {b.producer_id} producerEpoch: "
                f"{b.producer_epoch} partitionLeaderEpoch: {b.leader_epoch} isTransactional: "
                f"{str(b.is_transactional).lower()} isControl: {str(b.is_control).lower()} deleteHorizonMs: {horizon} "
                f"position: {position} CreateTime: {b.max_timestamp} size: {b.size_bytes} magic: 2 compresscodec: "
                f"{codec} crc: {batch_crc(b)} isvalid: true")
            if deep:
                for i, (off, (key, value, ts, headers)) in enumerate(b.iter_offsets()):
                    line, prefix = "", "| "
                    if not skip_meta:
                        seq = b.base_sequence + i if b.base_sequence >= 0 else -1
                        line += (f"{prefix}offset: {off} CreateTime: {ts} keySize: {-1 if key is None else len(key)} "
                                 f"valueSize: {-1 if value is None else len(value)} sequence: {seq} headerKeys: "
                                 f"[{','.join(h[0] for h in headers or ())}]")
                        prefix = " "
                        if b.is_control:
                            kind, epoch = decode_end_txn_marker(key, value)
                            line += f" endTxnMarker: {kind} coordinatorEpoch: {epoch}"
                    if printing and not b.is_control:
                        if key is not None:
                            line += f"{prefix}key: {_payload(key)}"
                            prefix = " "
                        line += f" payload: {_payload(value)}"
                    self.term.println(line)
            position += b.size_bytes


COMMAND = DumpLogSegments
