"""The nexus command."""
