"""The seed's service surface (FDD-B03 §5.1), re-exported from the focused modules in
app/services/hypercare/: sla_calendar (time arithmetic), sla (targets, calendar, deadlines), incidents,
breaches (the set-based sweep), change_requests, metrics, notifications."""
from app.services.hypercare.breaches import sweep as check_sla_breaches  # noqa: F401
from app.services.hypercare.change_requests import (approve as approve_change_request,  # noqa: F401
                                                    create_change_request, list_change_requests)
from app.services.hypercare.incidents import (add_first_response, create_incident, resolve_incident,  # noqa: F401
                                              update_incident)
from app.services.hypercare.metrics import incident_metrics as get_incident_metrics  # noqa: F401
from app.services.hypercare.sla import SLA_DEFAULTS  # noqa: F401
