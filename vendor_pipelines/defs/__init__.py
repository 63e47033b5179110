"""Dagster objects only, grouped by domain; each module calls the pure libraries."""
