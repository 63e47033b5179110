"""vendor_pipelines: Amazon Vendor Central <-> NetSuite integration."""
