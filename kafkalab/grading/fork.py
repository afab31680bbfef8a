"""Learner kernels forked from templates that have already run the kit's opening cells (POSIX).

Learners hand back the kit's cells unchanged up to the first exercise, and the simulator is
deterministic (virtual clock, seeded RNG, ``PYTHONHASHSEED=0``): running the same steps always leaves
the same state. So for each kit notebook a *template* process imports kafkalab, runs the grader's
:func:`~kafkalab.grading.kernel.setup` and the hand-out's own steps up to its *fork point* (the first
exercise cell or check), and then only forks. A learner whose first steps are exactly those gets a
child of it that runs the rest; any other learner gets a child of the *bare* template (setup only)
that runs everything. Each child is a fresh process (``os.fork`` copies the template, so nothing of
one learner reaches another), in its own session and temporary folder, and is killed with its
process group when the grader is done with it or the notebook's time is up.

Inside, cells run in an IPython shell the way ipykernel's ``do_execute`` runs them
(``run_cell``, then ``user_expressions`` if it succeeded; the same ``status``/``ename``/``evalue``),
with the inline matplotlib backend a kernel uses, ``input()`` refused as a kernel without stdin
refuses it, and outputs dropped as the kernel path drops them.

The grader talks to a template over a socket pair: JSON lines, and for a fork the child's end of a
new socket pair passed back with ``SCM_RIGHTS`` (no paths another learner's code could find).

    python -m kafkalab.grading.fork FD     # a template, started by the grader (run.py) on socket FD
"""
from __future__ import annotations

import asyncio
import contextlib
import gc
import io
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..sim.heap import hold_frozen

_LIMIT = 1 << 26  # the longest reply line (an evalue can be long; a check's result is short)


def available() -> bool:
    """Whether this platform can fork templates (POSIX with fd passing)."""
    return os.name == "posix" and hasattr(os, "fork") and hasattr(socket, "send_fds")


# -- the template and child side ----------------------------------------------------------------------

class _Lines:
    """JSON lines from a socket; :meth:`get` returns None on timeout and raises EOFError at the end."""

    def __init__(self, sock: socket.socket):
        self.sock, self.buf = sock, b""

    def get(self, timeout: float | None = None):
        while b"\n" not in self.buf:
            if timeout is not None and not select.select([self.sock], [], [], timeout)[0]:
                return None
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise EOFError
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)


def _send(sock: socket.socket, msg: dict, fds: list[int] = ()) -> None:
    data = json.dumps(msg).encode() + b"\n"
    if fds:
        socket.send_fds(sock, [data], list(fds))
    else:
        sock.sendall(data)


class _Discard(io.TextIOBase):
    """sys.stdout and sys.stderr of a grading shell: outputs are dropped, as the kernel path drops them
    (a cell printing for ever costs nothing)."""

    encoding = "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        return len(text)


def _shell():
    """An IPython shell configured as the grader's kernels are (no history, inline figures, no stdin)."""
    import builtins
    import getpass

    from IPython.core.error import StdinNotImplementedError
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class GraderShell(InteractiveShell):
        def enable_gui(self, gui=None):
            """No event loop to hook into: as a kernel no frontend looks at (``%matplotlib qt`` draws nowhere)."""

    if not os.environ.get("MPLBACKEND"):  # as ipykernel's kernelapp does: figures drawn inline after each cell
        os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    config = Config()
    config.HistoryManager.enabled = False  # as the kernels run: --HistoryManager.enabled=False
    shell = GraderShell.instance(config=config)

    def no_stdin(what):
        def refuse(*args, **kwargs):
            raise StdinNotImplementedError(f"{what} was called, but this frontend does not support input requests.")
        return refuse

    builtins.input = no_stdin("raw_input")  # ipykernel's words with allow_stdin=False
    getpass.getpass = no_stdin("getpass")
    sys.stdout = sys.stderr = _Discard()
    return shell


def _execute(shell, msg: dict) -> dict:
    """One execute request, answered as ipykernel's ``do_execute`` answers it (the fields the grader reads)."""
    res = shell.run_cell(msg["code"], store_history=msg["counted"], silent=False)
    if res.success:
        return {"status": "ok", "user_expressions": shell.user_expressions(msg.get("user_expressions") or {})}
    err = res.error_before_exec if res.error_before_exec is not None else res.error_in_exec
    try:
        evalue = str(err)
    except Exception:  # noqa: BLE001 - a learner's exception whose __str__ fails
        evalue = ""
    return {"status": "error", "ename": type(err).__name__, "evalue": evalue, "user_expressions": {}}


def serve(ctl_fd: int) -> None:
    """A template: run steps (its build) and fork children on request, until the grader hangs up."""
    ctl = socket.socket(fileno=ctl_fd)
    lines = _Lines(ctl)
    shell = _shell()
    import kafkalab  # noqa: F401 - what every notebook imports, loaded once for all its children

    live: set[int] = set()
    home = os.getcwd()
    try:
        while True:
            _reap(live)
            try:
                msg = lines.get(timeout=1.0)
            except EOFError:
                break
            if msg is None:
                continue
            if msg["op"] == "run":
                _send(ctl, _execute(shell, msg))
            elif msg["op"] == "kill":
                _reap(live)
                if msg["pid"] in live:  # never a pid this template has reaped (it may be someone else's now)
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(msg["pid"], signal.SIGKILL)
                _send(ctl, {"ok": True})
            elif msg["op"] == "fork":
                mine, theirs = socket.socketpair()
                gc.freeze()  # the child's collections skip the template's objects: fewer pages copied
                pid = os.fork()
                if pid == 0:
                    mine.close()
                    hold_frozen()  # frozen_heap must not ask gc.get_freeze_count(): it walks the frozen heap
                    _child(shell, theirs, ctl, msg["cwd"], home)
                theirs.close()
                live.add(pid)
                _send(ctl, {"pid": pid}, [mine.fileno()])
                mine.close()
    finally:
        for pid in sorted(live):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        _reap(live, block=True)


def _reap(live: set[int], block: bool = False) -> None:
    for pid in sorted(live):
        try:
            done, _ = os.waitpid(pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            live.discard(pid)


def _child(shell, sock: socket.socket, ctl: socket.socket, cwd: str, home: str) -> None:
    """A learner's kernel: its own session, folder and stdio; runs what the grader sends, then exits."""
    try:
        os.setsid()  # its own process group: killing it kills what its cells started too
        ctl.close()  # the template's line to the grader is not the learner's to use
        signal.signal(signal.SIGINT, signal.default_int_handler)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        log = os.open(os.path.join(cwd, "kernel.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(log, 2)
        os.close(null)
        os.close(log)
        # what the template's cells wrote into their folder, as a kernel that ran them would have it
        shutil.copytree(home, cwd, dirs_exist_ok=True)
        os.chdir(cwd)
        lines = _Lines(sock)
        while True:
            try:
                msg = lines.get()
            except EOFError:
                break
            _send(sock, _execute(shell, msg))
    except BaseException:  # noqa: BLE001 - a child never returns into the template's loop
        with contextlib.suppress(Exception):
            import traceback
            os.write(2, traceback.format_exc().encode(errors="replace"))
        os._exit(1)
    os._exit(0)


# -- the grader side -------------------------------------------------------------------------------

class TemplateFailed(Exception):
    """A template could not be built: ``str()`` says why, in the kernel path's words."""


class Template:
    """One template process, started by the grader; build it with :meth:`build`, then :meth:`fork`."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.home = tempfile.TemporaryDirectory(prefix="kafkalab-template-")
        self.cwd = os.path.join(self.home.name, "cwd")  # what its cells write; copied into each child's
        os.mkdir(self.cwd)
        self.failure: str | None = None  # why it could not be built
        self.proc: subprocess.Popen | None = None
        self.ctl: socket.socket | None = None
        self.lines: _Lines | None = None
        self.replies: list[dict] = []  # of the prefix steps, in order
        self.spent = 0.0  # seconds the prefix steps took, charged to each child's notebook
        self.lock = asyncio.Lock()

    async def build(self, setup_code: str, setup_timeout: float, prefix: list[tuple[str, bool]],
                    timeout: float) -> None:
        """Start, run the grader's setup, then the prefix steps ``(code, counted)`` within ``timeout`` s."""
        ours = await asyncio.to_thread(self._start)
        self.ctl, self.lines = ours, _Lines(ours)
        reply = await self._call({"op": "run", "code": setup_code, "counted": False}, setup_timeout)
        if reply is None:
            raise TemplateFailed(f"the kernel did not start ({self._last_words() or 'no reply'})")
        if reply.get("status") == "error":
            raise TemplateFailed(f"the grader could not start in the kernel: {reply.get('evalue')}")
        started = time.monotonic()
        for code, counted in prefix:
            left = timeout - (time.monotonic() - started)
            reply = await self._call({"op": "run", "code": code, "counted": counted}, left) if left > 0 else None
            if reply is None:  # died or ran out of time: the learners get the bare template
                raise TemplateFailed("the hand-out's opening cells did not finish")
            self.replies.append(reply)
        self.spent = time.monotonic() - started

    def _start(self) -> socket.socket:
        ours, theirs = socket.socketpair()
        with open(os.path.join(self.home.name, "template.log"), "wb") as log:
            try:
                self.proc = subprocess.Popen(
                    [sys.executable, "-m", "kafkalab.grading.fork", str(theirs.fileno())], pass_fds=[theirs.fileno()],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=self.cwd, env=self.env,
                    start_new_session=True)
            finally:
                theirs.close()
        return ours

    async def fork(self, cwd: str) -> tuple[int, socket.socket]:
        """A child in ``cwd``: its pid and the grader's end of its socket."""
        def call():
            _send(self.ctl, {"op": "fork", "cwd": cwd})
            data, fds, _, _ = socket.recv_fds(self.ctl, 1 << 16, 1)
            if not data or not fds:
                raise TemplateFailed("the template stopped")
            return json.loads(data)["pid"], socket.socket(fileno=fds[0])
        async with self.lock:
            return await asyncio.to_thread(call)

    def alive(self) -> bool:
        """Whether the template process still runs (a child's code can kill it: it is the child's parent)."""
        return self.proc is not None and self.proc.poll() is None

    async def kill(self, pid: int) -> None:
        """Kill child ``pid`` and its process group, unless it has ended already."""
        if not self.alive():
            # no template to ask: the orphan is its own session leader (os.setsid in _child) until it
            # is reaped, so a group led by ``pid`` is still that child
            with contextlib.suppress(OSError):
                if os.getpgid(pid) == pid:
                    os.killpg(pid, signal.SIGKILL)
            return
        with contextlib.suppress(OSError, EOFError, TemplateFailed):
            await self._call({"op": "kill", "pid": pid}, 30.0)

    async def _call(self, msg: dict, timeout: float) -> dict | None:
        """Send one request and wait for its reply; None if the template died or took longer than ``timeout``."""
        def call():
            _send(self.ctl, msg)
            deadline = time.monotonic() + timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                try:
                    got = self.lines.get(timeout=min(left, 0.5))
                except (EOFError, OSError):
                    return None
                if got is not None:
                    return got
                if self.proc.poll() is not None:
                    return None
        async with self.lock:
            return await asyncio.to_thread(call)

    def _last_words(self) -> str:
        return last_line(os.path.join(self.home.name, "template.log"))

    def close(self) -> None:
        """Stop the template (it kills the children it still has) and remove its folder."""
        if self.ctl is not None:
            self.ctl.close()
        if self.proc is not None and self.failure is not None:
            self.proc.kill()  # it may still be running the step it failed on
        if self.proc is not None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.home.cleanup()


class Died(Exception):
    """The child process ended before it answered."""


class ForkedKernel:
    """A learner's kernel forked from ``template``, with :class:`kafkalab.grading.run._Kernel`'s interface."""

    def __init__(self, cwd: str, template: Template):
        self.cwd, self.template = cwd, template
        self.pid = None
        self.reader = self.writer = None
        self.running = ""
        self.error = None

    async def start(self) -> None:
        self.pid, sock = await self.template.fork(self.cwd)
        self.reader, self.writer = await asyncio.open_unix_connection(sock=sock, limit=_LIMIT)

    async def run(self, code: str, *, counted: bool, timeout: float, running: str = "the grader's setup",
                  user_expressions: dict | None = None) -> dict:
        self.running = running
        msg = {"op": "run", "code": code, "counted": counted, "user_expressions": user_expressions or {}}
        try:
            self.writer.write(json.dumps(msg).encode() + b"\n")
            await self.writer.drain()
            line = await asyncio.wait_for(self.reader.readline(), timeout)
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            raise Died() from None
        try:
            content = json.loads(line)
        except ValueError:  # nothing, or half a line: it died
            raise Died() from None
        self.error = content.get("evalue") if content.get("status") == "error" else None
        return content

    async def shutdown(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        if self.pid is not None:
            await self.template.kill(self.pid)

    def last_words(self) -> str:
        """The last line the child wrote to its stderr (C-level output: a crash, faulthandler)."""
        return last_line(os.path.join(self.cwd, "kernel.log"))


def last_line(path: str) -> str:
    try:
        lines = Path(path).read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " ".join(lines[-1].split()) if lines else ""


if __name__ == "__main__":
    serve(int(sys.argv[1]))
