#!/usr/bin/env bash
# Issue 15.2: schemathesis over the whole API of a live server, every check (schemathesis' default) and every phase (stateful links
# included), with a fixed example budget so CI stays within its time. `make schemathesis` runs it; CI runs it
# after `make test`. Exits non-zero on any failure.
#
# The server: the app on loopback (flask's threaded server, SQLite in a throwaway instance dir, in-process
# stores: no PostgreSQL or Redis needed), demo data from `flask seed-demo`, rate limits off (a 429 would hide
# the real answers) and a long access token. Knobs: ST_EXAMPLES (per operation, default 8), ST_PORT (5059),
# ST_INCLUDE (a path regex to run part of the API while iterating), ST_SEED (default 15), ST_VENV.
set -euo pipefail
cd "$(dirname "$0")/.."

ST_VERSION=4.32.5
ST_VENV=${ST_VENV:-/tmp/meridian-schemathesis-venv}
ST_PORT=${ST_PORT:-5059}
ST_EXAMPLES=${ST_EXAMPLES:-8}
ST_SEED=${ST_SEED:-15}
BASE="http://127.0.0.1:${ST_PORT}"

# schemathesis in its own venv: its pins (hypothesis, werkzeug, requests…) stay out of the app's.
if ! "$ST_VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$ST_VERSION"; then
  python3 -m venv "$ST_VENV"
  "$ST_VENV/bin/pip" install --quiet "schemathesis==$ST_VERSION" >/tmp/meridian-schemathesis-pip.log 2>&1 ||
    { cat /tmp/meridian-schemathesis-pip.log; exit 1; }
fi

# Every check runs: that is schemathesis' default, so the command line names none. A `--checks` option would
# outrank the config file's per-operation switches (it once silently re-enabled one; see the toml).
"$ST_VENV/bin/python" scripts/schemathesis_config_check.py scripts/schemathesis.toml

WORK=$(mktemp -d)
export MERIDIAN_INSTANCE_DIR="$WORK"
export DATABASE_URL="sqlite:///$WORK/meridian.db"
export RATELIMIT_ENABLED=0 JWT_ACCESS_MINUTES=600 MERIDIAN_ENV=development
unset REDIS_URL CELERY_BROKER_URL TEST_DATABASE_URL TEST_REDIS_URL
FLASK=".venv/bin/flask --app wsgi"
$FLASK db upgrade >"$WORK/setup.log" 2>&1
$FLASK seed-demo >>"$WORK/setup.log" 2>&1

$FLASK run --host 127.0.0.1 --port "$ST_PORT" --with-threads >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -fsS "$BASE/healthz/live" >/dev/null 2>&1 && break
  sleep 1
done

TOKEN=$(curl -fsS -X POST "$BASE/api/v1/auth/login" -H "Content-Type: application/json" \
  -d '{"email": "admin@demo.test", "password": "Demo-Pass-2026!"}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')

# The operations that end the caller's own session would turn every later answer
# into a 401; the suite covers them (tests/api/test_account.py, test_auth.py, test_session_hardening.py).
EXCLUDE='^/api/v1/(auth/logout|account/sessions/|users/\{user_id\}/sessions/)'

ARGS=(
  --config-file scripts/schemathesis.toml run "$BASE/api/v1/openapi.json"
  -H "Authorization: Bearer $TOKEN"
  --phases examples,coverage,fuzzing,stateful
  -n "$ST_EXAMPLES" --seed "$ST_SEED" -w 2
  --suppress-health-check all
  --request-timeout 30
  --exclude-path-regex "$EXCLUDE"
  --report ndjson --report-ndjson-path "$WORK/events.ndjson"
  --output-truncate true
)
[ -n "${ST_INCLUDE:-}" ] && ARGS+=(--include-path-regex "$ST_INCLUDE")

set +e
"$ST_VENV/bin/schemathesis" "${ARGS[@]}"
STATUS=$?
set -e
python3 scripts/schemathesis_summary.py "$WORK/events.ndjson" || true
if [ "$STATUS" -ne 0 ]; then
  echo "schemathesis: failures above (server log: $WORK/server.log)"
  tail -n 40 "$WORK/server.log" | grep -i -E "error|traceback" | head -20 || true
fi
exit "$STATUS"
