"""The ``kafkalab`` command: build, student/assign, check, grade, and lab's argument handling (never Lab itself).

``kafkalab grade`` on a whole class is tests/test_grading_class.py; here ``check`` runs a notebook
or two, as a learner would, through a pipe.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import synthetic_class as sc

from kafkalab import cli_main
from kafkalab.cli_main import main

REPO = Path(__file__).resolve().parents[1]
ROOT_FLAG = ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "notebooks").mkdir()
    demo = REPO / "notebooks" / "00_kit_demo.py"
    (tmp_path / "notebooks" / demo.name).write_bytes(demo.read_bytes())
    return tmp_path


@pytest.fixture
def lab_installed(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: object() if name == "jupyterlab" else real(name, *a))


def test_build_then_up_to_date(project, capsys):
    assert main(["--root", str(project), "build"]) == 0
    assert capsys.readouterr().out == f"built 1 notebook into {project / 'build'}\n"
    assert (project / "build" / "student" / "00_kit_demo.ipynb").exists()
    assert main(["--root", str(project), "build"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["--root", str(project), "build", "--force"]) == 0
    assert capsys.readouterr().out.startswith("built 1 notebook")


def test_build_error_is_one_line_and_exit_1(project, capsys):
    (project / "notebooks" / "01_bad.py").write_text("# %%\nx = None\n### BEGIN SOLUTION\nx = 1\n")
    assert main(["--root", str(project), "build"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kafkalab: ") and "01_bad.py, cell 0" in err and "never closed" in err


def test_build_without_notebooks_says_where(tmp_path):
    with pytest.raises(SystemExit, match="no notebooks/NN_topic.py in"):
        main(["--root", str(tmp_path), "build"])


def test_student_writes_and_then_keeps_your_work(project, tmp_path, capsys):
    out = tmp_path / "work"
    assert main(["--root", str(project), "student", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out / '00_kit_demo.ipynb'}\n"
    (out / "00_kit_demo.ipynb").write_text("my answers")
    assert main(["--root", str(project), "student", str(out)]) == 0
    assert "kept 1 existing notebook" in capsys.readouterr().out
    assert (out / "00_kit_demo.ipynb").read_text() == "my answers"
    assert main(["--root", str(project), "student", str(out), "--force"]) == 0
    assert "YOUR CODE HERE" in (out / "00_kit_demo.ipynb").read_text()


def test_lab_without_jupyterlab_says_how_to_install(project, monkeypatch, capsys):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    assert main(["--root", str(project), "lab"]) == 2
    assert capsys.readouterr().err == 'kafkalab: JupyterLab is not installed in this environment; ' \
                                      'install it with: pip install -e ".[lab]"\n'


def test_lab_dry_run_writes_nothing_and_prints_the_command(project, lab_installed, capsys):
    assert main(["--root", str(project), "lab", "--dry-run", "--no-browser", "--port", "9123"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"would build 1 notebook into {project / 'build'}"
    assert not (project / "build").exists(), "a dry run writes nothing"
    assert shlex.split(lines[1]) == [
        sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={project.resolve()}",
        "--LabApp.default_url=/lab/tree/build/instructor", "--ServerApp.port=9123", "--ServerApp.open_browser=False",
        *ROOT_FLAG]
    assert main(["--root", str(project), "build"]) == 0
    capsys.readouterr()
    assert main(["--root", str(project), "lab", "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith(f"notebooks in {project / 'build'} are up to date\n")


def test_lab_on_a_student_folder(project, tmp_path, lab_installed, capsys):
    out = tmp_path / "work"
    out.mkdir()
    assert main(["--root", str(project), "lab", str(out), "--dry-run"]) == 0
    cmd = shlex.split(capsys.readouterr().out.splitlines()[-1])
    assert cmd[3:] == [f"--ServerApp.root_dir={out.resolve()}", "--LabApp.default_url=/lab", *ROOT_FLAG]
    assert not (project / "build").exists(), "opening another folder builds nothing"
    assert main(["--root", str(project), "lab", str(tmp_path / "missing"), "--dry-run"]) == 2


def test_version_and_options_before_or_after_the_command(project, tmp_path, capsys):
    from importlib.metadata import version
    for argv in (["--version"], ["build", "--version"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 0
        assert capsys.readouterr().out == f"kafkalab {version('kafkalab')}\n"
    out = tmp_path / "work"
    assert main(["student", str(out), "--root", str(project)]) == 0
    assert capsys.readouterr().out == f"wrote {out / '00_kit_demo.ipynb'}\n"
    assert main(["--root", str(tmp_path / "elsewhere"), "build", "--root", str(project)]) == 0, "the later one wins"
    capsys.readouterr()


def test_student_into_a_file_is_one_line(project, tmp_path, capsys):
    afile = tmp_path / "notes.txt"
    afile.write_text("mine")
    assert main(["--root", str(project), "student", str(afile)]) == 2
    assert capsys.readouterr().err == f"kafkalab: {afile} is a file; give the folder to write the student " \
                                      "notebooks into\n"
    assert main(["--root", str(project), "student", str(afile / "below")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"kafkalab: cannot write into {afile / 'below'}: ") and err.count("\n") == 1
    assert afile.read_text() == "mine"


def test_student_from_a_folder_without_notebooks_says_so(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["--root", str(tmp_path), "student", str(tmp_path / "out")])
    assert info.value.code != 0 and "no notebooks/NN_topic.py in" in str(info.value.code)
    assert not (tmp_path / "out").exists()


def test_assign_hands_out_the_chosen_notebooks(project, tmp_path, capsys):
    second = project / "notebooks" / "03_second.py"
    second.write_text((project / "notebooks" / "00_kit_demo.py").read_text())
    out = tmp_path / "handout"
    assert main(["--root", str(project), "assign", str(out), "3"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["03_second.ipynb"]
    capsys.readouterr()
    assert main(["--root", str(project), "assign", str(out), "00_kit_demo", "03_second.py"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"wrote {out / '00_kit_demo.ipynb'}",
        f"kept 1 existing notebook in {out} (your work); --force overwrites them"]
    assert main(["--root", str(project), "assign", str(out), "07"]) == 2
    assert capsys.readouterr().err == "kafkalab: no notebook '07'; the notebooks are 00_kit_demo, 03_second\n"


def test_bad_arguments_exit_2(capsys):
    for argv in (["lab", "--port", "eighty"], [], ["student"], ["check"], ["grade", "x", "--timeout", "0"],
                 ["check", "x.ipynb", "-j", "0"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
    capsys.readouterr()


def test_root_is_the_checkout_with_notebooks_else_the_cwd(monkeypatch, tmp_path):
    checkout = Path(cli_main.__file__).resolve().parents[1]
    assert (checkout / "notebooks").is_dir()
    assert cli_main.find_root() == checkout
    assert cli_main.find_root("x") == Path("x").resolve()
    monkeypatch.setattr(cli_main, "__file__", str(tmp_path / "site-packages" / "kafkalab" / "cli_main.py"))
    monkeypatch.chdir(tmp_path)
    assert cli_main.find_root() == tmp_path


def test_console_script_and_module_entry_point():
    out = subprocess.run([sys.executable, "-m", "kafkalab", "--help"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("usage: kafkalab ")
    from importlib.metadata import entry_points
    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    assert scripts.get("kafkalab") == "kafkalab.cli_main:main", 'not installed: pip install -e ".[test]"'


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONHASHSEED="0")
    env.pop("NO_COLOR", None)
    return subprocess.run([sys.executable, "-m", "kafkalab", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=600, check=False)


@pytest.fixture(scope="module")
def demo_builds(tmp_path_factory) -> Path:
    from kafkalab import notebooks_build
    out = tmp_path_factory.mktemp("builds")
    src = tmp_path_factory.mktemp("src")
    (src / "00_kit_demo.py").write_bytes((REPO / "notebooks" / "00_kit_demo.py").read_bytes())
    notebooks_build.build(src, out, force=True)
    return out


@pytest.mark.slow
def test_check_prints_a_score_table_without_colours_in_a_pipe(demo_builds):
    proc = run_cli("check", str(demo_builds / "student" / "00_kit_demo.ipynb"),
                   str(demo_builds / "instructor" / "00_kit_demo.ipynb"), "--root", str(REPO))
    assert proc.returncode == 1, proc.stderr  # not every exercise is correct
    assert "\x1b" not in proc.stdout + proc.stderr
    assert proc.stdout.splitlines() == [
        "00_kit_demo.ipynb",
        "  [3]  ✗ demo_partition_count  no answer yet: replace None in the exercise cell above",
        "  [6]  ✗ demo_replica_count    no answer yet: replace None in the exercise cell above",
        "00_kit_demo: 0/2 correct",
        "",
        "00_kit_demo.ipynb",
        "  [3]  ✓ demo_partition_count  correct",
        "  [6]  ✓ demo_replica_count    correct",
        "00_kit_demo: 2/2 correct"]
    # [3] and [6]: JupyterLab's numbers on a Run All, where the two check cells are the 3rd and 6th code cells
    cells = json.loads((demo_builds / "student" / "00_kit_demo.ipynb").read_text())["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert [i + 1 for i, c in enumerate(code) if "check" in c["metadata"].get("tags", [])] == [3, 6]


@pytest.mark.slow
def test_check_names_the_failing_cell_and_stops_a_loop(demo_builds, tmp_path):
    nb = json.loads((demo_builds / "instructor" / "00_kit_demo.ipynb").read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    code[0]["source"] += "\nundefined_name"  # cell [1] raises, the rest still runs
    nb["cells"].append({"cell_type": "code", "execution_count": None, "id": "mine", "metadata": {}, "outputs": [],
                        "source": sc.ENDLESS_LOOP})
    mine = tmp_path / "my copy.ipynb"
    mine.write_text(json.dumps(nb))
    proc = run_cli("check", str(mine), "--timeout", "8", "--root", str(REPO))
    assert proc.returncode == 0, proc.stdout + proc.stderr  # every exercise was checked before the loop
    assert proc.stdout.splitlines() == [
        "my copy.ipynb (graded as 00_kit_demo)",
        "  [3]  ✓ demo_partition_count  correct",
        "  [6]  ✓ demo_replica_count    correct",
        "  note: cell [1] raised NameError: name 'undefined_name' is not defined",
        f"  note: stopped: cell [{len(code) + 1}] was still running when the notebook's 8 s were up",
        "00_kit_demo: 2/2 correct"]


def test_check_and_grade_say_what_is_missing(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope.ipynb")]) == 2
    assert capsys.readouterr().err == f"kafkalab: {tmp_path / 'nope.ipynb'}: no such notebook file\n"
    (tmp_path / "a.ipynb").write_text("{}")
    assert main(["--root", str(tmp_path), "check", str(tmp_path / "a.ipynb")]) == 2
    assert "grading re-runs the kit's own checks" in capsys.readouterr().err
    assert main(["grade", str(tmp_path / "a.ipynb")]) == 2
    assert capsys.readouterr().err == f"kafkalab: {tmp_path / 'a.ipynb'} is not a folder of submissions\n"
    (tmp_path / "empty").mkdir()
    assert main(["grade", str(tmp_path / "empty")]) == 2
    assert capsys.readouterr().err == f"kafkalab: no .ipynb files under {tmp_path / 'empty'}\n"
