"""Lambda entry point: the EventBridge schedule (or a {"from", "to"} event) runs one collection."""

from __future__ import annotations

from nexus_collector_bloomberg.collector import BloombergCollector
from nexus_core.collector.kit import make_collector_handler

handler = make_collector_handler(BloombergCollector)
