"""Single Message Transforms with Kafka's class names and configs (``connect/transforms`` in apache/kafka).

``transforms=mask,route`` then ``transforms.mask.type=org.apache.kafka.connect.transforms.MaskField$Value``,
``transforms.mask.fields=email`` …; ``$Key`` variants act on the key.  Predicates
(``predicates=isTombstone``, ``predicates.isTombstone.type=…RecordIsTombstone``) gate a transform
with ``transforms.<name>.predicate`` and ``transforms.<name>.negate``; ``Filter`` drops the records
its predicate matches.  A missing required setting raises ``ConfigException`` with Kafka's text
(``Missing required configuration "regex" which has no default value.``).

# Simplification: the common settings of each transform; ``TimestampConverter`` knows the
# SimpleDateFormat letters yyyy MM dd HH mm ss SSS and works in UTC.
"""
from __future__ import annotations

import datetime as _dt
import re

from .data import ConfigException, ConnectRecord, DataException

PKG = "org.apache.kafka.connect.transforms."


def _required(cfg: dict, key: str) -> str:
    if key not in cfg or cfg[key] in (None, ""):
        raise ConfigException(f'Missing required configuration "{key}" which has no default value.')
    return cfg[key]


def _list(v) -> list[str]:
    if v is None or v == "":
        return []
    return [x.strip() for x in (v if isinstance(v, list) else str(v).split(",")) if x.strip()]


class Transformation:
    """Base: ``apply(record) -> record | None`` on the key (``$Key``) or the value (``$Value``)."""

    name = ""

    def __init__(self, cfg: dict, on_key: bool = False):
        self.cfg, self.on_key = cfg, on_key

    def _get(self, r: ConnectRecord):
        return (r.key_schema, r.key) if self.on_key else (r.value_schema, r.value)

    def _set(self, r: ConnectRecord, schema, value) -> ConnectRecord:
        return r.new_record(key_schema=schema, key=value) if self.on_key else r.new_record(value_schema=schema,
                                                                                           value=value)

    def _struct(self, r: ConnectRecord) -> tuple[dict | None, dict]:
        schema, value = self._get(r)
        if not isinstance(value, dict):
            kind = "key" if self.on_key else "value"
            raise DataException(f"Only Struct objects supported for [{self.name}], found: "
                                f"{type(value).__name__ if value is not None else 'null'} ({kind})")
        return schema, value

    def apply(self, r: ConnectRecord) -> ConnectRecord | None:
        raise NotImplementedError


class InsertField(Transformation):
    name = "field insertion"

    def apply(self, r):
        schema, value = self._struct(r)
        value = dict(value)
        add = []
        for key, what in (("topic.field", r.topic), ("partition.field", r.partition), ("offset.field", r.offset),
                          ("timestamp.field", r.timestamp), ("static.field", self.cfg.get("static.value"))):
            f = self.cfg.get(key)
            if f:
                value[f] = what
                add.append({"field": f, "type": "string" if key in ("topic.field", "static.field") else "int64",
                            "optional": True})
        if schema is not None:
            schema = dict(schema, fields=[f for f in schema.get("fields", []) if f["field"] not in value or
                                          f["field"] not in {a["field"] for a in add}] + add)
        return self._set(r, schema, value)


class ReplaceField(Transformation):
    name = "field replacement"

    def __init__(self, cfg, on_key=False):
        super().__init__(cfg, on_key)
        self.exclude, self.include = set(_list(cfg.get("exclude"))), set(_list(cfg.get("include")))
        self.renames = {}
        for pair in _list(cfg.get("renames")):
            if ":" not in pair:
                raise ConfigException(f"Invalid value {cfg.get('renames')} for configuration renames: Invalid rename "
                                      f"mapping: {pair}")
            old, new = pair.split(":", 1)
            self.renames[old] = new

    def _keep(self, name: str) -> bool:
        return name not in self.exclude and (not self.include or name in self.include)

    def apply(self, r):
        schema, value = self._struct(r)
        out = {self.renames.get(k, k): v for k, v in value.items() if self._keep(k)}
        if schema is not None:
            schema = dict(schema, fields=[dict(f, field=self.renames.get(f["field"], f["field"]))
                                          for f in schema.get("fields", []) if self._keep(f["field"])])
        return self._set(r, schema, out)


class MaskField(Transformation):
    name = "mask fields"
    _EMPTY = {"int8": 0, "int16": 0, "int32": 0, "int64": 0, "float32": 0.0, "float64": 0.0, "boolean": False,
              "string": "", "bytes": b""}

    def __init__(self, cfg, on_key=False):
        super().__init__(cfg, on_key)
        self.fields = _list(_required(cfg, "fields"))
        self.replacement = cfg.get("replacement")

    def apply(self, r):
        schema, value = self._struct(r)
        types = {f["field"]: f.get("type") for f in (schema or {}).get("fields", [])}
        out = dict(value)
        for f in self.fields:
            if f in out:
                v = out[f]
                t = types.get(f) or ("string" if isinstance(v, str) else "int64" if isinstance(v, int) else "string")
                out[f] = self.replacement if self.replacement is not None else self._EMPTY.get(t, None)
        return self._set(r, schema, out)


class Cast(Transformation):
    name = "cast types"
    _CASTS = {"int8": int, "int16": int, "int32": int, "int64": int, "float32": float, "float64": float,
              "boolean": lambda v: v if isinstance(v, bool) else str(v).strip().lower() in ("true", "1"),
              "string": lambda v: v if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v)}

    def __init__(self, cfg, on_key=False):
        super().__init__(cfg, on_key)
        self.whole = None
        self.spec = {}
        for item in _list(_required(cfg, "spec")):
            if ":" in item:
                f, t = item.split(":", 1)
                self.spec[f.strip()] = t.strip()
            else:
                self.whole = item
        for t in [*self.spec.values(), *([self.whole] if self.whole else [])]:
            if t not in self._CASTS:
                raise ConfigException(f"Invalid value {cfg['spec']} for configuration spec: Invalid type found in "
                                      f"casting spec: {t}")

    def _cast(self, v, t):
        if v is None:
            return None
        try:
            return self._CASTS[t](v)
        except (TypeError, ValueError):
            raise DataException(f"Value ({v!r}) was out of range for requested data type {t}") from None

    def apply(self, r):
        schema, value = self._get(r)
        if self.whole:
            return self._set(r, {"type": self.whole, "optional": True}, self._cast(value, self.whole))
        schema, value = self._struct(r)
        out = {k: self._cast(v, self.spec[k]) if k in self.spec else v for k, v in value.items()}
        if schema is not None:
            schema = dict(schema, fields=[dict(f, type=self.spec.get(f["field"], f["type"]))
                                          for f in schema.get("fields", [])])
        return self._set(r, schema, out)


_JAVA_FMT = [("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"), ("ss", "%S")]


class TimestampConverter(Transformation):
    name = "converting timestamp formats"

    def __init__(self, cfg, on_key=False):
        super().__init__(cfg, on_key)
        self.target = _required(cfg, "target.type")
        if self.target not in ("string", "unix", "Date", "Time", "Timestamp"):
            raise ConfigException(f"Invalid value {self.target} for configuration target.type: Unknown timestamp "
                                  f"type in TimestampConverter: {self.target}. Valid values are unix, Date, Time, "
                                  f"Timestamp, string.")
        self.field, self.format = cfg.get("field", ""), cfg.get("format", "")
        if self.target == "string" and not self.format:
            raise ConfigException("TimestampConverter requires format option to be specified when using string "
                                  "timestamps")

    def _to_ms(self, v) -> int:
        if isinstance(v, (int, float)):
            return int(v)
        if isinstance(v, str) and self.format:
            dt = _dt.datetime.strptime(v, self._py_format()).replace(tzinfo=_dt.timezone.utc)
            return int(dt.timestamp() * 1000)
        raise DataException(f"Expected a timestamp (epoch ms) but found {v!r}")

    def _py_format(self) -> str:
        f = self.format.replace("SSS", "%f")
        for j, p in _JAVA_FMT:
            f = f.replace(j, p)
        return f.replace("'", "")

    def _convert(self, v):
        ms = self._to_ms(v)
        if self.target in ("unix", "Timestamp"):
            return ms
        dt = _dt.datetime.fromtimestamp(ms / 1000, tz=_dt.timezone.utc)
        if self.target == "Date":
            return ms - ms % 86_400_000
        if self.target == "Time":
            return ms % 86_400_000
        out = dt.strftime(self._py_format())
        return out.replace(f"{dt.microsecond:06d}", f"{dt.microsecond // 1000:03d}")

    def apply(self, r):
        schema, value = self._get(r)
        if not self.field:
            return self._set(r, {"type": "string" if self.target == "string" else "int64", "optional": True},
                             self._convert(value))
        schema, value = self._struct(r)
        out = dict(value)
        if self.field in out and out[self.field] is not None:
            out[self.field] = self._convert(out[self.field])
        if schema is not None:
            schema = dict(schema, fields=[dict(f, type="string" if self.target == "string" else "int64")
                                          if f["field"] == self.field else f for f in schema.get("fields", [])])
        return self._set(r, schema, out)


class RegexRouter(Transformation):
    name = "regex router"

    def __init__(self, cfg, on_key=False):
        super().__init__(cfg, on_key)
        self.regex = re.compile(_required(cfg, "regex"))
        self.replacement = re.sub(r"\$(\d)", r"\\\1", _required(cfg, "replacement"))

    def apply(self, r):
        # RegexRouter: ``matcher.matches()`` then ``matcher.replaceFirst(replacement)``: one replacement
        # (re.sub would also replace the empty match that ``(.*)`` finds at the end: "orders-x-x").
        if self.regex.fullmatch(r.topic):
            return r.new_record(topic=self.regex.sub(self.replacement, r.topic, count=1))
        return r


class Filter(Transformation):
    """Drops every record (its predicate decides which ones reach it)."""

    name = "filter"

    def apply(self, r):
        return None


# -- predicates --------------------------------------------------------------------------------
PRED = PKG + "predicates."


class TopicNameMatches:
    def __init__(self, cfg):
        self.pattern = re.compile(_required(cfg, "pattern"))

    def test(self, r):
        return bool(self.pattern.fullmatch(r.topic))


class HasHeaderKey:
    def __init__(self, cfg):
        self.name = _required(cfg, "name")

    def test(self, r):
        return any(k == self.name for k, _ in (r.headers or []))


class RecordIsTombstone:
    def __init__(self, cfg):
        pass

    def test(self, r):
        return r.value is None


TRANSFORMS = {}
for _cls in (InsertField, ReplaceField, MaskField, Cast, TimestampConverter):
    TRANSFORMS[f"{PKG}{_cls.__name__}$Value"] = (_cls, False)
    TRANSFORMS[f"{PKG}{_cls.__name__}$Key"] = (_cls, True)
TRANSFORMS[PKG + "RegexRouter"] = (RegexRouter, False)
TRANSFORMS[PKG + "Filter"] = (Filter, False)
PREDICATES = {PRED + c.__name__: c for c in (TopicNameMatches, HasHeaderKey, RecordIsTombstone)}


class Chain:
    """The connector's ``transforms`` list, in order, each with its optional predicate."""

    def __init__(self, config: dict):
        preds = {}
        for p in _list(config.get("predicates")):
            t = config.get(f"predicates.{p}.type")
            if t not in PREDICATES:
                raise ConfigException(f"Invalid value {t} for configuration predicates.{p}.type: Class {t} could not "
                                      f"be found.")
            sub = {k[len(f"predicates.{p}."):]: v for k, v in config.items() if k.startswith(f"predicates.{p}.")}
            preds[p] = PREDICATES[t](sub)
        self.steps = []
        for name in _list(config.get("transforms")):
            t = config.get(f"transforms.{name}.type")
            if t not in TRANSFORMS:
                raise ConfigException(f"Invalid value {t} for configuration transforms.{name}.type: Class {t} could "
                                      f"not be found.")
            sub = {k[len(f"transforms.{name}."):]: v for k, v in config.items() if k.startswith(f"transforms.{name}.")}
            cls, on_key = TRANSFORMS[t]
            pred = sub.get("predicate")
            if pred and pred not in preds:
                raise ConfigException(f"Invalid value {pred} for configuration transforms.{name}.predicate: Predicate "
                                      f"'{pred}' is not defined in predicates")
            negate = str(sub.get("negate", "false")).lower() == "true"
            self.steps.append((name, cls(sub, on_key), preds.get(pred), negate))

    def apply(self, r: ConnectRecord, trail: list | None = None) -> ConnectRecord | None:
        for name, tr, pred, negate in self.steps:
            if pred is not None and pred.test(r) == negate:
                continue
            r = tr.apply(r)
            if trail is not None:
                trail.append((name, r))
            if r is None:
                return None
        return r
