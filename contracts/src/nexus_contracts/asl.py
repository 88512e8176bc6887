"""Render the state-machine definition: one ASL file, placeholders substituted locally and by Pulumi.

Placeholders are `${Name}` inside JSON strings. The names are fixed here so the local runtime and
the Pulumi program substitute the same set.
"""

from __future__ import annotations

import json
import re

PLACEHOLDERS: tuple[str, ...] = (
    "PlanWeekFunctionArn",
    "ReporterFunctionArn",
    "EcsClusterArn",
    "AnalyzerTaskDefinitionArn",
    "SubnetId",
    "SecurityGroupId",
    "AlertsTopicArn",
    "ReportsTopicArn",
    "AnalysisCapacityProvider",
)
ASL_PATH = "state_machines/weekly_analysis.asl.json"
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z]+)\}")


# The weekly task's capacity providers. The ASL names one in its RunTask `CapacityProviderStrategy`
# (a strategy, not `LaunchType`, which would override it); both are associated with the cluster.
ON_DEMAND = "FARGATE"
SPOT = "FARGATE_SPOT"


def analysis_capacity_provider(spot: bool) -> str:
    """The `AnalysisCapacityProvider` value: `FARGATE_SPOT` with the Spot option on, else `FARGATE`."""
    return SPOT if spot else ON_DEMAND


class UnresolvedPlaceholderError(ValueError):
    """A placeholder was left without a value, or an unknown one was used."""


def render_asl(template: str, values: dict[str, str]) -> str:
    """Substitute every `${Name}`; raises when one is unknown or missing. Returns JSON text."""
    unknown = set(_PLACEHOLDER.findall(template)) - set(PLACEHOLDERS)
    if unknown:
        raise UnresolvedPlaceholderError(f"unknown placeholders: {sorted(unknown)}")
    missing = set(_PLACEHOLDER.findall(template)) - set(values)
    if missing:
        raise UnresolvedPlaceholderError(f"no value for placeholders: {sorted(missing)}")
    rendered = _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
    json.loads(rendered)  # the result must still be valid JSON
    return rendered
