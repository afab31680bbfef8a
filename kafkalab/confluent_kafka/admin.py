"""``confluent_kafka.admin`` names, backed by the simulator."""
from ..clients.admin import (AdminClient, AlterConfigOpType, BrokerMetadata, ClusterMetadata, ConfigEntry,
                              ConfigResource, ConfigSource, ListOffsetsResultInfo, NewPartitions, NewTopic, Node,
                              OffsetSpec, PartitionMetadata, ResourceType, TopicCollection, TopicDescription,
                              TopicMetadata, TopicPartitionInfo)

__all__ = ["AdminClient", "AlterConfigOpType", "BrokerMetadata", "ClusterMetadata", "ConfigEntry", "ConfigResource",
           "ConfigSource", "ListOffsetsResultInfo", "NewPartitions", "NewTopic", "Node", "OffsetSpec",
           "PartitionMetadata", "ResourceType", "TopicCollection", "TopicDescription", "TopicMetadata",
           "TopicPartitionInfo"]
