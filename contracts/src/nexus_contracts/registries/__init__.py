"""Typed registries: areas, units, sources and datasets."""

from nexus_contracts.registries.areas import AREAS, Area, AreaCode, area_for_eic
from nexus_contracts.registries.datasets import DATASETS, Dataset, DatasetSpec, Source, Unit

__all__ = [
    "AREAS",
    "DATASETS",
    "Area",
    "AreaCode",
    "Dataset",
    "DatasetSpec",
    "Source",
    "Unit",
    "area_for_eic",
]
