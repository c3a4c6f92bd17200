"""The worker's entry point for `faust -A streams.worker worker` (`newsflow worker` uses runner)."""

from __future__ import annotations

from streams.runner import ensure_topics_for
from streams.settings import Settings
from streams.topology import Topology, create

topology: Topology = create(Settings.from_env())
ensure_topics_for(topology)
app = topology.app
