"""The ``kafkalab`` command: build, student, and lab's argument handling and error path (never Lab itself)."""
from __future__ import annotations

import importlib.util
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

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


def test_lab_dry_run_builds_and_prints_the_command(project, lab_installed, capsys):
    assert main(["--root", str(project), "lab", "--dry-run", "--no-browser", "--port", "9123"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("built 1 notebook")
    assert shlex.split(lines[1]) == [
        sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={project.resolve()}",
        "--LabApp.default_url=/lab/tree/build/instructor", "--ServerApp.port=9123", "--ServerApp.open_browser=False",
        *ROOT_FLAG]


def test_lab_on_a_student_folder(project, tmp_path, lab_installed, capsys):
    out = tmp_path / "work"
    out.mkdir()
    assert main(["--root", str(project), "lab", str(out), "--dry-run"]) == 0
    cmd = shlex.split(capsys.readouterr().out.splitlines()[-1])
    assert cmd[3:] == [f"--ServerApp.root_dir={out.resolve()}", "--LabApp.default_url=/lab", *ROOT_FLAG]
    assert not (project / "build").exists(), "opening another folder builds nothing"
    assert main(["--root", str(project), "lab", str(tmp_path / "missing"), "--dry-run"]) == 2


def test_bad_arguments_exit_2(capsys):
    for argv in (["lab", "--port", "eighty"], [], ["student"]):
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
