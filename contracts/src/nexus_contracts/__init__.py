"""NEXUS_ENA contracts: events, observations, registries and topology shared by every service.

Pure data: no I/O here, so every service (and the Pulumi program) can import it cheaply.
"""

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
