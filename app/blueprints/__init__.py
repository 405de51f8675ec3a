from app.blueprints import audit, auth, integrations, jobs, projects, spa, system, users, webhooks

ALL_BLUEPRINTS = [auth.bp, users.bp, projects.bp, audit.bp, jobs.bp, system.bp, spa.bp,
                 integrations.bp, webhooks.bp]
