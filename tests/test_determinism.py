"""The same seed gives the same trace in any process: nothing depends on str hashing or wall time."""
import os
import subprocess
import sys

SCRIPT = """
from kafkalab.group_lab import group_run
from kafkalab.replication import isr_shrink_example
from kafkalab.scenarios import producer_workload
print(group_run(4, 8, crash="C3", run_ms=30000).cluster.trace.digest())
print(isr_shrink_example().cluster.trace.digest())
print(producer_workload({"linger.ms": 5, "compression.type": "zstd"}, rate=2000, seconds=0.2).cluster.trace.digest())
"""


def digests(hash_seed: str) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=True)
    return out.stdout.split()


def test_traces_are_identical_across_python_hash_seeds():
    first = digests("1")
    assert len(first) == 3
    assert digests("98765") == first
