from app.blueprints import audit, auth, integrations, jobs, projects, spa, system, users, webhooks
from app.blueprints import backlog, defects, requirements, test_cases, test_cycles
from app.blueprints import cloud_alm

ALL_BLUEPRINTS = [auth.bp, users.bp, projects.bp, audit.bp, jobs.bp, system.bp, spa.bp]
ALL_BLUEPRINTS += [requirements.bp, backlog.bp, test_cycles.bp, test_cases.bp, defects.bp]
ALL_BLUEPRINTS += [integrations.bp, webhooks.bp]
ALL_BLUEPRINTS += [cloud_alm.bp]
