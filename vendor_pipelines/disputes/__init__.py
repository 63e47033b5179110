"""Disputes of Amazon's claims (shortages, price claims, chargebacks), from our own records.

Pure library code over a DuckDB connection handed in by the caller (no Dagster): the cases are
judged by the finance layer (`finance.dispute_cases`, dbt); here they are recorded as submitted
(`submissions`), given their evidence packets (`packets`), posted to NetSuite as reclass
journals (`journals`) and watched for their deadlines (`detections`).
"""
