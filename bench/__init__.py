"""Benchmarks that print figures; run each with ``python -m bench.<name>``."""
