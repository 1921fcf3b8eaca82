"""Benchmarks: run with `make bench`; they print their figures (pytest -s)."""
