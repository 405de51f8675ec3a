from app.blueprints import audit, auth, jobs, projects, spa, system, users
from app.blueprints import change_requests, hypercare, notifications

ALL_BLUEPRINTS = [auth.bp, users.bp, projects.bp, audit.bp, jobs.bp, system.bp, spa.bp,
                 hypercare.bp, change_requests.bp, notifications.bp]
