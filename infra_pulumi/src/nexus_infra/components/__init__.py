"""Pulumi ComponentResources, one per deployable unit of the platform."""
