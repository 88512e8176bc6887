"""Pulumi entry point of the core stack; configuration under the `nexus:` namespace."""

from nexus_infra import core_stack
from nexus_infra.config import from_pulumi_config

core_stack.build(from_pulumi_config())
