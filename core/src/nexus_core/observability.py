"""One Powertools setup for every service: JSON logs and EMF metrics in namespace NEXUS.

Metric dimensions are at most `source` and `dataset` (low cardinality); ids go in logs only.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

NAMESPACE = "NEXUS"
SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "nexus")

logger = Logger(service=SERVICE, level=os.environ.get("NEXUS_LOG_LEVEL", "INFO"))
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
# No Tracer here: importing the X-Ray SDK costs about a quarter of a collector's cold start and
# nothing reads traces yet. Lambda's own X-Ray integration can be switched on in the stack.

__all__ = ["MetricUnit", "logger", "metric", "metrics", "metrics_enabled"]

_ALLOWED_DIMENSIONS = ("source", "dataset")


def metrics_enabled() -> bool:
    """EMF metrics only mean something where CloudWatch reads the logs (Lambda, or on request).

    `POWERTOOLS_METRICS_DISABLED=true` silences them everywhere, `=false` forces them on; by
    default they are on inside Lambda and off elsewhere (local runs, tests, the CLI).
    """
    flag = os.environ.get("POWERTOOLS_METRICS_DISABLED", "").lower()
    if flag in {"true", "false"}:
        return flag == "false"
    return "AWS_LAMBDA_FUNCTION_NAME" in os.environ


def metric(name: str, value: float, unit: MetricUnit = MetricUnit.Count, **dimensions: str) -> None:
    """Emit one EMF record now, with at most the `source` and `dataset` dimensions.

    `single_metric` keeps dimensions of one call from leaking into the next.
    """
    unknown = set(dimensions) - set(_ALLOWED_DIMENSIONS)
    if unknown:
        raise ValueError(f"metric dimensions limited to {_ALLOWED_DIMENSIONS}, got {sorted(unknown)}")
    if not metrics_enabled():
        return
    with single_metric(name=name, unit=unit, value=value, namespace=NAMESPACE) as one:
        for key, dim in dimensions.items():
            one.add_dimension(name=key, value=dim)
