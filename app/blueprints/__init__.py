from app.blueprints import (
    account,
    admin,
    api_tokens,
    attachments,
    audit,
    auth,
    backlog,
    change_requests,
    cloud_alm,
    defects,
    discussions,
    event_subscriptions,
    hypercare,
    integrations,
    invitations,
    jobs,
    leads,
    marketplace,
    notifications,
    projects,
    requirements,
    runbook_runs,
    runbooks,
    spa,
    system,
    testing_cases,
    testing_cycles,
    triage,
    users,
    webhooks,
)

ALL_BLUEPRINTS = [auth.bp, users.bp, projects.bp, audit.bp, jobs.bp, system.bp, spa.bp]
ALL_BLUEPRINTS += [requirements.bp, backlog.bp, testing_cycles.bp, testing_cases.bp, defects.bp]
ALL_BLUEPRINTS += [hypercare.bp, change_requests.bp, notifications.bp, marketplace.bp, triage.bp]
ALL_BLUEPRINTS += [runbooks.bp, runbook_runs.bp]
ALL_BLUEPRINTS += [integrations.bp, webhooks.bp, leads.bp, cloud_alm.bp]  # plugins add theirs
ALL_BLUEPRINTS += [account.bp, admin.bp, invitations.bp, api_tokens.bp]
ALL_BLUEPRINTS += [attachments.bp, discussions.bp, event_subscriptions.bp]
