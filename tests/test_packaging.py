"""pyproject.toml, environment.yml, README.md and .ci/run agree with each other."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - jupytext brings tomli on 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
# conda-forge names that differ from PyPI's
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib", "python-confluent-kafka": "confluent-kafka", "python-avro": "avro"}
INSTALL_AND_OPEN = 'pip install -e ".[lab,test]" && kafkalab lab'
INSTALL_AND_TEST = 'pip install -e ".[test]" && pytest'


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lower_bounds(requirements) -> dict[str, str | None]:
    """{name: the version after >= (None if unbounded)} of PEP 508 strings that apply here."""
    out = {}
    for text in requirements:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate():
            continue
        bounds = [s.version for s in req.specifier if s.operator == ">="]
        out[canonical(req.name)] = bounds[0] if bounds else None
    return out


def environment() -> tuple[dict[str, str | None], list[str]]:
    """(conda dependencies as {PyPI name: lower bound}, the pip section's lines) of environment.yml."""
    conda, pip, section = {}, [], None
    for line in (REPO / "environment.yml").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            section = line.split(":", 1)[0]
            continue
        item = re.match(r"^(\s*)- (.*)$", line)
        if section != "dependencies" or item is None:
            continue
        indent, value = len(item[1]), item[2].strip()
        if indent > 2:
            pip.append(value.strip("\"'"))
        elif value != "pip:":
            name, bound = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(?:>=\s*(\S+))?", value).groups()
            conda[canonical(CONDA_TO_PYPI.get(name, name))] = bound
    return conda, pip


def test_environment_yml_lists_what_pyproject_asks_for():
    conda, pip = environment()
    assert conda.pop("python") == PYPROJECT["project"]["requires-python"].removeprefix(">=")
    assert conda.pop("pip") is None
    editable = [line for line in pip if line.startswith("-e .")]
    assert len(editable) == 1, f"environment.yml should pip-install this checkout: {pip}"
    extras = re.fullmatch(r"-e \.(?:\[([\w,]+)\])?", editable[0])[1]
    extras = extras.split(",") if extras else []
    expected = lower_bounds(PYPROJECT["project"]["dependencies"])
    for extra in extras:
        expected.update(lower_bounds(PYPROJECT["project"]["optional-dependencies"][extra]))
    conda.update(lower_bounds(line for line in pip if not line.startswith("-")))  # PyPI-only packages
    assert conda == expected


def test_every_requirement_has_a_lower_bound():
    groups = [PYPROJECT["project"]["dependencies"], *PYPROJECT["project"]["optional-dependencies"].values()]
    assert {name: bound for g in groups for name, bound in lower_bounds(g).items() if bound is None} == {}


def test_jupyterlab_stays_out_of_the_test_extra():
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert "jupyterlab" not in lower_bounds(extras["test"])
    assert {"nbval", "ipykernel", "pytest"} <= set(lower_bounds(extras["test"]))


def test_entry_points():
    assert PYPROJECT["project"]["scripts"] == {"kafkalab": "kafkalab.cli_main:main"}
    assert PYPROJECT["project"]["entry-points"]["pytest11"] == {"kafkalab": "kafkalab.pytest_plugin"}
    assert PYPROJECT["tool"]["jupytext"]["formats"] == "notebooks///py:percent,build/instructor///ipynb"


def readme_code_blocks() -> list[str]:
    return re.findall(r"^```[a-z]*\n(.*?)^```", (REPO / "README.md").read_text(), flags=re.DOTALL | re.MULTILINE)


def test_readme_opens_with_the_two_commands():
    text = (REPO / "README.md").read_text()
    assert text.startswith("# kafkalab\n")
    head = text.split("\n## ", 1)[0]
    blocks = [b.strip() for b in readme_code_blocks()]
    assert blocks[:2] == [INSTALL_AND_OPEN, INSTALL_AND_TEST]
    assert head.index(INSTALL_AND_TEST) < min(len(head), *(head.index(p) for p in ("**Studying", "**Teaching")))


def test_ci_runs_the_readme_test_command():
    ci = REPO / ".ci" / "run"
    lines = [line.strip() for line in ci.read_text().splitlines()]
    assert lines[0] == "#!/usr/bin/env bash" and "set -euo pipefail" in lines
    assert any(line.startswith(INSTALL_AND_TEST + " ") or line == INSTALL_AND_TEST for line in lines)
    assert os.access(ci, os.X_OK)
    subprocess.run(["bash", "-n", str(ci)], check=True)


def test_every_package_folder_has_an_init():
    """setuptools' find only ships folders with __init__.py; a module elsewhere would be missing when installed."""
    folders = {p.parent for p in (REPO / "kafkalab").rglob("*.py") if "__pycache__" not in p.parts}
    assert sorted(str(f.relative_to(REPO)) for f in folders if not (f / "__init__.py").exists()) == []


def test_readme_names_only_files_that_exist():
    """A newcomer follows the README literally: every repository path it names exists, and every
    notebook it names (``03_replication_isr.ipynb``) is built from a source in notebooks/."""
    text = (REPO / "README.md").read_text()
    paths = set(re.findall(r"(?<![\w/.~-])((?:kafkalab|notebooks|tests|benchmarks|\.ci)/[\w./-]*[\w/])", text))
    assert paths, "the README names no repository path at all"
    missing = sorted(p for p in paths if "NN" not in p and not (REPO / p).exists())
    assert missing == []
    notebooks = set(re.findall(r"\b(\d\d_[a-z_]+)\.ipynb", text))
    assert sorted(n for n in notebooks if not (REPO / "notebooks" / f"{n}.py").exists()) == []
