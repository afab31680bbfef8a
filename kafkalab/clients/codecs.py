"""Kafka's compression codecs on real bytes: gzip, snappy, lz4 (frame) and zstd.

A producer compresses a whole batch; what it sends and what the broker stores is the compressed
batch, so sizes here are measured on the actual record bytes of the batch, never assumed.

>>> n = compress("zstd", [(b"k", b'{"page": "home"}' * 20, 0, None)] * 50)
>>> n < 16 * 20 * 50
True
"""
from __future__ import annotations

import zlib

CODECS = ("gzip", "snappy", "lz4", "zstd")
_zstd = None


def batch_bytes(records: list, has_headers: bool | None = None) -> bytes:
    """The bytes a codec sees: each record's key and value in order (headers included)."""
    if has_headers if has_headers is not None else any(r[3] for r in records):
        parts = []
        for key, value, _ts, headers in records:
            parts += [x for x in (key, value) if x is not None]
            for hk, hv in headers or ():
                parts.append(hk.encode() if isinstance(hk, str) else hk)
                if hv is not None:
                    parts.append(hv)
        return b"".join(parts)
    return b"".join([x for r in records for x in (r[0] or b"", r[1] or b"")])


def compress_bytes(codec: str, data: bytes) -> bytes:
    global _zstd
    if codec == "gzip":
        c = zlib.compressobj(6, zlib.DEFLATED, 31)  # gzip container, level 6 (the codecs' usual default)
        return c.compress(data) + c.flush()
    if codec == "snappy":
        import cramjam

        return bytes(cramjam.snappy.compress_raw(data))
    if codec == "lz4":
        import lz4.frame

        return lz4.frame.compress(data)
    if codec == "zstd":
        if _zstd is None:
            import zstandard

            _zstd = zstandard.ZstdCompressor(level=3)
        return _zstd.compress(data)
    raise ValueError(f"unknown compression codec {codec!r}: one of {', '.join(CODECS)}")


def compress(codec: str, records: list, has_headers: bool | None = None) -> int:
    """Compressed size in bytes of a batch's records with ``codec``."""
    return len(compress_bytes(codec, batch_bytes(records, has_headers)))
