"""Order sync domain: purchase orders -> sales orders -> acknowledgements (pure SQL + rules)."""
