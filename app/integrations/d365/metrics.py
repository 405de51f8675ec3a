"""d365_push_total / d365_push_fail_total on /metrics (seed 003 §1.3: counters only, no PII). No tenant
label, unlike the seed's sketch: a scrape must not enumerate tenants (docs/decisions.md, issue 13.11)."""

from prometheus_client import Counter

from app.utils.observability import REGISTRY

PUSH_TOTAL = Counter("d365_push_total", "Leads pushed to Dynamics 365, by outcome", ["result"], registry=REGISTRY)
PUSH_FAIL_TOTAL = Counter(
    "d365_push_fail_total",
    "Lead pushes to Dynamics 365 that failed after every attempt",
    ["reason"],
    registry=REGISTRY,
)
