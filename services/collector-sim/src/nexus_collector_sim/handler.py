"""Lambda entry point of the simulated market (`nexus_collector_sim.handler:handler`)."""

from __future__ import annotations

from nexus_collector_sim.collector import SimCollector
from nexus_core.collector.kit import make_collector_handler

handler = make_collector_handler(SimCollector.from_settings)
