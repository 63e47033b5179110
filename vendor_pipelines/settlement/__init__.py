"""Settlement flow glue: the remittance inbox, and posting verified settlements to NetSuite."""
