"""Local simulators of Amazon SP-API (vendor) and NetSuite REST: the embedded default.

`world` is the deterministic catalogue both simulators are seeded from; `store` persists their
state so separate processes (Dagster step subprocesses, a CLI server) see the same records.
"""
