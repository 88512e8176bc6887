"""Pulumi entry point of one collector stack: `nexus:source` selects the source."""

import pulumi

from nexus_infra import collector_stack
from nexus_infra.config import from_pulumi_config

collector_stack.build(from_pulumi_config(), pulumi.Config("nexus").require("source"))
