"""Run a worker: make sure its topics exist, then hand the topology to Faust's Worker."""

from __future__ import annotations

from streams.kafka_io import TopicSpec, ensure_topics
from streams.topology import Topology


def ensure_topics_for(topo: Topology) -> None:
    s = topo.settings
    n = s.topic_partitions
    ensure_topics(
        s,
        [
            TopicSpec(topo.raw.get_topic_name(), n),
            TopicSpec(topo.dlq.get_topic_name(), 1),
            TopicSpec(topo.keyed.get_topic_name(), n, exact=True),
            TopicSpec(topo.enriched.get_topic_name(), n),
            TopicSpec(topo.hits.get_topic_name(), n, exact=True),
            TopicSpec(topo.alerts.get_topic_name(), 1),
        ],
    )


def run(topo: Topology, loglevel: str = "info") -> None:
    from faust.worker import Worker

    ensure_topics_for(topo)
    Worker(topo.app, loglevel=loglevel, quiet=True).execute_from_commandline()
