from app.blueprints import audit, auth, jobs, projects, spa, system, users

ALL_BLUEPRINTS = [auth.bp, users.bp, projects.bp, audit.bp, jobs.bp, system.bp, spa.bp]
