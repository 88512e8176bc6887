"""NEXUS_ENA validator: contract rules, lake writes, quarantine and alerts."""
