"""Export the JSON Schemas of every event to contracts/schemas/ (`make schemas`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from nexus_contracts.events import PAYLOADS, Envelope
from nexus_contracts.news import NewsItem
from nexus_contracts.observation import Observation


def all_schemas() -> dict[str, dict[str, Any]]:
    """File name → JSON Schema, for every event envelope and the shared records."""
    out: dict[str, dict[str, Any]] = {
        "observation.json": Observation.model_json_schema(),
        "news_item.json": NewsItem.model_json_schema(),
    }
    for event_type, payload in PAYLOADS.items():
        out[f"{event_type.value}.json"] = Envelope[payload].model_json_schema()  # type: ignore[valid-type]
    return out


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    target = Path(argv[0] if argv else sys.argv[1] if len(sys.argv) > 1 else "contracts/schemas")
    target.mkdir(parents=True, exist_ok=True)
    for name, schema in all_schemas().items():
        (target / name).write_text(render(schema))
    print(f"wrote {len(all_schemas())} schemas to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
