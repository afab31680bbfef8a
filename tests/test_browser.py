"""The sizing workbench of notebook 01 redraws, and the gallery (notebook 00) shows, in a real JupyterLab.

Runs ``tests/browser_check.py`` (see its docstring for every step) on notebook 01 built afresh from
``notebooks/01_why_kafka.py`` into a temp dir (or, before that source exists, on a one-cell notebook
showing the workbench). Skipped, with the reason, when Chromium, Playwright or JupyterLab is missing:
``.ci/run`` installs them when it can. ``pytest -m browser tests/test_browser.py`` runs just this.
"""
from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def missing() -> str | None:
    if shutil.which("chromium") is None:
        return "no `chromium` on PATH (apt-get install chromium)"
    for module, extra in (("playwright", "browser"), ("jupyterlab", "lab")):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install -e '.[{extra}]')"
    return None


pytestmark = [pytest.mark.browser, pytest.mark.skipif(missing() is not None, reason=str(missing()))]


def load_check():
    spec = importlib.util.spec_from_file_location("kafkalab_browser_check", HERE / "browser_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sizing_workbench_redraws_in_jupyterlab():
    bc = load_check()
    try:
        seen = bc.run_check(screenshot=bc.DEFAULT_SCREENSHOT, prefer_build=False)
    except bc.BrowserCheckError as err:
        pytest.fail(f"browser check failed: {err}", pytrace=False)
    t = seen["timings"]
    report = f"{seen['notebook']}: {t}"
    # ArrowRight moved the slider one step, and the kernel sent back a new picture and new tables.
    before, after = int(seen["readout_before"]), int(seen["readout_after"])
    assert after == before + 10_000, report
    assert seen["src_after"] != seen["src_before"], report
    assert seen["text_after"] != seen["text_before"], report
    assert f"ceil({after:,} " in seen["text_after"], seen["text_after"]  # the sizing table's "how" column
    assert re.search(r"--partitions \d+", seen["text_after"]), seen["text_after"]
    assert seen["sliders"] == 6, report
    assert t["slider_to_image_ms"] < 5000, report
    assert len(seen["image_title"]) > 40, report  # the figure's alt text, as the <img title> screen readers use
    shot = Path(seen["screenshot"])
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000, shot


def test_gallery_shows_every_renderer_with_alt_text_in_jupyterlab():
    """Notebook 00_kit_gallery in a real JupyterLab: one figure per registered small sample, each an <img> whose alt
    is the figure's description (kafkalab figures display as HTML for that), none shrunk to fit the page."""
    import kafkalab.widgets
    from kafkalab.viz import gallery

    bc = load_check()
    try:
        seen = bc.run_check(screenshot=bc.GALLERY_SCREENSHOT, prefer_build=False, gallery=True, timeout=150)
    except bc.BrowserCheckError as err:
        pytest.fail(f"browser check failed: {err}", pytrace=False)
    expected = gallery.samples(kafkalab.widgets, size="small")
    assert seen["figures"] == len(expected), seen["timings"]
    assert seen["shrunk"] == [], "figures wider than the notebook are scaled down, their text with them"
    assert all(a.endswith(".") and len(a) > 40 for a in seen["alts"])
    shot = Path(seen["screenshot"])
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and seen["page_height"] > 3000, shot
