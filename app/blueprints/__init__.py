from app.blueprints import audit, auth, integrations, jobs, leads, projects, spa, system, users, webhooks
from app.blueprints import backlog, defects, requirements, test_cases, test_cycles
from app.blueprints import change_requests, cloud_alm, hypercare, notifications
from app.integrations.plugins import plugin_blueprints

ALL_BLUEPRINTS = [auth.bp, users.bp, projects.bp, audit.bp, jobs.bp, system.bp, spa.bp]
ALL_BLUEPRINTS += [requirements.bp, backlog.bp, test_cycles.bp, test_cases.bp, defects.bp]
ALL_BLUEPRINTS += [hypercare.bp, change_requests.bp, notifications.bp]
ALL_BLUEPRINTS += [integrations.bp, webhooks.bp, leads.bp, cloud_alm.bp, *plugin_blueprints()]
