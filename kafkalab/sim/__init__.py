"""Simulation kernel: virtual clock, event queue, seeded RNG, network, trace. No Kafka knowledge."""
from .kernel import Sim, Timer
from .network import Network
from .trace import Trace, TraceEvent

__all__ = ["Network", "Sim", "Timer", "Trace", "TraceEvent"]
