"""Bidding zones with EIC code, IANA time zone, currency and validity.

EIC codes follow the ENTSO-E Transparency Platform. The delivery day of every SDAC zone is defined
in CET/CEST (Europe/Brussels) whatever the country; GB uses Europe/London. Local time exists only
for display and for local-day aggregation.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel

from nexus_contracts.types import FROZEN


class AreaCode(StrEnum):
    DE_LU = "DE_LU"
    DE_AT_LU = "DE_AT_LU"
    FR = "FR"
    BE = "BE"
    NL = "NL"
    AT = "AT"
    CH = "CH"
    PL = "PL"
    CZ = "CZ"
    ES = "ES"
    PT = "PT"
    IT_NORTH = "IT_NORTH"
    DK1 = "DK1"
    DK2 = "DK2"
    NO1 = "NO1"
    NO2 = "NO2"
    NO3 = "NO3"
    NO4 = "NO4"
    NO5 = "NO5"
    SE1 = "SE1"
    SE2 = "SE2"
    SE3 = "SE3"
    SE4 = "SE4"
    FI = "FI"
    GB = "GB"


class Area(BaseModel):
    """A bidding zone: `tz` is the zone of its delivery day; `valid_to` is inclusive."""

    model_config = FROZEN

    code: AreaCode
    eic: str
    label: str
    tz: str
    currency: str
    valid_from: date | None = None
    valid_to: date | None = None
    # A representative point for weather (lat, lon), chosen near the zone's load centre.
    latitude: float
    longitude: float

    def valid_on(self, day: date) -> bool:
        """Whether the zone existed on `day` (e.g. DE_LU only from 2018-10-01)."""
        after_start = self.valid_from is None or day >= self.valid_from
        before_end = self.valid_to is None or day <= self.valid_to
        return after_start and before_end


_CET = "Europe/Brussels"


def _a(code: AreaCode, eic: str, label: str, lat: float, lon: float, **kw: object) -> Area:
    data: dict[str, object] = {"tz": _CET, "currency": "EUR"} | kw
    return Area.model_validate(
        {"code": code, "eic": eic, "label": label, "latitude": lat, "longitude": lon, **data}
    )


AREAS: dict[AreaCode, Area] = {
    a.code: a
    for a in (
        _a(
            AreaCode.DE_LU,
            "10Y1001A1001A82H",
            "Germany-Luxembourg",
            50.11,
            8.68,
            valid_from=date(2018, 10, 1),
        ),
        _a(
            AreaCode.DE_AT_LU,
            "10Y1001A1001A63L",
            "Germany-Austria-Luxembourg",
            50.11,
            8.68,
            valid_to=date(2018, 9, 30),
        ),
        _a(AreaCode.FR, "10YFR-RTE------C", "France", 48.86, 2.35),
        _a(AreaCode.BE, "10YBE----------2", "Belgium", 50.85, 4.35),
        _a(AreaCode.NL, "10YNL----------L", "Netherlands", 52.37, 4.90),
        _a(AreaCode.AT, "10YAT-APG------L", "Austria", 48.21, 16.37, valid_from=date(2018, 10, 1)),
        _a(AreaCode.CH, "10YCH-SWISSGRIDZ", "Switzerland", 47.38, 8.54, currency="CHF"),
        _a(AreaCode.PL, "10YPL-AREA-----S", "Poland", 52.23, 21.01, currency="PLN"),
        _a(AreaCode.CZ, "10YCZ-CEPS-----N", "Czech Republic", 50.08, 14.44, currency="CZK"),
        _a(AreaCode.ES, "10YES-REE------0", "Spain", 40.42, -3.70),
        _a(AreaCode.PT, "10YPT-REN------W", "Portugal", 38.72, -9.14),
        _a(AreaCode.IT_NORTH, "10Y1001A1001A73I", "Italy North", 45.46, 9.19),
        _a(AreaCode.DK1, "10YDK-1--------W", "Denmark West", 56.16, 10.20, currency="DKK"),
        _a(AreaCode.DK2, "10YDK-2--------M", "Denmark East", 55.68, 12.57, currency="DKK"),
        _a(AreaCode.NO1, "10YNO-1--------2", "Norway Oslo", 59.91, 10.75, currency="NOK"),
        _a(AreaCode.NO2, "10YNO-2--------T", "Norway Kristiansand", 58.15, 8.00, currency="NOK"),
        _a(AreaCode.NO3, "10YNO-3--------J", "Norway Trondheim", 63.43, 10.40, currency="NOK"),
        _a(AreaCode.NO4, "10YNO-4--------9", "Norway Tromso", 69.65, 18.96, currency="NOK"),
        _a(AreaCode.NO5, "10Y1001A1001A48H", "Norway Bergen", 60.39, 5.32, currency="NOK"),
        _a(AreaCode.SE1, "10Y1001A1001A44P", "Sweden Lulea", 65.58, 22.15, currency="SEK"),
        _a(AreaCode.SE2, "10Y1001A1001A45N", "Sweden Sundsvall", 62.39, 17.31, currency="SEK"),
        _a(AreaCode.SE3, "10Y1001A1001A46L", "Sweden Stockholm", 59.33, 18.07, currency="SEK"),
        _a(AreaCode.SE4, "10Y1001A1001A47J", "Sweden Malmo", 55.60, 13.00, currency="SEK"),
        _a(AreaCode.FI, "10YFI-1--------U", "Finland", 60.17, 24.94),
        _a(
            AreaCode.GB, "10YGB----------A", "Great Britain", 51.51, -0.13, tz="Europe/London", currency="GBP"
        ),
    )
}


def area_for_eic(eic: str, on: date | None = None) -> Area:
    """The area with this EIC code (valid on `on` when given); KeyError when unknown."""
    for area in AREAS.values():
        if area.eic == eic and (on is None or area.valid_on(on)):
            return area
    raise KeyError(f"unknown EIC code {eic!r}")
