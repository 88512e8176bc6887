"""The collector kit: one interface for every source, with windows, retries and publishing done once."""

from nexus_core.collector.base import Collector, FetchRequest, RawPayload, Window

__all__ = ["Collector", "FetchRequest", "RawPayload", "Window"]
