"""The schema-evolution explorer of notebook 07: pick a change and a compatibility level → the registry's verdict.

Each change re-runs :func:`render_evolution` on a fresh in-memory registry (``mock://``, the client's own
mock scheme): ``users-value`` gets v1 (``id``, ``name``, ``age``, ``nickname`` with a default) and — unless the history is "v1 only" —
v2, which adds ``email`` with a default; then the level is set and the chosen change of the latest version
is registered through ``SchemaRegistryClient.register_schema``.  The picture is the subject's history
with every verdict and reason (from the registry's trace); the table says what every level would have
answered to the same change; the text is the registry's own answer (the id, or HTTP 409 and its message).
"""
from __future__ import annotations

import itertools
import json

import ipywidgets as w

from ..ecosystem.schema_registry import LEVELS, parse, verdict
from ..viz.ecosystem import subject_timeline
from ..viz.gallery import sample
from .panel import Panel, View, new_figure

SUBJECT = "users-value"
V1 = {"type": "record", "name": "User", "fields": [{"name": "id", "type": "long"}, {"name": "name", "type": "string"},
                                                    {"name": "age", "type": "int"},
                                                    {"name": "nickname", "type": "string", "default": ""}]}
V2 = dict(V1, fields=V1["fields"] + [{"name": "email", "type": "string", "default": ""}])
HISTORIES = {"v1, v2 (email added, with a default)": (V1, V2), "v1 only": (V1,)}


def _fields(schema: dict) -> list[dict]:
    return [dict(f) for f in schema["fields"]]


def _change(latest: dict, change: str) -> dict:
    """The latest schema with ``change`` applied (every change is written against what the latest has)."""
    fields = _fields(latest)
    by = {f["name"]: f for f in fields}
    if change == "add a field with a default":
        fields.append({"name": "phone", "type": "string", "default": ""})
    elif change == "add a field without a default":
        fields.append({"name": "phone", "type": "string"})
    elif change == "remove a field that has a default (nickname)":
        fields = [f for f in fields if f["name"] != "nickname"]
    elif change == "remove a field without a default (age)":
        fields = [f for f in fields if f["name"] != "age"]
    elif change == "widen int to long (age)":
        by["age"]["type"] = "long"
    elif change == "narrow long to int (id)":
        by["id"]["type"] = "int"
    elif change == "rename a field (name → full_name)":
        by["name"]["name"] = "full_name"
    elif change == "rename with an alias (aliases: [name])":
        by["name"].update(name="full_name", aliases=["name"])
    elif change == "make age optional (null union, default null)":
        by["age"].update(type=["null", "int"], default=None)
    elif change == "change age's type to string":
        by["age"]["type"] = "string"
    else:
        raise ValueError(f"unknown change {change!r}; choose one of {CHANGES}")
    return dict(latest, fields=fields)


CHANGES = ("add a field with a default", "add a field without a default", "remove a field that has a default (nickname)",
           "remove a field without a default (age)", "widen int to long (age)", "narrow long to int (id)",
           "rename a field (name → full_name)", "rename with an alias (aliases: [name])",
           "make age optional (null union, default null)", "change age's type to string")
_runs = itertools.count()


def evolution_run(change: str, level: str, history: str = next(iter(HISTORIES))) -> dict:
    """Register the history, set ``level`` on the subject, register the changed schema: what the registry said."""
    from ..confluent_kafka.schema_registry import Schema, SchemaRegistryClient, SchemaRegistryError
    from ..ecosystem.schema_registry import SchemaRegistry

    registry = SchemaRegistry(None, url=f"mock://evolution-{next(_runs)}")
    sr = SchemaRegistryClient({"url": registry.url})
    versions = HISTORIES[history]
    for v in versions:
        sr.register_schema(SUBJECT, Schema(json.dumps(v)))
    sr.set_compatibility(SUBJECT, level)
    new = _change(versions[-1], change)
    try:
        schema_id = sr.register_schema(SUBJECT, Schema(json.dumps(new)))
        answer = (f"registered: id {schema_id}, version {sr.get_latest_version(SUBJECT).version} of {SUBJECT}")
    except SchemaRegistryError as e:
        answer = f"HTTP {e.http_status_code} (error code {e.error_code}): {e.error_message}"
    return {"registry": registry, "new": new, "answer": answer, "versions": versions}


def render_evolution(change: str = CHANGES[1], level: str = "BACKWARD", history: str = next(iter(HISTORIES))) -> View:
    import pandas as pd

    run = evolution_run(change, level, history)
    fig = new_figure(7.5, 1.3 + 0.62 * (len(run["versions"]) + 2))
    subject_timeline(run["registry"].trace, SUBJECT, ax=fig.add_subplot(111))
    previous = [(i + 1, parse(json.dumps(v))) for i, v in enumerate(run["versions"])]
    new = parse(json.dumps(run["new"]))
    rows = [(lv, "registers" if ok else "409", why) for lv in LEVELS for ok, why in [verdict(lv, new, previous)]]
    table = pd.DataFrame(rows, columns=["level", "verdict", "reason"])
    import textwrap

    text = "\n".join([f"change: {change}", textwrap.fill(f"under {level}: {run['answer']}", 110,
                                                          subsequent_indent="  "),
                      textwrap.fill(f"new schema: {json.dumps(run['new'])}", 110, subsequent_indent="  ")])
    return View(figure=fig, tables={"the same change under every level": table}, text=text, state=run)


def schema_evolution_explorer(change: str = CHANGES[1], level: str = "BACKWARD") -> Panel:
    controls = {
        "change": w.Dropdown(options=list(CHANGES), value=change, description="change"),
        "level": w.Dropdown(options=list(LEVELS), value=level, description="compatibility level"),
        "history": w.Dropdown(options=list(HISTORIES), value=next(iter(HISTORIES)), description="subject's history"),
    }
    return Panel(controls, render_evolution, title="Schema evolution explorer",
                 description="A fresh registry each time: the history is registered, the level set on the subject, "
                             "then the changed schema is registered.")


@sample(render_evolution, "small", "The explorer as it opens: a field without a default, under BACKWARD (409).")
def _evolution_small():
    return render_evolution(CHANGES[1], "BACKWARD")


@sample(render_evolution, "large", "A rename with an alias under FULL_TRANSITIVE, against v1 and v2.")
def _evolution_large():
    return render_evolution("rename with an alias (aliases: [name])", "FULL_TRANSITIVE")
