"""Schema compatibility as Confluent's Schema Registry applies it, decided by Apache Avro's own checker.

The verdict for one reader/writer pair comes from the ``avro`` package
(``avro.compatibility.ReaderWriterCompatibilityChecker``): nothing here re-implements Avro's
schema-resolution rules.  What this module adds is the registry's policy around that verdict, as
in ``CompatibilityChecker.java`` / ``SchemaValidatorBuilder.java`` (confluentinc/schema-registry,
``client/src/main/java/io/confluent/kafka/schemaregistry/``):

* **BACKWARD** — the new schema can *read* data written with the previous one (reader = new).
* **FORWARD** — the previous schema can read data written with the new one (reader = old).
* **FULL** — both.  **NONE** — no check.
* A plain level checks only the **latest** registered version; a ``_TRANSITIVE`` level checks
  **every** version, newest first, and stops at the first one that fails.

Each failure is one ``Difference`` string exactly as the registry writes it
(``{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'email' at path
'/fields/1' in the new schema has no default value and is missing in the old schema',
additionalInfo:'email'}``), followed by ``{oldSchemaVersion: N}`` and ``{oldSchema: '…'}``.

>>> v1 = parse('{"type":"record","name":"u","fields":[{"name":"id","type":"long"}]}')
>>> v2 = parse('{"type":"record","name":"u","fields":[{"name":"id","type":"long"},'
...            '{"name":"email","type":"string"}]}')
>>> bool(check("BACKWARD", v2, [(1, v1)])), bool(check("FORWARD", v2, [(1, v1)]))
(True, False)
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import avro.compatibility as _avro_compat
import avro.errors
import avro.schema

LEVELS = ("BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "NONE")
DEFAULT_LEVEL = "BACKWARD"


class InvalidSchema(ValueError):
    """The schema text is not a valid Avro schema (the registry answers 422, error code 42201)."""


@dataclass(frozen=True)
class ParsedSchema:
    """An Avro schema parsed by Apache Avro, with the registry's canonical string of it."""

    schema: avro.schema.Schema
    canonical: str  # compact JSON, what the registry compares and stores

    def __str__(self) -> str:
        return self.canonical


def parse(schema_str: str) -> ParsedSchema:
    """Parse with Apache Avro; raise :class:`InvalidSchema` with Avro's reason."""
    try:
        parsed = avro.schema.parse(schema_str)
    except (avro.errors.AvroException, json.JSONDecodeError, TypeError, ValueError, AttributeError, KeyError) as e:
        raise InvalidSchema(str(e) or type(e).__name__) from None
    canonical = json.dumps(parsed.to_json(), separators=(",", ":"))
    return ParsedSchema(parsed, canonical)


# -- one reader/writer pair: Avro's verdict, the registry's wording -----------------------------
_DESCRIPTIONS = {
    # Difference.java: the registry's description of each Avro incompatibility type; the two
    # %s are filled with "new"/"old" in the order of the check (reader first).
    "FIXED_SIZE_MISMATCH": "The size of FIXED type field at path '{path}' in the %s schema does not match with "
                           "the %s schema",
    "TYPE_MISMATCH": "The type (path '{path}') of a field in the %s schema does not match with the %s schema",
    "NAME_MISMATCH": "The name of the schema has changed (path '{path}')",
    "MISSING_ENUM_SYMBOLS": "The %s schema is missing enum symbols '{info}' at path '{path}' in the %s schema",
    "MISSING_UNION_BRANCH": "The %s schema is missing a type inside a union field at path '{path}' in the %s schema",
    "READER_FIELD_MISSING_DEFAULT_VALUE": "The field '{info}' at path '{path}' in the %s schema has no default value "
                                          "and is missing in the %s schema",
}


def _java_info(kind: str, message: str) -> str:
    """Avro-Java's spelling of the checker's message (type names upper case, symbol sets as [A, B])."""
    if kind == "MISSING_ENUM_SYMBOLS" and message.startswith("{"):
        symbols = sorted(s.strip().strip("'\"") for s in message.strip("{}").split(",") if s.strip())
        return "[" + ", ".join(symbols) + "]"
    if kind == "TYPE_MISMATCH" and message.startswith("reader type: "):
        r, w = message[len("reader type: "):].split(" not compatible with writer type: ")
        return f"reader type: {r.upper()} not compatible with writer type: {w.upper()}"
    if kind == "MISSING_UNION_BRANCH" and message.startswith("reader union lacking writer type"):
        return "reader union lacking writer type: " + message.rsplit(" ", 1)[-1].lstrip(":").upper()
    return message


def _incompatibilities(reader: avro.schema.Schema, writer: avro.schema.Schema) -> list[tuple[str, str, str]]:
    """``(type, message, location)`` of every incompatibility Avro's checker finds, in its order.

    The Python checker merges messages and locations into sets, losing which belongs to which;
    its ``incompatible()`` helper is observed while it runs so each stays paired (Avro-Java keeps
    them paired in ``Incompatibility`` objects, which the registry prints).
    """
    made: list[tuple] = []
    original = _avro_compat.incompatible

    def observed(kind, message, location):
        result = original(kind, message, location)
        made.append((kind, message, next(iter(result.locations))))
        return result

    _avro_compat.incompatible = observed
    try:
        result = _avro_compat.ReaderWriterCompatibilityChecker().get_compatibility(reader, writer)
    finally:
        _avro_compat.incompatible = original
    if result.compatibility is not _avro_compat.SchemaCompatibilityType.incompatible:
        return []
    wanted = list(result.incompatibilities)
    out = []
    for kind, message, location in made:  # keep those that reached the final result, in order
        if wanted and kind is wanted[0] and message in result.messages and location in result.locations:
            out.append((kind.name.upper(), message, location))
            wanted.pop(0)
    for kind in wanted:  # a memoised pair counted twice: same text again
        out.append((kind.name.upper(), sorted(result.messages)[0], sorted(result.locations)[0]))
    return out


def reader_can_read(reader: ParsedSchema, writer: ParsedSchema, reader_word: str, writer_word: str) -> list[str]:
    """The registry's ``Difference`` strings for ``reader`` reading data written with ``writer``."""
    out = []
    for kind, message, path in _incompatibilities(reader.schema, writer.schema):
        info = _java_info(kind, message)
        desc = _DESCRIPTIONS.get(kind, "").format(path=path, info=info)
        desc = desc.replace("%s", reader_word, 1).replace("%s", writer_word, 1)
        out.append(f"{{errorType:'{kind}', description:'{desc}', additionalInfo:'{info}'}}")
    return out


def _strategy(level: str, new: ParsedSchema, old: ParsedSchema, old_version: int | None) -> list[str]:
    """SchemaValidatorBuilder's canRead / canBeRead / mutualRead strategies for one old schema."""

    def with_old(msgs: list[str]) -> list[str]:
        if msgs:
            if old_version is not None:
                msgs.append(f"{{oldSchemaVersion: {old_version}}}")
            msgs.append(f"{{oldSchema: '{old.canonical}'}}")
        return msgs

    base = level.replace("_TRANSITIVE", "")
    if base == "BACKWARD":
        return with_old(reader_can_read(new, old, "new", "old"))
    if base == "FORWARD":
        return with_old(reader_can_read(old, new, "old", "new"))
    # FULL: the old schema reads the new one (no schema appended), then the new reads the old.
    return reader_can_read(old, new, "old", "new") + with_old(reader_can_read(new, old, "new", "old"))


def checked_versions(level: str, previous: list[tuple[int | None, ParsedSchema]]) -> list[int | None]:
    """The versions ``level`` compares a new schema with: none (NONE), the latest, or every one (_TRANSITIVE)."""
    level = level.upper()
    if level == "NONE":
        return []
    versions = [v for v, _ in previous]
    return versions if level.endswith("_TRANSITIVE") else versions[-1:]


def check(level: str, new: ParsedSchema, previous: list[tuple[int | None, ParsedSchema]]) -> list[str]:
    """Error messages for registering ``new`` after ``previous`` (``(version, schema)``, oldest
    first) under ``level``; empty when compatible.  ``CompatibilityChecker.isCompatible``."""
    level = level.upper()
    if level not in LEVELS:
        raise ValueError(f"Invalid level {level}")
    if level == "NONE" or not previous:
        return []
    newest_first = list(reversed(previous))
    if not level.endswith("_TRANSITIVE"):
        newest_first = newest_first[:1]  # validateLatest()
    for version, old in newest_first:  # validateAll(): stop at the first failure
        msgs = _strategy(level, new, old, version)
        if msgs:
            return msgs
    return []


def verdict(level: str, new: ParsedSchema, previous: list[tuple[int | None, ParsedSchema]]) -> tuple[bool, str]:
    """``(compatible, one-line reason)`` for tables and widgets."""
    msgs = check(level, new, previous)
    if not msgs:
        checked = "nothing to check" if level.upper() == "NONE" or not previous else (
            "every earlier version" if level.upper().endswith("_TRANSITIVE") else f"version {previous[-1][0]}")
        return True, f"compatible under {level.upper()} ({checked})"
    first = msgs[0]
    desc = first.split("description:'", 1)[-1].rsplit("', additionalInfo", 1)[0] if "description:'" in first else first
    return False, desc
