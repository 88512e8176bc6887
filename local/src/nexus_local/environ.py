"""The environment variables the runtime gives every service (the working agreement's list)."""

from __future__ import annotations

import os
from pathlib import Path

from nexus_core.settings import get_settings
from nexus_local.provision import Provisioned


def aws_variables(endpoint: str, region: str) -> dict[str, str]:
    """What boto3 needs to reach the emulator (it accepts any credentials)."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
    }


def runtime_variables(
    endpoint: str, region: str, env: str, state_dir: Path, res: Provisioned | None
) -> dict[str, str]:
    """Every variable of the working agreement, pointing at what the runtime provisioned."""
    variables = {
        **aws_variables(endpoint, region),
        "NEXUS_ENV": env,
        "NEXUS_REGION": region,
        "NEXUS_S3_ENDPOINT_URL": endpoint,  # pyarrow ignores AWS_ENDPOINT_URL
        "NEXUS_SIM_SEED": os.environ.get("NEXUS_SIM_SEED", "7"),
        "NEXUS_STATE_DIR": str(state_dir),
    }
    if res is not None:
        variables |= {
            "NEXUS_BUCKET": res.bucket,
            "NEXUS_TABLE": res.table,
            "NEXUS_OBSERVATIONS_TOPIC_ARN": res.topics.get("observations", ""),
            "NEXUS_ALERTS_TOPIC_ARN": res.topics.get("alerts", ""),
            "NEXUS_REPORTS_TOPIC_ARN": res.topics.get("reports", ""),
            "NEXUS_QUARANTINE_QUEUE_URL": res.queue_urls.get("quarantine", ""),
            "NEXUS_STATE_MACHINE_ARN": res.state_machines.get("weekly-analysis", ""),
        }
    return variables


class ProcessEnvironment:
    """Exports variables to os.environ (handlers run in-process) and puts the old values back."""

    def __init__(self) -> None:
        self._saved: dict[str, str | None] = {}

    def export(self, variables: dict[str, str]) -> None:
        for key, value in variables.items():
            self._saved.setdefault(key, os.environ.get(key))
            os.environ[key] = value
        get_settings.cache_clear()  # settings are read once per process; re-read them

    def restore(self) -> None:
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._saved.clear()
        get_settings.cache_clear()
