"""The cluster model: brokers, the KRaft controller quorum, partition logs. No pandas, matplotlib or widgets."""
from .cluster import Cluster
from .log import PartitionLog, RecordBatch

__all__ = ["Cluster", "PartitionLog", "RecordBatch"]
