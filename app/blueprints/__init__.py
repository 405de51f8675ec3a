from app.blueprints import audit, auth, integrations, jobs, leads, projects, spa, system, users, webhooks
from app.integrations.plugins import plugin_blueprints

ALL_BLUEPRINTS = [auth.bp, users.bp, projects.bp, audit.bp, jobs.bp, system.bp, spa.bp,
                 integrations.bp, webhooks.bp, leads.bp, *plugin_blueprints()]
