"""Run / hypercare services (seed 002 §5), split by idea: sla_calendar (time arithmetic), sla (targets,
calendar, deadlines), incidents, breaches (the set-based sweep), change_requests, metrics and
notifications. The seed's single `hypercare_service` names map onto these modules (docs/specs/
002-hypercare.md §5.1)."""
