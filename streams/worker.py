"""The worker's entry point for `faust -A streams.worker worker` (`newsflow worker` uses runner)."""

from __future__ import annotations

from streams.runner import get_ready
from streams.settings import Settings
from streams.topology import Topology, create

topology: Topology = create(Settings.from_env())
get_ready(topology)
app = topology.app
