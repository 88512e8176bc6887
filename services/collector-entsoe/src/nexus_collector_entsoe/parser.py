"""Parse IEC 62325 market documents (Publication and GL_MarketDocument, Acknowledgement).

Elements are matched by local name because the namespace versions change over time. Points of a
Period are positions on a fixed grid; curve type A03 omits positions whose value repeats the
previous one, so the grid is rebuilt and forward-filled inside the Period (never across Periods).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from nexus_core.errors import ContractViolation, SourceSchemaChanged

STEPS = {"PT15M": timedelta(minutes=15), "PT30M": timedelta(minutes=30), "PT60M": timedelta(hours=1)}
VALUE_ELEMENTS = ("price.amount", "quantity")
DOMAIN_ELEMENTS = ("in_Domain.mRID", "outBiddingZone_Domain.mRID", "out_Domain.mRID")


@dataclass(frozen=True)
class Point:
    """One value of one zone (EIC) over [start, start + step)."""

    eic: str
    resolution: str
    start: datetime
    end: datetime
    value: float


@dataclass(frozen=True)
class Document:
    """A parsed market document: its creation time and its points (not yet deduplicated)."""

    created: datetime
    points: list[Point]
    units: frozenset[str]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(node: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in node if _local(c.tag) == name), None)


def _children(node: ET.Element, name: str) -> Iterator[ET.Element]:
    return (c for c in node if _local(c.tag) == name)


def _text(node: ET.Element, *path: str) -> str:
    current: ET.Element | None = node
    for name in path:
        current = _child(current, name) if current is not None else None
    if current is None or current.text is None or not current.text.strip():
        raise SourceSchemaChanged(f"ENTSO-E document lacks {'/'.join(path)} under <{_local(node.tag)}>")
    return current.text.strip()


def _instant(value: str) -> datetime:
    # ENTSO-E writes "2024-03-30T23:00Z" (no seconds); fromisoformat accepts it from Python 3.11.
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise SourceSchemaChanged(f"ENTSO-E time without offset: {value!r}")
    return parsed.astimezone(UTC)


def _number(value: str) -> float:
    try:
        return float(value.replace(",", ""))
    except ValueError as exc:
        raise SourceSchemaChanged(f"ENTSO-E value is not a number: {value!r}") from exc


def parse_document(body: bytes) -> Document:
    """Parse a document; an acknowledgement "No matching data" gives a document without points."""
    try:
        root = ET.fromstring(body)  # noqa: S314 - the body comes from the configured API over TLS
    except ET.ParseError as exc:
        raise SourceSchemaChanged(f"ENTSO-E response is not XML: {body[:80]!r}") from exc
    if _local(root.tag) == "Acknowledgement_MarketDocument":
        return _acknowledgement(root)
    created = _instant(_text(root, "createdDateTime"))
    points: list[Point] = []
    units: set[str] = set()
    for series in _children(root, "TimeSeries"):
        eic = next((c.text.strip() for c in series if _local(c.tag) in DOMAIN_ELEMENTS and c.text), None)
        if eic is None:
            raise SourceSchemaChanged("ENTSO-E TimeSeries without a domain mRID")
        for name in ("currency_Unit.name", "price_Measure_Unit.name", "quantity_Measure_Unit.name"):
            node = _child(series, name)
            if node is not None and node.text:
                units.add(node.text.strip())
        for period in _children(series, "Period"):
            points.extend(_period(eic, period))
    return Document(created=created, points=points, units=frozenset(units))


def _acknowledgement(root: ET.Element) -> Document:
    reason = _child(root, "Reason")
    text = _text(reason, "text") if reason is not None else ""
    if "No matching data found" in text:
        return Document(created=datetime.now(UTC), points=[], units=frozenset())
    raise ContractViolation(f"ENTSO-E refused the request: {text[:300]}")


def _period(eic: str, period: ET.Element) -> list[Point]:
    start = _instant(_text(period, "timeInterval", "start"))
    end = _instant(_text(period, "timeInterval", "end"))
    resolution = _text(period, "resolution")
    step = STEPS.get(resolution)
    if step is None:
        raise SourceSchemaChanged(f"ENTSO-E resolution {resolution!r} is not supported")
    given: dict[int, float] = {}
    for point in _children(period, "Point"):
        value = next((_text(point, n) for n in VALUE_ELEMENTS if _child(point, n) is not None), None)
        if value is None:
            raise SourceSchemaChanged("ENTSO-E Point without price.amount or quantity")
        given[int(_text(point, "position"))] = _number(value)
    slots = int((end - start) / step)
    out: list[Point] = []
    current: float | None = None
    for position in range(1, slots + 1):
        # A03: an absent position repeats the previous value; a leading gap stays empty.
        current = given.get(position, current)
        if current is None:
            continue
        at = start + (position - 1) * step
        out.append(Point(eic=eic, resolution=resolution, start=at, end=at + step, value=current))
    return out
