"""Lambda layers built by `make package`: shared third-party code kept out of every function zip."""

from __future__ import annotations

# Layer name → the distributions it carries (and every function zip leaves out).
LAYERS: dict[str, tuple[str, ...]] = {
    "powertools": ("aws-lambda-powertools", "aws-xray-sdk", "jmespath", "typing-extensions", "wrapt"),
    "pyarrow": ("pyarrow", "numpy"),
}
# The local query engine: in AWS the same SQL runs on Athena, so no function ships DuckDB.
LOCAL_ONLY: tuple[str, ...] = ("duckdb",)
# Provided by the Lambda Python runtime itself.
RUNTIME_PROVIDED: tuple[str, ...] = ("boto3", "botocore", "s3transfer", "python-dateutil", "six", "urllib3")
