"""One status vocabulary for every table that records work that runs: platform jobs, Dynamics 365 push
jobs, integration sync runs and Cloud ALM sync logs. A run is queued, then running, then finished as
succeeded, partial (some records refused, the rest done) or failed."""

QUEUED, RUNNING, SUCCEEDED, PARTIAL, FAILED = "queued", "running", "succeeded", "partial", "failed"

FINISHED = (SUCCEEDED, PARTIAL, FAILED)
ALL = (QUEUED, RUNNING, *FINISHED)
