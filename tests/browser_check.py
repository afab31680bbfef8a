"""Real-browser check: notebook 01's sizing workbench redraws in JupyterLab under Chromium; the gallery shows.

Starts a throw-away JupyterLab (fresh config, data, runtime and settings folders in a temp dir, a random
token, a free port on 127.0.0.1), opens a *copy* of the notebook there (so neither autosave nor jupytext
pairing can write into the checkout), runs all cells through ``window.jupyterapp.commands``, then in the
sizing workbench's output:

* waits for the widget's ``<img>`` to hold a decoded picture,
* presses ArrowRight on the ``peak events/s`` slider handle (ipywidgets 8 draws sliders with noUiSlider,
  ``.noUi-handle``) and asserts that the slider's readout and the image's ``src`` change within a few
  seconds — the round trip browser → kernel → ``Panel.redraw`` → new PNG → browser,
* asserts that no "Loading widget", "Error displaying widget" or "Model not found" text is left on the
  page and that no cell raised,
* saves a screenshot with the workbench scrolled to the top.

With ``--gallery`` it runs notebook 00_kit_gallery instead: every figure output is an ``<img>`` whose
``alt`` a screen reader reads (kafkalab's figures display as HTML for that, see
``kafkalab/viz/style.py``), none is shrunk to fit, and the whole notebook is photographed in one tall
screenshot (``build/gallery.png``).

Chromium is the system one (``shutil.which("chromium")``, never ``playwright install``) with a fresh
profile. Every wait is bounded; the server is stopped by its PID (kernels first, through the REST API) in
a ``finally`` block. About 15 s on 2 cores.

    python tests/browser_check.py                                  # notebook 01 (see default_notebook)
    python tests/browser_check.py --notebook build/instructor/01_why_kafka.ipynb --screenshot /tmp/wb.png
    python tests/browser_check.py --gallery                        # notebook 00, build/gallery.png

``tests/test_browser.py`` runs :func:`run_check` under ``pytest -m browser``.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_STEM = "01_why_kafka"
GALLERY_STEM = "00_kit_gallery"
DEFAULT_SCREENSHOT = REPO / "build" / "browser_check.png"
GALLERY_SCREENSHOT = REPO / "build" / "gallery.png"
PANEL_TITLE = "Sizing workbench"  # the Panel's title (kafkalab/widgets/sizing.py)
SLIDER_LABEL = "peak events/s"  # the slider moved: 100,000 -> 110,000 events/s, 20 -> 22 partitions
BAD_TEXTS = ("Loading widget", "Error displaying widget", "Model not found")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Pre-seeded JupyterLab user settings: no news/update toast over the page, no autosave of the copy.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    # every cell in the DOM (no virtual scrolling): the gallery's images can be counted and photographed
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
SYNTHETIC_CELLS = ["from kafkalab.widgets.sizing import sizing_workbench\nsizing_workbench()"]


class BrowserCheckError(AssertionError):
    """The check failed; the message says at which step and what the page showed."""


class Deadline:
    """One time budget for the whole check; every wait takes the smaller of its own limit and what is left."""

    def __init__(self, seconds: float):
        self.end = time.monotonic() + seconds

    def left(self, cap: float) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise BrowserCheckError("the check ran out of its time budget (--timeout)")
        return min(cap, left)

    def ms(self, cap_s: float) -> float:
        return self.left(cap_s) * 1000


# ---------------------------------------------------------------------------------------------------
# Which notebook


def synthetic_notebook(folder: Path) -> Path:
    """A one-cell notebook showing the sizing workbench, for when notebook 01 does not exist yet."""
    import nbformat
    from nbformat import v4

    nb = v4.new_notebook(metadata={"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                                  "name": "python3"}, "language_info": {"name": "python"}})
    nb.cells = [v4.new_code_cell(src, id=f"workbench-{i}", metadata={"tags": ["nbval-ignore-output"]})
                for i, src in enumerate(SYNTHETIC_CELLS)]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sizing_workbench.ipynb"
    nbformat.write(nb, str(path))
    return path


def default_notebook(workdir: Path, prefer_build: bool = True, stem: str = NOTEBOOK_STEM) -> Path:
    """The notebook to check when none is given.

    ``build/instructor/01_why_kafka.ipynb`` when it exists and is not older than its source (and
    ``prefer_build``); else notebook 01's instructor version freshly built from ``notebooks/`` into
    ``workdir`` with the kit's build functions; else, before notebook 01 is written, a one-cell notebook
    showing the workbench.
    """
    src = REPO / "notebooks" / f"{stem}.py"
    built = REPO / "build" / "instructor" / f"{stem}.ipynb"
    if prefer_build and built.exists() and (not src.exists() or built.stat().st_mtime_ns >= src.stat().st_mtime_ns):
        return built
    if src.exists():  # built as `kafkalab build` would, but only this notebook: another one's state is not ours
        from kafkalab import notebooks_build

        target = workdir / "nbbuild" / f"{stem}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(notebooks_build.dumps(notebooks_build.instructor_notebook(src)), encoding="utf-8")
        return target
    if stem != NOTEBOOK_STEM:
        raise BrowserCheckError(f"no notebooks/{stem}.py to check")
    return synthetic_notebook(workdir / "synthetic")


# ---------------------------------------------------------------------------------------------------
# JupyterLab server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """A JupyterLab process with its own config/data/runtime/settings folders, stopped by its PID."""

    def __init__(self, work: Path, root: Path):
        self.work, self.root = work, root
        self.token = secrets.token_hex(24)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = work / "lab.log"
        self.proc: subprocess.Popen | None = None

    def env(self) -> dict[str, str]:
        dirs = {name: self.work / name.lower() for name in
                ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_SETTINGS_DIR",
                 "JUPYTERLAB_WORKSPACES_DIR", "IPYTHONDIR")}
        for d in dirs.values():
            d.mkdir(parents=True, exist_ok=True)
        for rel, settings in LAB_SETTINGS.items():
            path = dirs["JUPYTERLAB_SETTINGS_DIR"] / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(settings))
        env = dict(os.environ, **{k: str(v) for k, v in dirs.items()})
        env["PYTHONHASHSEED"] = "0"  # the kernel inherits it: seeded layouts stay stable
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
        env.pop("JUPYTER_PATH", None)
        env.pop("JUPYTER_TOKEN", None)
        return env

    def start(self, deadline: Deadline) -> None:
        cmd = [sys.executable, "-m", "jupyterlab", "--allow-root", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
               f"--ServerApp.root_dir={self.root}", f"--IdentityProvider.token={self.token}",
               "--LabApp.expose_app_in_browser=True", "--ServerApp.open_browser=False"]
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(cmd, cwd=self.root, env=self.env(), stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        limit = time.monotonic() + deadline.left(40)
        while time.monotonic() < limit:
            if self.proc.poll() is not None:
                raise BrowserCheckError(f"JupyterLab exited with status {self.proc.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError, urllib.error.URLError):
                if self.api("/api/status", timeout=2) is not None:
                    return
            time.sleep(0.2)
        raise BrowserCheckError(f"JupyterLab did not answer on {self.url} in time:\n{self.log_tail()}")

    def api(self, path: str, method: str = "GET", timeout: float = 5):
        req = urllib.request.Request(self.url + path, method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
        return json.loads(body) if body else {}

    def log_tail(self, lines: int = 25) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no server log)"
        return "\n".join(text[-lines:]).replace(self.token, "<token>")

    def stop(self) -> None:
        """Shut the kernels down through the REST API, then SIGTERM (later SIGKILL) the server's PID."""
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(Exception):
            for kernel in self.api("/api/kernels", timeout=3):
                with contextlib.suppress(Exception):
                    self.api(f"/api/kernels/{kernel['id']}", method="DELETE", timeout=5)
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


# ---------------------------------------------------------------------------------------------------
# The page

JS_KERNEL_IDLE = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!(k && w.context.isReady && k.connectionStatus === 'connected' && k.status === 'idle'
            && w.content && w.content.widgets.length > 0);
}"""

JS_RUN_ALL = """() => {
  window.__kafkalabRunAll = {done: false};
  window.jupyterapp.commands.execute('notebook:run-all-cells').then(
    r => { window.__kafkalabRunAll = {done: true, result: r}; },
    e => { window.__kafkalabRunAll = {done: true, error: String(e)}; });
  return true;
}"""

JS_CELLS = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  return w.content.widgets.map((c, i) => {
    if (c.model.type !== 'code') return null;
    const outs = c.model.outputs.toJSON();
    return {index: i, count: c.model.executionCount, tags: c.model.getMetadata('tags') || [],
            first: c.model.sharedModel.getSource().split('\\n')[0],
            errors: outs.filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue)};
  }).filter(c => c !== null);
}"""

JS_KERNEL_BUSY_OR_PENDING = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  const pending = [...document.querySelectorAll('.jp-InputArea-prompt')].some(p => p.textContent.includes('*'));
  return !(k && k.status === 'idle') || pending;
}"""

# The text of the panel's HTML widgets (title, error, command output, tables), not of the sliders' readouts.
JS_HTML_TEXT = """(el) => [...el.querySelectorAll('.widget-html')].map(e => e.innerText).join('\\n')"""

JS_IMAGE_READY = """(img) => img.complete && img.naturalWidth > 0 && !!img.getAttribute('src')"""

JS_BAD_TEXT = """(bad) => {
  const text = document.body.innerText.toLowerCase();
  return bad.filter(b => text.includes(b.toLowerCase()));
}"""


def open_browser(playwright, profile: Path):
    chromium = shutil.which("chromium")
    if chromium is None:
        raise BrowserCheckError("no `chromium` on PATH (apt-get install chromium)")
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=chromium, headless=True, args=CHROMIUM_FLAGS,
        viewport={"width": 1400, "height": 1000}, device_scale_factor=1)


def open_and_run_all(page, lab: LabServer, notebook_name: str, deadline: Deadline, timings: dict) -> list:
    """Open the notebook, wait for an idle kernel, Run All, and fail on any cell that raised; the cells."""
    from playwright.sync_api import Error as PlaywrightError  # TimeoutError is one too
    t0 = time.monotonic()
    page.goto(f"{lab.url}/lab/tree/{notebook_name}?token={lab.token}", wait_until="domcontentloaded",
              timeout=deadline.ms(30))
    try:
        page.wait_for_function(JS_KERNEL_IDLE, timeout=deadline.ms(40), polling=100)
    except PlaywrightError as err:
        raise BrowserCheckError(f"the notebook did not open with an idle kernel: {err}") from None
    timings["open_s"] = time.monotonic() - t0
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")

    t0 = time.monotonic()
    page.evaluate(JS_RUN_ALL)
    try:
        page.wait_for_function("() => window.__kafkalabRunAll.done", timeout=deadline.ms(90), polling=100)
        page.wait_for_function(f"() => !({JS_KERNEL_BUSY_OR_PENDING})()", timeout=deadline.ms(30), polling=100)
    except PlaywrightError as err:
        raise BrowserCheckError(f"Run All did not finish with the kernel idle: {err}") from None
    timings["run_all_s"] = time.monotonic() - t0
    run_all = page.evaluate("() => window.__kafkalabRunAll")
    cells = page.evaluate(JS_CELLS)
    raised = [c for c in cells if c["errors"] and "raises-exception" not in c["tags"]]
    if raised or run_all.get("error"):
        lines = [f"cell {c['index']} ({c['first']!r}): {'; '.join(c['errors'])}" for c in raised]
        raise BrowserCheckError("Run All failed: " + ("; ".join(lines) or run_all["error"]))
    not_run = [c["index"] for c in cells if c["count"] is None]
    if not_run:
        raise BrowserCheckError(f"Run All left code cells {not_run} unexecuted")
    return cells


def check_page(page, lab: LabServer, notebook_name: str, deadline: Deadline, screenshot: Path,
               timings: dict) -> dict:
    from playwright.sync_api import Error as PlaywrightError  # TimeoutError is one too
    cells = open_and_run_all(page, lab, notebook_name, deadline, timings)

    # The workbench: the widget output whose text has the panel's title.
    t0 = time.monotonic()
    panel = page.locator(".jp-OutputArea-output").filter(has_text=PANEL_TITLE).first
    try:
        panel.wait_for(state="attached", timeout=deadline.ms(20))
    except PlaywrightError:
        bad = page.evaluate(JS_BAD_TEXT, list(BAD_TEXTS))
        raise BrowserCheckError(f"no output showing {PANEL_TITLE!r} (widget texts on the page: {bad})") from None
    panel.scroll_into_view_if_needed(timeout=deadline.ms(5))
    image = panel.locator("img").first
    slider = panel.locator(".widget-slider").filter(has_text=SLIDER_LABEL).first
    handle = slider.locator(".noUi-handle").first
    readout = slider.locator(".widget-readout").first
    try:
        image.wait_for(state="visible", timeout=deadline.ms(20))
        page.wait_for_function(JS_IMAGE_READY, arg=image.element_handle(timeout=deadline.ms(5)),
                               timeout=deadline.ms(20), polling=100)
        handle.wait_for(state="visible", timeout=deadline.ms(10))
    except PlaywrightError as err:
        raise BrowserCheckError(f"the workbench's image or {SLIDER_LABEL!r} slider did not render: {err}") from None
    timings["widget_render_s"] = time.monotonic() - t0
    image_title = image.get_attribute("title") or ""  # ipywidgets' tooltip: the image's accessible name
    sliders = panel.locator(".widget-slider").count()
    src_before = image.get_attribute("src")
    readout_before = readout.inner_text(timeout=deadline.ms(5)).strip()
    text_before = panel.evaluate(JS_HTML_TEXT)

    # Move the slider one step with the keyboard, as a learner would.
    handle.focus(timeout=deadline.ms(5))
    t0 = time.monotonic()
    handle.press("ArrowRight", timeout=deadline.ms(5))
    try:
        page.wait_for_function("([img, before]) => img.getAttribute('src') !== before && img.complete "
                               "&& img.naturalWidth > 0", arg=[image.element_handle(), src_before],
                               timeout=deadline.ms(8), polling="raf")
    except PlaywrightError:
        raise BrowserCheckError(
            f"the workbench image did not change within 8 s of ArrowRight on {SLIDER_LABEL!r} "
            f"(readout {readout_before!r} -> {readout.inner_text().strip()!r})") from None
    timings["slider_to_image_ms"] = (time.monotonic() - t0) * 1000
    readout_after = readout.inner_text().strip()
    if readout_after == readout_before:
        raise BrowserCheckError(f"the image changed but the {SLIDER_LABEL!r} readout stayed {readout_before!r}")
    try:  # the tables and text are redrawn with the image, but land in separate widget messages
        page.wait_for_function(f"([el, before]) => ({JS_HTML_TEXT})(el) !== before",
                               arg=[panel.element_handle(), text_before], timeout=deadline.ms(5), polling=100)
    except PlaywrightError:
        raise BrowserCheckError("the image changed but the workbench's tables and text did not") from None
    text_after = panel.evaluate(JS_HTML_TEXT)

    # Widget managers replace "Loading widget..." once the view renders; give stragglers a moment.
    with contextlib.suppress(PlaywrightError):
        page.wait_for_function(f"() => ({JS_BAD_TEXT})({json.dumps(list(BAD_TEXTS))}).length === 0",
                               timeout=deadline.ms(5), polling=200)
    bad = page.evaluate(JS_BAD_TEXT, list(BAD_TEXTS))

    page.evaluate("(el) => el.scrollIntoView({block: 'start'})", panel.element_handle())
    page.wait_for_timeout(300)  # let the scroll settle before the picture
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshot), timeout=deadline.ms(10))
    if bad:
        raise BrowserCheckError(f"widget error text left on the page: {bad}")
    return {"cells": len(cells), "sliders": sliders, "image_title": image_title,
            "readout_before": readout_before, "readout_after": readout_after,
            "src_before": src_before, "src_after": image.get_attribute("src"), "text_before": text_before,
            "text_after": text_after}


JS_FIGURES = """() => [...document.querySelectorAll('.jp-OutputArea-output img')].map(img => ({
  alt: img.getAttribute('alt') || '', ready: img.complete && img.naturalWidth > 0,
  width: img.naturalWidth, shown: img.getBoundingClientRect().width}))"""

JS_NOTEBOOK_HEIGHT = """() => Math.max(...['.jp-WindowedPanel-outer', '.jp-WindowedPanel-inner',
  '.jp-NotebookPanel-notebook'].map(q => [...document.querySelectorAll(q)].map(e => e.scrollHeight)).flat(), 0)"""


def check_gallery_page(page, lab: LabServer, notebook_name: str, deadline: Deadline, screenshot: Path,
                       timings: dict) -> dict:
    """Run the gallery; every figure is an ``<img>`` with alt text, drawn at its own size; photograph it all."""
    from playwright.sync_api import Error as PlaywrightError
    cells = open_and_run_all(page, lab, notebook_name, deadline, timings)
    try:
        page.wait_for_function("() => [...document.querySelectorAll('.jp-OutputArea-output img')].every("
                               "img => img.complete && img.naturalWidth > 0)", timeout=deadline.ms(20), polling=200)
    except PlaywrightError as err:
        raise BrowserCheckError(f"the gallery's images did not load: {err}") from None
    figures = page.evaluate(JS_FIGURES)
    if not figures:
        raise BrowserCheckError("the gallery shows no figure")
    no_alt = [i for i, f in enumerate(figures) if len(f["alt"].strip()) < 20]
    if no_alt:
        raise BrowserCheckError(f"gallery images {no_alt} have no alt text a screen reader could read")
    shrunk = [i for i, f in enumerate(figures) if f["shown"] < 0.97 * f["width"]]
    # the whole notebook in one picture: a window as tall as the notebook
    height = min(20_000, int(page.evaluate(JS_NOTEBOOK_HEIGHT)) + 300)
    page.set_viewport_size({"width": 1400, "height": height})
    page.wait_for_timeout(500)
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(screenshot), timeout=deadline.ms(20))
    bad = page.evaluate(JS_BAD_TEXT, list(BAD_TEXTS))
    if bad:
        raise BrowserCheckError(f"widget error text left on the page: {bad}")
    return {"cells": len(cells), "figures": len(figures), "alts": [f["alt"] for f in figures],
            "shrunk": shrunk, "page_height": height}


def run_check(notebook: str | os.PathLike | None = None, screenshot: str | os.PathLike = DEFAULT_SCREENSHOT,
              timeout: float = 60.0, prefer_build: bool = True, gallery: bool = False) -> dict:
    """Run the whole check; return what it saw and its timings, or raise :class:`BrowserCheckError`.

    ``gallery=True`` checks notebook 00_kit_gallery instead of the workbench: every figure has alt text."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    start = time.monotonic()
    deadline = Deadline(timeout)
    screenshot = Path(screenshot).resolve()
    work = Path(tempfile.mkdtemp(prefix="kafkalab-browser-"))
    lab = None
    try:
        source = Path(notebook).resolve() if notebook else default_notebook(
            work, prefer_build=prefer_build, stem=GALLERY_STEM if gallery else NOTEBOOK_STEM)
        if not source.exists():
            raise BrowserCheckError(f"notebook {source} does not exist")
        root = work / "root"  # a copy: Lab can neither autosave into the checkout nor pair it with notebooks/*.py
        root.mkdir()
        shutil.copy2(source, root / source.name)
        timings: dict[str, float] = {}
        lab = LabServer(work, root)
        t0 = time.monotonic()
        lab.start(deadline)
        timings["lab_start_s"] = time.monotonic() - t0
        with sync_playwright() as p:
            context = open_browser(p, work / "profile")
            page = context.pages[0] if context.pages else context.new_page()
            try:
                page.set_default_timeout(deadline.ms(15))
                seen = (check_gallery_page if gallery else check_page)(page, lab, source.name, deadline, screenshot,
                                                                       timings)
            except (BrowserCheckError, PlaywrightError) as err:
                with contextlib.suppress(PlaywrightError):  # what the page showed when it failed
                    page.screenshot(path=str(screenshot), timeout=5000)
                raise BrowserCheckError(f"{err} (screenshot: {screenshot})") from None
            finally:
                with contextlib.suppress(PlaywrightError):
                    context.close()
        timings["total_s"] = time.monotonic() - start
        return {"notebook": str(source), "screenshot": str(screenshot), "timings": timings, **seen}
    except BrowserCheckError as err:
        tail = lab.log_tail() if lab is not None else ""
        raise BrowserCheckError(f"{err}\n--- JupyterLab log (tail) ---\n{tail}" if tail else str(err)) from None
    finally:
        if lab is not None:
            lab.stop()
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--notebook", help="notebook to open (default: build/instructor/01_why_kafka.ipynb if "
                                       "up to date, else notebook 01 built afresh, else a one-cell workbench)")
    ap.add_argument("--screenshot", default=str(DEFAULT_SCREENSHOT), help="PNG to write (default: %(default)s)")
    ap.add_argument("--timeout", type=float, default=60.0, help="time budget in seconds (default: %(default)s)")
    ap.add_argument("--gallery", action="store_true", help="check notebook 00_kit_gallery (every figure has alt text) "
                                                           "and photograph all of it")
    args = ap.parse_args(argv)
    shot = args.screenshot if args.screenshot != str(DEFAULT_SCREENSHOT) or not args.gallery else GALLERY_SCREENSHOT
    try:
        result = run_check(args.notebook, shot, timeout=args.timeout, gallery=args.gallery)
    except BrowserCheckError as err:
        print(f"browser check FAILED: {err}", file=sys.stderr)
        return 1
    t = result["timings"]
    print(f"browser check passed: {result['notebook']}")
    if args.gallery:
        print(f"  {result['cells']} code cells ran; {result['figures']} figures, each with alt text; "
              f"shrunk to fit: {result['shrunk'] or 'none'}")
        print("  " + ", ".join(f"{k} {v:.1f}" for k, v in t.items()))
        print(f"  screenshot: {result['screenshot']}")
        return 0
    print(f"  {result['cells']} code cells ran; workbench has {result['sliders']} sliders; "
          f"{SLIDER_LABEL} {result['readout_before']} -> {result['readout_after']}, image src changed")
    print("  " + ", ".join(f"{k} {v:.0f}" if k.endswith("ms") else f"{k} {v:.1f}" for k, v in t.items()))
    print(f"  screenshot: {result['screenshot']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
