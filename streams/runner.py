"""Run a worker: make sure its topics exist, load its models, then hand the topology to Faust's Worker."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from streams import local_state
from streams.kafka_io import TopicSpec, end_offsets, ensure_topics
from streams.topology import Topology
from streams.warmup import load_models


def ensure_topics_for(topo: Topology) -> None:
    s = topo.settings
    n = s.topic_partitions
    ensure_topics(
        s,
        [
            TopicSpec(topo.raw.get_topic_name(), n),
            TopicSpec(topo.dlq.get_topic_name(), 1),
            TopicSpec(topo.keyed.get_topic_name(), n, exact=True),
            TopicSpec(topo.alerts.get_topic_name(), 1),
        ],
    )


def reconcile_local_state(topo: Topology) -> None:
    """Remove table stores that are ahead of their changelog, so Faust rebuilds them instead of
    refusing to start."""
    changelogs = {name: table.changelog_topic.get_topic_name() for name, table in topo.app.tables.items()}
    stale = local_state.stale_stores(
        Path(topo.app.conf.tabledir), changelogs, partial(end_offsets, topo.settings)
    )
    local_state.remove(stale)


def get_ready(topo: Topology) -> None:
    """Everything a worker does before it joins the consumer group."""
    ensure_topics_for(topo)
    reconcile_local_state(topo)
    done = load_models(topo.settings)
    if done is not None:
        print(
            f"newsflow: loaded models for {len(done.languages)} language(s) in {done.seconds:.1f} s "
            "(NEWSFLOW_WARM_LANGUAGES)",
            flush=True,
        )
    if topo.prepare_pool is not None:
        # Forked now, with the models loaded and before Faust starts its loop and threads.
        pids = topo.prepare_pool.start().pids()
        print(
            f"newsflow: {len(pids)} prepare process(es) started (pids {', '.join(map(str, pids))})",
            flush=True,
        )


def run(topo: Topology, loglevel: str = "info") -> None:
    get_ready(topo)
    start(topo, loglevel)


def start(topo: Topology, loglevel: str = "info") -> None:
    """Hand a ready topology (get_ready done) to Faust's Worker; returns when it stops."""
    from faust.worker import Worker

    Worker(topo.app, loglevel=loglevel, quiet=True).execute_from_commandline()
