"""Benchmarks run by `vendor-pipelines bench NAME` (one module per benchmark)."""
