"""Set-based seeding SQL, run as the owner (migrations' role) on one connection per tenant.

Every statement takes the same parameters: t (tenant id), p (the live project), r (the second project), admin
(the admin's id), n (incidents of the live project), pad (incidents numbered up to it are overdue too), now,
golive, hash (a password hash made by the app), slug. Ids are md5-derived UUIDs, so a row's id follows from
(tenant, kind, number) and statements can point at each other's rows without reading them back.

Sizes per tenant, from n: requirements, backlog items, test cases, leads and sync runs n/10; test executions
2 x n/10 (two cycles); defects n/20; change requests n/100 but at least 60 (a full page at every size); gateway
calls n; audit snapshots about 1.7 n (every incident's INITIAL and, once answered, one UPDATE) plus n/10
requirement INITIALs.
"""


def uid(kind: str, expr: str) -> str:
    return f"md5(%(t)s::text || ':{kind}:' || ({expr})::text)::uuid"


def number(prefix: str, expr: str, width: int = 4) -> str:
    """The app's f"{prefix}-{n:0{width}d}" (lpad alone would cut numbers longer than the width)."""
    return (
        f"'{prefix}-' || CASE WHEN length(({expr})::text) >= {width} THEN ({expr})::text "
        f"ELSE lpad(({expr})::text, {width}, '0') END"
    )


SUPPORT = uid("user", "'support' || (1 + g % 20)")
CUSTOMER = uid("user", "'customer' || (1 + g % 5)")
CONSULTANT = uid("user", "'consultant' || (1 + g % 5)")
MODULE = "(ARRAY['FI','CO','MM','SD','PP','EWM','WM','QM','PM','BASIS'])[1 + g % 10]"
TEXT = (
    "'Observed during the daily run; steps, logs and screenshots are attached. Users in the affected plant "
    "cannot continue until this is fixed; a workaround is being evaluated with the key users. Ref ' || g"
)

USERS = f"""
INSERT INTO users (id, tenant_id, created_at, updated_at, version, email, name, password_hash, role, support_level,
                   active, recovery_codes)
SELECT {uid("user", "r.role || g")}, %(t)s, %(now)s, %(now)s, 1, r.role || g || '@' || %(slug)s || '.bench',
       initcap(r.role) || ' ' || g, %(hash)s, r.role,
       CASE WHEN r.role = 'support' THEN (ARRAY['L1','L2','L3'])[1 + g % 3] END, true, '[]'
FROM (VALUES ('pm', 2), ('support', 20), ('consultant', 5), ('customer', 5)) AS r(role, how_many),
     generate_series(1, r.how_many) g"""

PROJECTS = """
INSERT INTO projects (id, tenant_id, created_at, updated_at, created_by, version, code, name, customer_name, description,
                      phase, go_live_date, hypercare_start, hypercare_end, timezone)
VALUES (%(p)s, %(t)s, %(now)s, %(now)s, %(admin)s, 1, 'LIVE', 'S/4HANA go-live', 'Bench Customer AG', '', 'run',
        %(golive)s::date, %(golive)s::date, %(golive)s::date + 90, 'Europe/Berlin'),
       (%(r)s, %(t)s, %(now)s, %(now)s, %(admin)s, 1, 'WAVE2', 'Rollout wave 2', 'Bench Customer AG', '', 'explore',
        NULL, NULL, NULL, 'Europe/Berlin')"""

MEMBERS = f"""
INSERT INTO project_members (id, tenant_id, project_id, user_id, created_at)
SELECT md5(%(t)s::text || ':member:' || pr || u::text)::uuid, %(t)s, pr, u, %(now)s
FROM (SELECT %(admin)s::uuid AS u UNION ALL SELECT id FROM users WHERE tenant_id = %(t)s AND id <> %(admin)s) users_,
     (VALUES (%(p)s::uuid), (%(r)s::uuid)) AS projects_(pr)
WHERE pr = %(p)s OR u IN (%(admin)s, {uid("user", "'pm1'")})"""

REQUIREMENTS = f"""
INSERT INTO explore_requirements (id, tenant_id, created_at, updated_at, created_by, version, project_id, code, title,
    description, module, scope_item, fit_gap, priority, status, owner_id, workshop_ref, alm_sync_status)
SELECT {uid("req", "g")}, %(t)s, c, c, %(admin)s, 1, %(p)s, {number("REQ", "g")},
       {MODULE} || ' requirement ' || g || ': ' || (ARRAY['approval workflow','output form','pricing rule',
           'batch interface','authorisation role','migration object'])[1 + g % 6],
       {TEXT}, {MODULE}, 'BD' || (g % 90), (ARRAY['fit','fit','partial_fit','gap'])[1 + g % 4],
       (ARRAY['critical','high','medium','medium','low'])[1 + g % 5],
       (ARRAY['draft','in_review','approved','approved','realized','verified','rejected'])[1 + g % 7],
       {CONSULTANT}, 'WS-' || (g % 40), (ARRAY['not_synced','synced','synced'])[1 + g % 3]
FROM (SELECT g, %(golive)s - interval '240 days' + interval '150 days' * g / greatest(%(n)s / 10, 1) AS c
      FROM generate_series(1, greatest(%(n)s / 10, 1)) g) s"""

BACKLOG = f"""
INSERT INTO backlog_items (id, tenant_id, created_at, updated_at, created_by, version, project_id, code, wricef_type,
    title, description, module, status, effort_days, requirement_id, assignee_id)
SELECT {uid("backlog", "g")}, %(t)s, c, c, %(admin)s, 1, %(p)s,
       (ARRAY['WFL','RPT','INT','CNV','ENH','FRM'])[1 + (g - 1) % 6] || '-' ||
           CASE WHEN (g - 1) / 6 + 1 >= 1000 THEN ((g - 1) / 6 + 1)::text ELSE lpad(((g - 1) / 6 + 1)::text, 4, '0') END,
       (ARRAY['workflow','report','interface','conversion','enhancement','form'])[1 + (g - 1) % 6],
       {MODULE} || ' development object ' || g, {TEXT}, {MODULE},
       (ARRAY['new','design','build','unit_test','done','done','cancelled'])[1 + g % 7], 1 + g % 20,
       CASE WHEN g % 2 = 0 THEN {uid("req", "1 + (g - 1) % greatest(%(n)s / 10, 1)")} END, {CONSULTANT}
FROM (SELECT g, %(golive)s - interval '200 days' + interval '120 days' * g / greatest(%(n)s / 10, 1) AS c
      FROM generate_series(1, greatest(%(n)s / 10, 1)) g) s"""

CYCLES = """
INSERT INTO test_cycles (id, tenant_id, created_at, updated_at, created_by, version, project_id, name, cycle_type,
                         start_date, end_date, status)
SELECT md5(%(t)s::text || ':cycle:' || k)::uuid, %(t)s, %(now)s, %(now)s, %(admin)s, 1, %(p)s, name, kind,
       %(golive)s::date - 100 + 20 * k, %(golive)s::date - 85 + 20 * k, status
FROM (VALUES (1, 'SIT 1', 'sit', 'completed'), (2, 'SIT 2', 'sit', 'planned'), (3, 'UAT 1', 'uat', 'in_progress'),
             (4, 'Regression 1', 'regression', 'planned')) AS c(k, name, kind, status)"""

CASES = f"""
INSERT INTO test_cases (id, tenant_id, created_at, updated_at, created_by, version, project_id, code, title, steps,
                        expected_result, module, status)
SELECT {uid("case", "g")}, %(t)s, %(golive)s - interval '120 days', %(golive)s - interval '120 days', %(admin)s, 1,
       %(p)s, {number("TC", "g")}, {MODULE} || ' end-to-end test ' || g,
       '1. Sign in as the key user. 2. Run the transaction. 3. Post the document. 4. Check the output.',
       'The document is posted and the output is sent.', {MODULE},
       (ARRAY['ready','ready','ready','draft','obsolete'])[1 + g % 5]
FROM generate_series(1, greatest(%(n)s / 10, 1)) g"""

CASE_LINKS = f"""
INSERT INTO test_case_requirements (id, tenant_id, test_case_id, requirement_id, created_at)
SELECT {uid("case-req", "g")}, %(t)s, {uid("case", "g")}, {uid("req", "g")}, %(golive)s - interval '120 days'
FROM generate_series(1, greatest(%(n)s / 10, 1)) g"""

# Cycle 1 (SIT, completed) ran every case; cycle 3 (UAT, in progress) has every case planned, most run.
EXECUTIONS = f"""
INSERT INTO test_executions (id, tenant_id, created_at, updated_at, created_by, version, project_id, cycle_id,
                             test_case_id, status, executed_by, executed_at, notes)
SELECT {uid("exec", "k || ':' || g")}, %(t)s, %(golive)s - interval '100 days', %(golive)s - interval '100 days',
       %(admin)s, 1, %(p)s, md5(%(t)s::text || ':cycle:' || k)::uuid, {uid("case", "g")}, status,
       CASE WHEN status <> 'not_run' THEN {CONSULTANT} END,
       CASE WHEN status <> 'not_run' THEN %(golive)s - interval '1 day' * (90 - 20 * k) + interval '1 minute' * g END,
       ''
FROM (SELECT k, g, CASE WHEN g % 10 = 0 THEN 'failed' WHEN g % 20 = 3 THEN 'blocked'
                        WHEN k = 3 AND g % 5 IN (1, 2) THEN 'not_run' WHEN k = 1 AND g % 20 = 7 THEN 'skipped'
                        ELSE 'passed' END AS status
      FROM (VALUES (1), (3)) AS cycles(k), generate_series(1, greatest(%(n)s / 10, 1)) g) s"""

DEFECTS = f"""
INSERT INTO defects (id, tenant_id, created_at, updated_at, created_by, version, project_id, code, title, description,
                     severity, status, module, assignee_id, execution_id)
SELECT {uid("defect", "g")}, %(t)s, %(golive)s - interval '95 days' + interval '1 minute' * g,
       %(golive)s - interval '95 days' + interval '1 minute' * g, %(admin)s, 1, %(p)s, {number("DEF", "g")},
       {MODULE} || ' defect ' || g, {TEXT}, (ARRAY['p1','p2','p3','p3','p4'])[1 + g % 5],
       (ARRAY['new','open','in_progress','fixed','retest','closed','closed','rejected'])[1 + g % 8], {MODULE},
       {CONSULTANT}, CASE WHEN 10 * g <= greatest(%(n)s / 10, 1) THEN {uid("exec", "'1:' || 10 * g")} END
FROM generate_series(1, greatest(%(n)s / 20, 1)) g"""

LEADS = f"""
INSERT INTO leads (id, tenant_id, created_at, updated_at, created_by, version, domain, company_name, contact_name,
                   contact_email, segment, readiness_score, priority_score, provider, tenant_size,
                   infrastructure_summary, is_partner_center_referral, status, owner_id, d365_sync_status)
SELECT {uid("lead", "g")}, %(t)s, %(now)s - interval '1 minute' * g, %(now)s - interval '1 minute' * g, %(admin)s, 1,
       'company' || g || '.example.com', 'Company ' || g || ' GmbH', 'Contact ' || g,
       'contact' || g || '@company' || g || '.example.com',
       (ARRAY['enterprise','mid_market','smb','public_sector'])[1 + g % 4], g * 37 % 101, g * 53 % 101,
       (ARRAY['Microsoft 365','Google Workspace','On-premises'])[1 + g % 3], (ARRAY['S','M','L','XL'])[1 + g % 4],
       'Exchange Online, Entra ID, Teams', g % 7 = 0, (ARRAY['new','qualified','contacted','won','lost'])[1 + g % 5],
       {uid("user", "'pm1'")}, (ARRAY[NULL,'synced','error','pending'])[1 + g % 4]
FROM generate_series(1, greatest(%(n)s / 10, 1)) g"""

CONNECTION = """
INSERT INTO integration_connections (id, tenant_id, created_at, updated_at, created_by, version, kind, name, config,
                                     secrets, is_active, error_count)
VALUES (md5(%(t)s::text || ':connection')::uuid, %(t)s, %(golive)s - interval '200 days',
        %(golive)s - interval '200 days', %(admin)s, 1, 'cloud_alm', 'SAP Cloud ALM',
        '{"alm_url": "https://bench.example.com", "token_url": "https://bench.example.com/oauth/token",
          "client_id": "bench"}'::jsonb, '{}'::jsonb, false, 0)"""

SYNC_RUNS = """
INSERT INTO integration_sync_runs (id, tenant_id, connection_id, operation, status, triggered_by, records_pushed,
                                   records_pulled, error, started_by, started_at, finished_at, duration_ms)
SELECT md5(%(t)s::text || ':sync:' || g)::uuid, %(t)s, md5(%(t)s::text || ':connection')::uuid,
       (ARRAY['push','pull','pull','test','webhook'])[1 + g % 5], CASE WHEN g % 25 = 0 THEN 'failed' ELSE 'succeeded' END,
       (ARRAY['manual','scheduled','scheduled'])[1 + g % 3], g % 40, g % 30,
       CASE WHEN g % 25 = 0 THEN 'Cloud ALM answered 503' END, %(admin)s,
       %(now)s - interval '90 days' * g / greatest(%(n)s / 10, 1),
       %(now)s - interval '90 days' * g / greatest(%(n)s / 10, 1) + interval '2 seconds', 2000
FROM generate_series(1, greatest(%(n)s / 10, 1)) g"""

CALL_LOG = """
INSERT INTO gateway_call_logs (id, tenant_id, connection_id, connection_kind, user_id, method, path, payload_hash,
                               response_code, latency_ms, attempt, error, created_at)
SELECT md5(%(t)s::text || ':call:' || g)::uuid, %(t)s, md5(%(t)s::text || ':connection')::uuid, 'cloud_alm',
       %(admin)s, (ARRAY['GET','POST','PATCH'])[1 + g % 3], '/api/calm-tasks/v1/tasks',
       md5(g::text) || md5((g + 1)::text), CASE WHEN g % 33 = 0 THEN 503 ELSE 200 END, 40 + g % 400, 1,
       CASE WHEN g % 33 = 0 THEN 'HTTP 503 from upstream' END, %(now)s - interval '90 days' * g / %(n)s
FROM generate_series(1, %(n)s) g"""
