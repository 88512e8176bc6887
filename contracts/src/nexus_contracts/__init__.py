"""NEXUS_ENA contracts: events, observations, registries and topology shared by every service.

Pure data: no I/O here, so every service (and the Pulumi program) can import it cheaply.
The names below are loaded on first access (PEP 562), so `from nexus_contracts import Dataset,
Observation` does not build the event and analysis models a collector's cold import never uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nexus_contracts.events import (
        AlertRaised,
        ClaimCheck,
        Envelope,
        EventType,
        NewsCollected,
        ObservationsCollected,
        PartitionRejected,
        PartitionValidated,
        Severity,
    )
    from nexus_contracts.news import NewsItem
    from nexus_contracts.observation import Observation, Quality, Resolution
    from nexus_contracts.registries import AREAS, DATASETS, Area, AreaCode, Dataset, DatasetSpec, Source, Unit

_EXPORTS = {
    "nexus_contracts.events": (
        "AlertRaised",
        "ClaimCheck",
        "Envelope",
        "EventType",
        "NewsCollected",
        "ObservationsCollected",
        "PartitionRejected",
        "PartitionValidated",
        "Severity",
    ),
    "nexus_contracts.news": ("NewsItem",),
    "nexus_contracts.observation": ("Observation", "Quality", "Resolution"),
    "nexus_contracts.registries": (
        "AREAS",
        "DATASETS",
        "Area",
        "AreaCode",
        "Dataset",
        "DatasetSpec",
        "Source",
        "Unit",
    ),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = [
    "AREAS",
    "DATASETS",
    "AlertRaised",
    "Area",
    "AreaCode",
    "ClaimCheck",
    "Dataset",
    "DatasetSpec",
    "Envelope",
    "EventType",
    "NewsCollected",
    "NewsItem",
    "Observation",
    "ObservationsCollected",
    "PartitionRejected",
    "PartitionValidated",
    "Quality",
    "Resolution",
    "Severity",
    "Source",
    "Unit",
]


def __getattr__(name: str) -> Any:
    """Import the defining module of a public name on first access, then cache the name here."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'nexus_contracts' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
