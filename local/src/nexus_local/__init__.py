"""Local AWS runtime."""
