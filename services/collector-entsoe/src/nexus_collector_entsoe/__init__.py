"""ENTSO-E Transparency Platform collector: day-ahead prices (A44) and actual load (A65)."""
