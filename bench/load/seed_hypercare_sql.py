"""Set-based seeding SQL for hypercare: n incidents of the live project, their change requests, the notifications
and audit trail that earlier sweeps and edits would have left. Parameters as in seed_sql.py.

Shape (issue 14): a third of the incidents unresolved (open / in_progress / waiting_customer), 2% of all incidents
overdue (open or in progress past a deadline: 2,000 of 100,000; the app's own sweep flags them after seeding,
with its notifications and audit snapshots; a project with fewer than 3,000 incidents gets about 60 more, so
its SLA-breaches page is as full (50 rows) as the large one's and the ratio compares equal pages), priorities
p1 5% / p2 15% / p3 50% / p4 30%, ten SAP modules, 20 support assignees (half of the unanswered ones
unassigned), customer reporters, one in ten incidents linked to a WRICEF item. Resolved incidents (two thirds, over the 60 days since go-live) answered and resolved
mostly in time; about 5% late on response and 9% on resolution, flagged as the sweep would have flagged them.
Deadlines are reported_at + the seed's default targets counted around the clock (business-hours clocks would
move P3/P4 deadlines later; the reads do not depend on it), except for unresolved incidents that are not
overdue: their next deadline lies in the future (at least 30 minutes away, so no sweep of the run flags them).
"""

from seed_sql import CUSTOMER, MODULE, SUPPORT, TEXT, number, uid

RESPONSE = "CASE priority WHEN 'p1' THEN 60 WHEN 'p2' THEN 240 WHEN 'p3' THEN 480 ELSE 1440 END"
RESOLUTION = "CASE priority WHEN 'p1' THEN 240 WHEN 'p2' THEN 480 WHEN 'p3' THEN 1440 ELSE 4320 END"

INCIDENTS = f"""
WITH base AS MATERIALIZED (
    SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5, random() AS r6,
           CASE WHEN g % 3 = 0 AND (g % 50 IN (0, 1, 2) OR g <= %(pad)s) THEN 'overdue' WHEN g % 3 = 0 THEN 'unresolved'
                ELSE 'resolved' END AS kind,
           CASE WHEN g % 20 = 0 THEN 'p1' WHEN g % 20 < 4 THEN 'p2' WHEN g % 20 < 14 THEN 'p3' ELSE 'p4' END AS priority
    FROM generate_series(1, %(n)s) g
), targets AS (
    SELECT *, make_interval(mins => {RESPONSE}) AS resp, make_interval(mins => {RESOLUTION}) AS reso,
           CASE kind WHEN 'overdue' THEN CASE WHEN g % 2 = 0 THEN 'open' ELSE 'in_progress' END
                     WHEN 'unresolved' THEN CASE WHEN r1 < 0.35 THEN 'open' WHEN r1 < 0.80 THEN 'in_progress'
                                                 ELSE 'waiting_customer' END
                     ELSE CASE WHEN r1 < 0.4 THEN 'resolved' ELSE 'closed' END END AS status
    FROM base
), reported AS (
    SELECT *, CASE WHEN kind = 'overdue' THEN %(now)s - interval '4 days' - interval '20 days' * r2
                   WHEN status = 'open' THEN %(now)s - resp * 0.5 * r2
                   WHEN kind = 'unresolved' THEN %(now)s - interval '30 days' * r2
                   ELSE %(golive)s + (%(now)s - interval '1 day' - %(golive)s) * r2 END AS reported_at
    FROM targets
), clocks AS (
    SELECT *,
           CASE WHEN status = 'open' THEN NULL
                ELSE reported_at + resp * (0.1 + r3 * CASE WHEN kind = 'resolved' THEN 0.95 ELSE 0.5 END) END
               AS first_response_at,
           CASE WHEN kind = 'resolved' THEN reported_at + reso * (0.2 + r4 * 0.88) END AS resolved_at,
           reported_at + resp AS response_deadline,
           CASE WHEN kind = 'unresolved' THEN %(now)s + interval '1 hour' + interval '14 days' * r5
                ELSE reported_at + reso END AS resolution_deadline
    FROM reported
), final AS (
    SELECT *, first_response_at > response_deadline AS response_late, resolved_at > resolution_deadline AS resolution_late
    FROM clocks
)
INSERT INTO hypercare_incidents (
    id, tenant_id, created_at, updated_at, created_by, updated_by, version, project_id, number, title, description,
    priority, status, incident_type, affected_module, affected_users_count, reported_by_id, assigned_to_id,
    reported_at, escalation_level, first_response_at, sla_response_deadline, sla_resolution_deadline,
    sla_next_deadline, sla_response_breached, sla_resolution_breached, sla_response_breached_at,
    sla_resolution_breached_at, sla_paused_at, sla_pauses, resolved_at, closed_at, resolution_notes, root_cause,
    root_cause_category, linked_backlog_item_id, csat_score, csat_comment, csat_at, requires_change_request)
SELECT {uid("incident", "g")}, %(t)s, reported_at,
       coalesce(resolved_at + interval '1 day' * (status = 'closed')::int, first_response_at, reported_at),
       {CUSTOMER}, CASE WHEN status = 'open' AND r4 < 0.5 THEN NULL ELSE {SUPPORT} END,
       CASE WHEN g = 1 THEN 22 WHEN first_response_at IS NULL THEN 1 ELSE 2 END, %(p)s, {number("INC", "g")},
       {MODULE} || ': ' || (ARRAY['posting fails','output not sent','interface stuck','missing authorisation',
           'slow transaction','wrong data'])[1 + g % 6] || ' #' || g,
       {TEXT}, priority, status,
       (ARRAY['system_down','data_issue','performance','authorization','interface','other'])[1 + g % 6],
       {MODULE}, 1 + g % 200, {CUSTOMER}, CASE WHEN status = 'open' AND r4 < 0.5 THEN NULL ELSE {SUPPORT} END,
       reported_at, (coalesce(response_late, false) OR coalesce(resolution_late, false))::int,
       first_response_at, response_deadline, resolution_deadline,
       CASE WHEN kind = 'resolved' THEN NULL WHEN first_response_at IS NULL THEN response_deadline
            ELSE resolution_deadline END,
       coalesce(response_late, false), coalesce(resolution_late, false),
       CASE WHEN response_late THEN response_deadline END, CASE WHEN resolution_late THEN resolution_deadline END,
       CASE WHEN status = 'waiting_customer' THEN greatest(first_response_at, %(now)s - interval '2 days' * r6) END,
       '[]'::jsonb, resolved_at,
       CASE WHEN status = 'closed' THEN least(resolved_at + interval '1 day', %(now)s) END,
       CASE WHEN kind = 'resolved' THEN 'Corrected and explained to the key user.' END,
       CASE WHEN kind = 'resolved' THEN 'See the linked change; master data was incomplete.' END,
       CASE WHEN kind = 'resolved' THEN (ARRAY['config','data','training','process','development','external'])[1 + g % 6]
       END,
       CASE WHEN g % 10 = 7 THEN {uid("backlog", "1 + (g / 10) % greatest(%(n)s / 10, 1)")} END,
       CASE WHEN kind = 'resolved' AND r6 < 0.3 THEN least(5, 1 + floor(r5 * 5)::int) END,
       CASE WHEN kind = 'resolved' AND r6 < 0.3 THEN 'Thanks' END,
       CASE WHEN kind = 'resolved' AND r6 < 0.3 THEN least(resolved_at + interval '2 hours', %(now)s) END,
       false
FROM final"""

CHANGE_REQUESTS = f"""
INSERT INTO post_golive_change_requests (id, tenant_id, created_at, updated_at, created_by, version, project_id,
    cr_number, title, description, change_type, priority, status, expedited, requested_by_id, approved_by_id,
    approved_at, test_required, incident_id)
SELECT {uid("cr", "g")}, %(t)s, i.reported_at + interval '1 day', i.reported_at + interval '1 day', i.assigned_to_id, 1,
       %(p)s, {number("CR", "g", 3)}, 'Change for ' || i.number, 'Raised from the incident.',
       (ARRAY['config','development','data','authorization','emergency'])[1 + g % 5], i.priority,
       (ARRAY['draft','pending_approval','approved','rejected','in_progress','implemented','closed'])[1 + g % 7],
       g % 10 = 0, {SUPPORT}, CASE WHEN g % 7 IN (2, 4, 5, 6) THEN %(admin)s END,
       CASE WHEN g % 7 IN (2, 4, 5, 6) THEN i.reported_at + interval '2 days' END, true, i.id
FROM generate_series(1, greatest(%(n)s / 100, 60)) g
JOIN hypercare_incidents i ON i.id = {uid("incident", "1 + (g - 1) * %(n)s / greatest(%(n)s / 100, 60)")}"""

LINK_CHANGE_REQUESTS = """
UPDATE hypercare_incidents i SET change_request_id = cr.id, requires_change_request = true
FROM post_golive_change_requests cr WHERE cr.tenant_id = %(t)s AND i.id = cr.incident_id"""

# What earlier sweeps wrote for the breaches flagged at seeding: the admin's (a project manager's) inbox.
PAST_NOTIFICATIONS = """
INSERT INTO notifications (id, tenant_id, user_id, kind, subject_id, project_id, title, payload, created_at, read_at)
SELECT md5(i.id::text || c.clock)::uuid, %(t)s, %(admin)s, 'sla_' || c.clock || '_breached', i.id, i.project_id,
       'SLA ' || c.clock || ' breached: ' || i.number || ' ' || i.title,
       jsonb_build_object('number', i.number, 'priority', i.priority, 'clock', c.clock, 'project_id', i.project_id),
       c.at, c.at + interval '1 hour'
FROM hypercare_incidents i
CROSS JOIN LATERAL (VALUES ('response', i.sla_response_breached_at), ('resolution', i.sla_resolution_breached_at))
    AS c(clock, at)
WHERE i.tenant_id = %(t)s AND c.at IS NOT NULL"""


def audit_sql(table: str, entity_type: str, initial_properties: list[str]) -> list[str]:
    """The trail the app's after_flush hook writes (app/models/audit.py): one commit and one snapshot of the
    full row per change; INITIAL for every row of `table`, and for incidents one UPDATE when answered (the
    state as it is now) plus 20 more versions of INC-0001, the incident whose history the benchmark reads."""
    initial = f"""
INSERT INTO audit_commits (id, tenant_id, author_id, committed_at)
SELECT md5(x.id::text || ':c1')::uuid, %(t)s, x.created_by, x.created_at FROM {table} x WHERE x.tenant_id = %(t)s;
INSERT INTO audit_snapshots (id, tenant_id, commit_id, global_id, entity_type, entity_id, change_type, state,
                             changed_properties, version)
SELECT md5(x.id::text || ':s1')::uuid, %(t)s, md5(x.id::text || ':c1')::uuid, '{entity_type}/' || x.id,
       '{entity_type}', x.id, 'INITIAL', to_jsonb(x) || jsonb_build_object('version', 1), %(initial)s::jsonb, 1
FROM {table} x WHERE x.tenant_id = %(t)s"""
    statements = initial.replace("%(initial)s", "'" + _json_list(initial_properties) + "'").split(";\n")
    if table == "hypercare_incidents":
        statements.extend(
            f"""
INSERT INTO audit_commits (id, tenant_id, author_id, committed_at)
SELECT md5(x.id::text || ':c' || v)::uuid, %(t)s, x.assigned_to_id, x.updated_at + interval '1 minute' * (v - 2)
FROM hypercare_incidents x, generate_series(2, x.version) v
WHERE x.tenant_id = %(t)s AND x.first_response_at IS NOT NULL;
INSERT INTO audit_snapshots (id, tenant_id, commit_id, global_id, entity_type, entity_id, change_type, state,
                             changed_properties, version)
SELECT md5(x.id::text || ':s' || v)::uuid, %(t)s, md5(x.id::text || ':c' || v)::uuid, '{entity_type}/' || x.id,
       '{entity_type}', x.id, 'UPDATE', to_jsonb(x) || jsonb_build_object('version', v),
       CASE WHEN v > 2 THEN '["assigned_to_id"]'::jsonb
            WHEN x.resolved_at IS NOT NULL THEN '["first_response_at", "resolution_notes", "resolved_at", "root_cause",
                "root_cause_category", "sla_next_deadline", "status"]'::jsonb
            ELSE '["first_response_at", "sla_next_deadline", "status"]'::jsonb END, v
FROM hypercare_incidents x, generate_series(2, x.version) v
WHERE x.tenant_id = %(t)s AND x.first_response_at IS NOT NULL""".split(";\n")
        )
    return statements


def _json_list(names: list[str]) -> str:
    return "[" + ", ".join(f'"{name}"' for name in sorted(names)) + "]"


HOT_INCIDENT = uid("incident", "1")
