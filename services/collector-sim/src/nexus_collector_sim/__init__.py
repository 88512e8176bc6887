"""The simulated market: NEXUS_ENA's embedded default source (source `sim`)."""
