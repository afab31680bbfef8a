"""Imports point one way, down: sim -> model -> checks/scenarios -> viz -> widgets -> notebooks.

Read from the source (every ``import`` statement, at module level or inside a function), so a
lazy upward import counts as much as one at the top of a file:

* the model packages never import pandas, matplotlib, networkx or ipywidgets (renderers do);
* ``cluster/`` never imports ``clients/``, ``tools/``, ``viz/``, ``widgets/`` or anything above the
  model (its ``cluster.producer()`` conveniences go through factories the clients register);
* ``sim/`` knows no Kafka: it imports nothing else of kafkalab;
* no model package imports a renderer, panel, exercise, tool or scenario;
* renderers never import panels or exercises.

And at run time: importing ``kafkalab.cluster`` loads none of the drawing libraries.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "kafkalab"
DRAWING = {"pandas", "matplotlib", "networkx", "ipywidgets", "IPython"}
MODEL = ["sim", "cluster", "groups", "clients", "txn", "ecosystem", "config", "errors", "partitioners"]
ABOVE_MODEL = ["viz", "widgets", "exercises", "tools", "scenarios", "grading", "cli_main", "notebooks_build",
               "pytest_plugin"]


def module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Absolute names of every module ``path`` imports (``from .x import y`` resolved)."""
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            mod = ".".join(base + ([node.module] if node.module else []))
            found.add(mod)
            found.update(f"{mod}.{a.name}" for a in node.names)  # `from . import tools` imports a module
    return found


def files_of(unit: str) -> list[Path]:
    d = PKG / unit
    return sorted(d.rglob("*.py")) if d.is_dir() else [PKG / f"{unit}.py"]


def offending(unit: str, forbidden) -> list[str]:
    bad = []
    for f in files_of(unit):
        for name in sorted(imports_of(f)):
            if forbidden(name):
                bad.append(f"{f.relative_to(PKG.parent)} imports {name}")
    return bad


def is_under(name: str, units) -> bool:
    return any(name == f"kafkalab.{u}" or name.startswith(f"kafkalab.{u}.") for u in units)


def test_every_unit_named_here_exists_or_is_yet_to_come():
    for unit in MODEL + ["checks", "viz", "widgets", "exercises", "tools", "scenarios"]:
        if unit not in ("txn", "ecosystem"):
            assert files_of(unit)[0].exists(), unit


@pytest.mark.parametrize("unit", MODEL)
def test_the_model_never_imports_drawing_libraries(unit):
    assert offending(unit, lambda n: n.split(".")[0] in DRAWING) == []


@pytest.mark.parametrize("unit", MODEL)
def test_the_model_never_imports_what_sits_above_it(unit):
    assert offending(unit, lambda n: is_under(n, ABOVE_MODEL + ["checks", "replication", "isolation"])) == []


def test_cluster_never_imports_clients_or_anything_above_the_model():
    above = ["clients", "groups", "txn", "ecosystem"] + ABOVE_MODEL + ["checks", "replication", "isolation"]
    assert offending("cluster", lambda n: is_under(n, above)) == []


def test_sim_knows_no_kafka():
    assert offending("sim", lambda n: n.startswith("kafkalab.") and not n.startswith("kafkalab.sim")) == []


@pytest.mark.parametrize("unit", ["viz"])
def test_renderers_never_import_panels_or_exercises(unit):
    assert offending(unit, lambda n: is_under(n, ["widgets", "exercises", "grading", "cli_main"])) == []


def test_the_checker_itself_sees_an_upward_import(tmp_path, monkeypatch):
    """The scan resolves relative imports: a lazy ``from ..clients.producer import Producer`` in
    cluster/ is caught (the cycle this test exists to prevent)."""
    fake = PKG / "cluster" / "cluster.py"
    names = imports_of(fake)
    assert "kafkalab.sim" in names and "kafkalab.cluster.broker" in names
    src = tmp_path / "kafkalab" / "cluster"
    src.mkdir(parents=True)
    (src / "x.py").write_text("def f():\n    from ..clients.producer import Producer\n")
    monkeypatch.setattr(sys.modules[__name__], "PKG", tmp_path / "kafkalab")
    assert imports_of(src / "x.py") >= {"kafkalab.clients.producer", "kafkalab.clients.producer.Producer"}


def test_importing_the_cluster_loads_no_drawing_library():
    code = ("import sys, kafkalab.cluster; c = kafkalab.cluster.Cluster(brokers=1); "
            f"print(sorted(m for m in {sorted(DRAWING)!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
