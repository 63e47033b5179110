"""`vendor-pipelines soak`: the production topology left alone with a live sandbox, judged."""
