"""Shared test configuration: where the repository and the shared real-data folder are."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nexus_core.settings import get_settings

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public datasets next to the repository (read in place, never copied)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared data folder missing: {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _forget_settings() -> Iterator[None]:
    """Settings are cached per process; a test's environment must not outlive it through the cache."""
    yield
    get_settings.cache_clear()
