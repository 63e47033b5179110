"""SuiteQL for the NetSuite sandbox: a small parser, tables over the records, paging."""

from vendor_sandbox.netsuite.suiteql.engine import run_query
from vendor_sandbox.netsuite.suiteql.tables import TABLES

__all__ = ["TABLES", "run_query"]
