"""The submission ledger: every external write keyed once, and Amazon's answers to them."""
