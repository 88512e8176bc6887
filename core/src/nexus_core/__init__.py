"""Shared adapters and the collector kit of NEXUS_ENA."""
