"""Kafka's shell tools against a simulated cluster, one module per script, with Kafka 4.x's own
arguments and output text: ``kafka_topics`` (kafka-topics.sh), ``kafka_configs`` (kafka-configs.sh),
``kafka_consumer_groups`` (kafka-consumer-groups.sh); :mod:`.common` holds what they share.

A tool module defines ``COMMAND``, a :class:`~kafkalab.tools.common._Tool` subclass; :func:`run_cli`
finds it by the script's name, so adding ``kafka_dump_log.py`` adds ``kafka-dump-log.sh``.
"""
from ..cluster.cluster import CLIENT_FACTORIES as _FACTORIES
from .common import CliResult, find_tool, format_help, run_cli, tool_names

_FACTORIES["cli"] = run_cli  # cluster.cli(...)

__all__ = ["CliResult", "find_tool", "format_help", "run_cli", "tool_names"]
