"""Fulfilment, ASNs, invoices and DF inventory: NetSuite -> Amazon (pure, no Dagster)."""
