"""Synthetic cycles at city scale for benchmarks (`flask pb bench-data`, bench/web.py)."""
