"""SAP Cloud ALM sync, the service side (seed 000 Phase B). The connector, client and pure mapping live in
app/integrations/cloud_alm/; these modules decide what to sync and record what happened:

- config.py        the tenant's Cloud ALM settings, over its `cloud_alm` hub connection
- runs.py          SyncRun: counters, per-record outcomes and the sync-log row of one operation
- sync.py          push and pull requirements (and the helpers the other operations share)
- status_mapping.py  Meridian status <-> Cloud ALM status/subStatus, tenant overrides on the defaults
- sync_log.py      the per-project sync log the Explore page shows
- conflicts.py     both versions of a conflicting requirement, and keeping one
- test_results.py  push a test cycle's cases and defects
- jobs.py          the operations as background jobs (202 + job)
- schedule.py      scheduled and webhook-triggered pulls and pushes
"""
