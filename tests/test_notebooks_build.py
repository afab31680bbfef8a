"""notebooks/*.py -> build/{instructor,student}/*.ipynb: deterministic, round-trips, strips solutions safely."""
from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import jupytext
import pytest
from jupytext.config import load_jupytext_configuration_file

from kafkalab.notebooks_build import BuildError, build, build_student, sources, strip_solutions

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sources(REPO / "notebooks")

TOY = '''# %% [markdown]
# # Toy
# Markers in markdown stay: ### BEGIN SOLUTION

# %%
def durable(config):
    config = dict(config)
    ### BEGIN SOLUTION
    config["acks"] = "all"
    ### END SOLUTION
    return config

# %% tags=["solution"]
durable({})

# %% tags=["instructor"]
print("teaching note")

# %% tags=["exercise"]
answer = None
### BEGIN SOLUTION
answer = durable({})
### END SOLUTION

# %% tags=["check"]
check("toy", answer)
'''


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def write_source(folder: Path, text: str, name: str = "01_toy.py") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS][:1] == ["00_kit_demo.py"]


def test_two_builds_are_byte_identical(tmp_path):
    first = build(REPO / "notebooks", tmp_path / "a", force=True)
    second = build(REPO / "notebooks", tmp_path / "b", force=True)
    assert len(first) == 2 * len(NOTEBOOKS)
    for a, b in zip(first, second):
        assert a.relative_to(tmp_path / "a") == b.relative_to(tmp_path / "b")
        assert a.read_bytes() == b.read_bytes(), a.name


def test_build_output_is_plain_and_named(tmp_path):
    build(REPO / "notebooks", tmp_path, force=True)
    nb = json.loads((tmp_path / "instructor" / "00_kit_demo.ipynb").read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert [c["id"] for c in nb["cells"]] == [f"00_kit_demo-{i}" for i in range(len(nb["cells"]))]
    assert all(c.get("outputs", []) == [] for c in nb["cells"])
    assert all(set(c["metadata"]) <= {"tags"} for c in nb["cells"])


@pytest.mark.parametrize("src", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_round_trip_py_ipynb_py_is_byte_identical(src, tmp_path):
    """What JupyterLab's jupytext pairing writes back from the built .ipynb is the source, byte for byte."""
    build(src.parent, tmp_path, force=True)
    config = load_jupytext_configuration_file(str(REPO / "pyproject.toml"))
    nb = jupytext.read(tmp_path / "instructor" / f"{src.stem}.ipynb")
    back = jupytext.writes(nb, fmt="py:percent", config=config)
    expected = src.read_text()
    diff = "".join(difflib.unified_diff(expected.splitlines(True), back.splitlines(True), str(src), "round trip"))
    assert back == expected, f"{src.name} is not in jupytext's canonical form; make it so:\n{diff}"


def test_student_build_strips_solutions(tmp_path):
    write_source(tmp_path / "notebooks", TOY)
    build(tmp_path / "notebooks", tmp_path / "build")
    student = cells(tmp_path / "build" / "student" / "01_toy.ipynb")
    instructor = cells(tmp_path / "build" / "instructor" / "01_toy.ipynb")
    assert len(instructor) == 6
    assert [c["id"] for c in student] == ["01_toy-0", "01_toy-1", "01_toy-4", "01_toy-5"]
    assert "".join(student[0]["source"]).endswith("### BEGIN SOLUTION")  # markdown untouched
    assert "".join(student[1]["source"]) == (
        "def durable(config):\n    config = dict(config)\n    # YOUR CODE HERE\n    return config")
    assert "".join(student[2]["source"]) == "answer = None\n# YOUR CODE HERE"
    assert student[2]["metadata"] == {"tags": ["exercise"]}
    assert student[3]["metadata"] == {"tags": ["check", "raises-exception"]}
    assert instructor[5]["metadata"] == {"tags": ["check"]}
    text = (tmp_path / "build" / "student" / "01_toy.ipynb").read_text()
    assert '"all"' not in text and "teaching note" not in text


@pytest.mark.parametrize("body, problem", [
    ("answer = None\n### BEGIN SOLUTION\nanswer = 1\n", "is never closed"),
    ("answer = None\nanswer = 1\n### END SOLUTION\n", "without a '### BEGIN SOLUTION'"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "a '### END SOLUTION' is missing"),
    ("answer = None\n## BEGIN SOLUTION\nanswer = 1\n## END SOLUTION\n", "malformed solution marker"),
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n", "no longer parses"),
])
def test_bad_sources_fail_naming_notebook_and_cell(tmp_path, body, problem):
    write_source(tmp_path / "notebooks", f"# %%\nimport math\n\n# %% tags=[\"exercise\"]\n{body}")
    with pytest.raises(BuildError) as info:
        build(tmp_path / "notebooks", tmp_path / "build")
    assert problem in str(info.value)
    assert "01_toy.py, cell 1 (the one starting" in str(info.value)
    assert not (tmp_path / "build").exists(), "a broken source must write nothing"


def test_magics_and_shell_lines_do_not_count_as_syntax_errors():
    src = "%matplotlib inline\nif True:\n    !ls\n    ### BEGIN SOLUTION\n    x = 1\n    ### END SOLUTION\n    pass"
    assert strip_solutions(src) == "%matplotlib inline\nif True:\n    !ls\n    # YOUR CODE HERE\n    pass"


def test_rebuilds_only_when_the_source_is_newer(tmp_path):
    src = write_source(tmp_path / "notebooks", TOY)
    out = tmp_path / "build"
    assert len(build(src.parent, out)) == 2
    assert build(src.parent, out) == []
    assert len(build(src.parent, out, force=True)) == 2
    assert (out / "instructor" / "01_toy.ipynb").stat().st_mtime_ns == src.stat().st_mtime_ns
    later = src.stat().st_mtime_ns + 2_000_000_000
    os.utime(src, ns=(later, later))
    assert [p.parent.name for p in build(src.parent, out)] == ["instructor", "student"]


def test_build_student_into_a_folder_keeps_existing_work(tmp_path):
    src = write_source(tmp_path / "notebooks", TOY)
    out = tmp_path / "hand-out"
    assert build_student(out, src.parent) == [out / "01_toy.ipynb"]
    (out / "01_toy.ipynb").write_text("my work")
    later = src.stat().st_mtime_ns + 2_000_000_000
    os.utime(src, ns=(later, later))
    assert build_student(out, src.parent, keep_existing=True) == []
    assert (out / "01_toy.ipynb").read_text() == "my work"
    assert build_student(out, src.parent) == [out / "01_toy.ipynb"]
    assert "YOUR CODE HERE" in (out / "01_toy.ipynb").read_text()
