"""Run / hypercare services, split by idea: the SLA calendar arithmetic, the SLA table, incidents, the
breach sweep, change requests, metrics and notifications. `app.services.hypercare_service` re-exports
the seed's function names."""
