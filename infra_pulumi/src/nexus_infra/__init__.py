"""NEXUS_ENA infrastructure as code, Lambda packaging and the cost model."""
