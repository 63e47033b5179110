"""Dagster objects of the disputes of Amazon's claims: deadlines, packets, submissions, journals."""
