"""The dashboard API of NEXUS_ENA: read-only views over precomputed data, plus an admin rerun."""
