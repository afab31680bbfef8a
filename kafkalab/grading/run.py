"""Run learner notebooks in fresh kernels, the kit's checks put in, and collect one verdict per exercise.

Each notebook gets its own kernel (this Python, ``python -m ipykernel_launcher``), its own temporary
working folder and a time budget for the whole notebook: a cell still running when it is spent
(a loop that never ends) stops that notebook, whose exercises checked so far keep their verdicts
and the rest are "not run". A kernel that dies (``os._exit``, a crash) stops it the same way. A
cell that raises does not: the next cells run, as they would for the kit's own checks in Lab with
``raises-exception``, and the error is listed with the cell number JupyterLab shows for it (unless
the cell is tagged ``raises-exception`` itself: a kit cell that shows a crash raises on purpose).

Notebooks run concurrently, one kernel per core, from one asyncio loop: the kernels do the work.
On POSIX each kernel is forked (:mod:`kafkalab.grading.fork`) from a template that has imported
kafkalab, run the grader's setup and, when the learner's first steps are the hand-out's, those steps
up to the first exercise cell or check (the learner is charged the time they took); elsewhere, or
with ``kernels="fresh"``, each is a fresh ipykernel.
"""
from __future__ import annotations

import ast
import asyncio
import contextvars
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from kafkalab.grading import fork
from kafkalab.grading.fork import Died, ForkedKernel, Template, TemplateFailed
from kafkalab.grading.kit import Kit, KitNotebook, without_check_calls
from kafkalab.grading.plan import Step, plan

CORRECT, WRONG, NO_ANSWER, ERROR = "correct", "wrong", "no answer", "error"
NOT_RUN, UNREADABLE, MISSING = "not run", "unreadable", "missing"
STATUSES = (CORRECT, WRONG, ERROR, NO_ANSWER, NOT_RUN, UNREADABLE, MISSING)

DEFAULT_TIMEOUT_S = 120.0
KERNELS = ("auto", "fork", "fresh")
KERNEL_START_TIMEOUT_S = 60.0
_GRADER = "__import__('kafkalab.grading.kernel', fromlist=['_']).{call}"
_MAX_PROBLEMS = 20


@dataclass(frozen=True)
class Verdict:
    """The grade of one exercise: ``status`` is one of STATUSES, ``reason`` one line."""

    exercise: str
    status: str
    reason: str
    cell: str = ""  # where it was checked, as JupyterLab numbers cells: "[12]", "after [12]"
    hint: str | None = None  # the hint the learner would get next; None once all were seen

    @property
    def points(self) -> int:
        return int(self.status == CORRECT)


@dataclass
class NotebookResult:
    student: str
    path: Path
    notebook: str | None  # the kit notebook it was graded as, None if it could not be told
    verdicts: list[Verdict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def points(self) -> int:
        return sum(v.points for v in self.verdicts)

    def score_line(self) -> str:
        """``01_why_kafka: 4/5 correct``."""
        if self.notebook is not None and not self.verdicts:
            return f"{self.notebook}: no graded exercises"
        return f"{self.notebook or self.path.name}: {self.points}/{len(self.verdicts)} correct"

    @property
    def all_correct(self) -> bool:
        """Every exercise right (vacuously for a notebook without exercises; never for one that was not graded)."""
        return self.notebook is not None and self.points == len(self.verdicts)


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """A learner's notebook, or ``ValueError`` saying in one line why it is not one."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read it: {exc}") from None
    try:
        nb = nbformat.reads(text, as_version=4, capture_validation_error={})
    except Exception as exc:  # noqa: BLE001 - nbformat raises several kinds for text that is not a notebook
        raise ValueError(f"not a readable notebook ({type(exc).__name__}: {' '.join(str(exc).split())[:160]})") \
            from None
    cells = nb.get("cells")
    kinds = ("code", "markdown", "raw")
    if not isinstance(cells, list) or not all(
            isinstance(c, dict) and c.get("cell_type") in kinds and isinstance(c.get("source"), str) for c in cells):
        raise ValueError("not a readable notebook: its cells are not notebook cells")
    return nb


def grade_files(jobs: Iterable[tuple[str, Path]], kit: Kit, *, timeout: float = DEFAULT_TIMEOUT_S,
                workers: int | None = None, on_done: Callable[[NotebookResult], None] | None = None,
                kernels: str = "auto") -> list[NotebookResult]:
    """Grade each ``(student, path)``, ``workers`` notebooks at a time (default: one per core), in job order.

    ``kernels``: ``"fork"`` forks each learner's kernel from a template (:mod:`kafkalab.grading.fork`),
    ``"fresh"`` starts a fresh ipykernel for each; ``"auto"`` forks where the platform can.
    """
    jobs = list(jobs)
    workers = max(1, workers or available_cores())
    if kernels not in KERNELS:
        raise ValueError(f"kernels must be one of {', '.join(KERNELS)}, not {kernels!r}")
    forking = kernels == "fork" or (kernels == "auto" and fork.available())
    return _run_sync(_grade_all(jobs, kit, timeout, workers, on_done, forking))


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


async def _grade_all(jobs, kit, timeout, workers, on_done, forking=False) -> list[NotebookResult]:
    gate = asyncio.Semaphore(workers)
    templates = _Templates(timeout) if forking else None
    _TEMPLATES.set(templates)  # seen by every job's task (each copies this context)

    async def one(student: str, path: Path) -> NotebookResult:
        async with gate:
            try:
                result = await grade_notebook(student, path, kit, timeout)
            except Exception as exc:  # noqa: BLE001 - one notebook the grader cannot handle must not stop the class
                result = NotebookResult(student, path, kit.stem_in(path.name), problems=[
                    f"the grader failed on it: {type(exc).__name__}: {_first_line(str(exc))}"])
                if result.notebook is not None:
                    result.verdicts = [Verdict(n, ERROR, f"not graded: {result.problems[0]}", hint=first_hint(n))
                                       for n in kit.notebooks[result.notebook].exercises]
        if on_done is not None:
            on_done(result)
        return result

    try:
        return list(await asyncio.gather(*(one(s, Path(p)) for s, p in jobs)))
    finally:
        if templates is not None:
            await templates.close()


async def grade_notebook(student: str, path: Path, kit: Kit, timeout: float = DEFAULT_TIMEOUT_S) -> NotebookResult:
    """Grade one learner notebook (never raises for what is in the notebook)."""
    started = time.monotonic()
    try:
        nb = read_notebook(path)
    except ValueError as exc:
        stem = kit.stem_in(path.name)
        result = NotebookResult(student, path, stem, problems=[str(exc)])
        if stem is not None:
            result.verdicts = [Verdict(name, UNREADABLE, f"could not grade {path.name}: {exc}", hint=first_hint(name))
                               for name in kit.notebooks[stem].exercises]
        return result
    kit_nb = kit.identify(nb, path.name)
    if kit_nb is None:
        return NotebookResult(student, path, None, problems=[
            "cannot tell which kafkalab notebook it is (it has none of the kit's cell ids or exercise names)"])
    result = NotebookResult(student, path, kit_nb.stem)
    await _execute_plan(plan(nb, kit_nb), kit_nb, result, timeout)
    result.seconds = time.monotonic() - started
    return result


async def _execute_plan(steps: list[Step], kit_nb: KitNotebook, result: NotebookResult, timeout: float) -> None:
    got: dict[str, Verdict] = {}
    stopped = None
    templates = _TEMPLATES.get()
    with tempfile.TemporaryDirectory(prefix="kafkalab-grade-") as cwd:
        kernel, template = (await templates.kernel_for(kit_nb, steps, cwd)) if templates else (_Kernel(cwd), None)
        done = template.replies if template else []  # the replies to the steps the template ran already
        try:
            try:
                try:
                    await kernel.start()
                except (OSError, TemplateFailed):
                    if template is None:
                        raise
                    # the template died since kernel_for looked (a learner graded beside this one killed
                    # it): this notebook runs in a kernel of its own instead
                    kernel, template, done = _Kernel(cwd), None, []
                    await kernel.start()
            except (RuntimeError, OSError, TemplateFailed) as exc:  # wait_for_ready: "Kernel died before replying", …
                raise _Stopped(f"the kernel did not start ({type(exc).__name__}: {_first_line(str(exc))})") from None
            if template is None:
                await kernel.run(_GRADER.format(call="setup()"), counted=False, timeout=KERNEL_START_TIMEOUT_S)
                if kernel.error:
                    raise _Stopped(f"the grader could not start in the kernel: {kernel.error}")
            # a forked kernel is charged the time its template took over the steps it skips
            deadline = time.monotonic() + timeout - (template.spent if template else 0.0)
            last = 0  # the execution count of the last counted cell: JupyterLab's [N] on a Run All
            for i, step in enumerate(steps):
                # counted by us, not read back: a kernel that dies at once never announces the cell
                where = f"[{last + 1}]" if step.counted else (f"after [{last}]" if last else "before [1]")
                running = f"cell {where}" if step.counted else f"the check {where.replace('[', 'cell [')}"
                remaining = deadline - time.monotonic()
                if i < len(done):
                    reply = done[i]
                elif remaining <= 0:
                    raise _Stopped(f"the notebook's {timeout:g} s were up before {running}")
                elif step.kit is None:
                    reply = await kernel.run(step.source, counted=True, timeout=remaining, running=running)
                else:
                    call = f"run_check({step.kit.source!r}, {list(step.kit.names)!r}, {step.kit.cell_id!r})"
                    reply = await kernel.run(_GRADER.format(call=call), counted=step.counted, timeout=remaining,
                                             running=running, user_expressions={"r": _GRADER.format(call="take()")})
                    for item in _results(reply, step):
                        got[item["name"]] = Verdict(item["name"], item["status"], item["reason"], where,
                                                    item.get("hint"))
                last += step.counted
                if step.kit is None and reply.get("status") == "error" and not step.raises:
                    result.problems.append(f"cell [{last}] raised {reply.get('ename')}: "
                                           f"{_first_line(reply.get('evalue', ''))}")
        except _Stopped as stop:
            stopped = str(stop)
        except (TimeoutError, asyncio.TimeoutError):  # the same class from Python 3.11 on
            stopped = f"{kernel.running} was still running when the notebook's {timeout:g} s were up"
        except (_KernelDied, Died):
            said = kernel.last_words()
            stopped = f"the kernel died while running {kernel.running}" + (f" ({said})" if said else "")
        finally:
            await kernel.shutdown()
    result.problems[:] = _capped(result.problems)
    if stopped is not None:
        result.problems.append(f"stopped: {stopped}")
    for name in kit_nb.exercises:
        result.verdicts.append(got.get(name) or
                               Verdict(name, NOT_RUN, f"not checked: {stopped}", hint=first_hint(name)))


class _Templates:
    """The templates of one grading run, built when first needed and kept for every later learner.

    Per kit notebook, one that has run the hand-out's steps up to its fork point (the first exercise
    cell or check); and one bare (the grader's setup only) for learners whose first steps differ.
    """

    def __init__(self, timeout: float):
        self.timeout = timeout
        self.built: dict[str | None, asyncio.Future] = {}
        self.prefixes: dict[str, list[Step]] = {}

    def prefix(self, kit_nb: KitNotebook) -> list[Step]:
        """The hand-out's steps before its first exercise cell or check (all of them if it has neither)."""
        if kit_nb.stem not in self.prefixes:
            steps = plan(kit_nb.handout, kit_nb) if kit_nb.handout is not None else []
            answers = {c.source for c in (kit_nb.handout.cells if kit_nb.handout is not None else [])
                       if "exercise" in c.get("metadata", {}).get("tags", [])}
            answers |= {without_check_calls(a) for a in answers}
            at = next((i for i, s in enumerate(steps) if s.kit is not None or s.source in answers), len(steps))
            self.prefixes[kit_nb.stem] = steps[:at]
        return self.prefixes[kit_nb.stem]

    async def kernel_for(self, kit_nb: KitNotebook, steps: list[Step], cwd: str):
        """A kernel for ``steps`` and the template it comes from: the notebook's own if ``steps`` start with
        its prefix, else the bare one; today's kernel (and None) if even the bare one cannot be built."""
        prefix = self.prefix(kit_nb)
        if prefix and steps[:len(prefix)] == prefix:
            template = await self._get(kit_nb.stem, prefix)
            if template.failure is None:
                return ForkedKernel(cwd, template), template
        bare = await self._get(None, [])
        if bare.failure is None:
            return ForkedKernel(cwd, bare), bare
        return _Kernel(cwd), None

    async def _get(self, key: str | None, prefix: list[Step]) -> Template:
        built = self.built.get(key)
        if built is not None and built.done() and not built.cancelled() and built.exception() is None \
                and built.result().failure is None and not built.result().alive():
            # a learner's kernel killed it (it is their parent: os.kill(os.getppid(), ...)): build it again,
            # so that costs the next learner the opening cells' time, not their notebook
            del self.built[key]
            await asyncio.to_thread(built.result().close)
        if key not in self.built:
            self.built[key] = asyncio.ensure_future(self._build(prefix))
        return await asyncio.shield(self.built[key])

    async def _build(self, prefix: list[Step]) -> Template:
        template = Template(_kernel_env())
        try:
            await template.build(_GRADER.format(call="setup()"), KERNEL_START_TIMEOUT_S,
                                 [(s.source, s.counted) for s in prefix], self.timeout)
        except (TemplateFailed, OSError) as exc:
            template.failure = str(exc)
            await asyncio.to_thread(template.close)
        return template

    async def close(self) -> None:
        for future in self.built.values():
            if future.done() and not future.cancelled() and future.exception() is None:
                await asyncio.to_thread(future.result().close)
            else:
                future.cancel()


_TEMPLATES: contextvars.ContextVar[_Templates | None] = contextvars.ContextVar("kafkalab_templates", default=None)


def first_hint(name: str) -> str | None:
    """The hint a learner who has seen none gets first (for exercises no kernel checked)."""
    from kafkalab import exercises
    hints = exercises.get(name).hints
    return hints[0] if hints else None


def _results(reply: dict, step: Step) -> list[dict]:
    expr = (reply.get("user_expressions") or {}).get("r", {})
    try:
        return json.loads(ast.literal_eval(expr["data"]["text/plain"]))
    except (KeyError, ValueError, SyntaxError, TypeError):
        why = reply.get("evalue") or expr.get("evalue") or "no result"
        return [{"name": n, "status": ERROR, "reason": f"the grader could not read the check's result ({why})"}
                for n in step.kit.names]


class _Stopped(Exception):
    pass


class _KernelDied(Exception):
    pass


class _Kernel:
    """An ipykernel of this Python, started in ``cwd``; :meth:`run` sends one execute request."""

    def __init__(self, cwd: str):
        self.cwd = cwd
        self.km = None
        self.kc = None
        self.running = ""  # what runs now, for messages: "cell [7]"
        self.error = None
        self.log = None

    async def start(self) -> None:
        from jupyter_client import AsyncKernelManager
        # Unix sockets in the notebook's own folder: no ports to pick, nothing reachable from the network
        transport = {"transport": "ipc", "ip": os.path.join(self.cwd, "kernel")} if os.name == "posix" else {}
        self.km = AsyncKernelManager(kernel_spec_manager=_this_python(), **transport)
        self.log = open(os.path.join(self.cwd, "kernel.log"), "wb")  # noqa: SIM115, ASYNC230 - closed in shutdown()
        await self.km.start_kernel(env=_kernel_env(), cwd=self.cwd, stdout=self.log, stderr=self.log)
        self.kc = self.km.client()
        self.kc.start_channels()
        await self.kc.wait_for_ready(timeout=KERNEL_START_TIMEOUT_S)

    async def run(self, code: str, *, counted: bool, timeout: float, running: str = "the grader's setup",
                  user_expressions: dict | None = None) -> dict:
        """Execute ``code``; outputs are dropped (a cell printing forever costs no memory here)."""
        self.running = running
        task = asyncio.ensure_future(self.kc.execute_interactive(
            code, store_history=counted, user_expressions=user_expressions or {}, allow_stdin=False,
            stop_on_error=False, timeout=timeout, output_hook=lambda msg: None))
        while True:
            done, _ = await asyncio.wait({task}, timeout=0.5)
            if done:
                content = task.result()["content"]
                self.error = content.get("evalue") if content.get("status") == "error" else None
                return content
            if not await self.km.is_alive():
                task.cancel()
                raise _KernelDied()

    async def shutdown(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None and self.km.has_kernel:
            await self.km.shutdown_kernel(now=True)
        if self.log is not None:
            self.log.close()

    def last_words(self) -> str:
        """The last line the kernel process wrote to its stderr (why it died, often)."""
        try:
            lines = Path(self.cwd, "kernel.log").read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return _first_line(lines[-1]) if lines else ""


def _this_python():
    """A kernel-spec manager whose only kernel is this interpreter's ipykernel (not a user's ``python3``)."""
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

    class ThisPython(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                                    "--HistoryManager.enabled=False"],
                              display_name="Python 3 (kafkalab grader)", language="python")

    return ThisPython()


def _kernel_env() -> dict[str, str]:
    """The kernel imports the same kafkalab as the grader; string hashing fixed as in CI (NOTEBOOKS.md)."""
    import kafkalab
    env = dict(os.environ, PYTHONHASHSEED="0", JUPYTER_PLATFORM_DIRS="1")
    here = str(Path(kafkalab.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
    return env


def _first_line(text: str) -> str:
    lines = str(text).strip().splitlines()
    return " ".join(lines[0].split()) if lines else ""


def _capped(problems: list[str]) -> list[str]:
    if len(problems) <= _MAX_PROBLEMS:
        return problems
    return [*problems[:_MAX_PROBLEMS - 1], f"... and {len(problems) - _MAX_PROBLEMS + 1} more"]


def _run_sync(coro):
    """Run ``coro`` to completion, also from code that already runs an event loop (a notebook)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict = {}

    def run() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]
