"""Subcommands of the nexus command, one module each."""
