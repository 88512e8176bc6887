"""The simulated market's zones and delivery-day time zone (no numpy, so the collector imports it cold)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Brussels")
ZONES = ("DE_LU", "FR", "NL", "BE")
