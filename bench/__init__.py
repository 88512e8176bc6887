"""Benchmarks (`make bench`): each `bench_*.py` module exposes `main() -> None` and prints figures."""
