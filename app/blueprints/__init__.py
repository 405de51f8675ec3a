from app.blueprints import audit, auth, integrations, jobs, leads, projects, spa, system, users, webhooks
from app.blueprints import backlog, defects, requirements, testing_cases, testing_cycles
from app.blueprints import change_requests, cloud_alm, hypercare, notifications

ALL_BLUEPRINTS = [auth.bp, users.bp, projects.bp, audit.bp, jobs.bp, system.bp, spa.bp]
ALL_BLUEPRINTS += [requirements.bp, backlog.bp, testing_cycles.bp, testing_cases.bp, defects.bp]
ALL_BLUEPRINTS += [hypercare.bp, change_requests.bp, notifications.bp]
ALL_BLUEPRINTS += [integrations.bp, webhooks.bp, leads.bp, cloud_alm.bp]  # plugins add theirs
