#!/usr/bin/env bash
# The whole test suite, lane by lane: lint, Django checks, unit+API on SQLite, the same
# suite on a throw-away PostgreSQL server, and the browser lane (Playwright + chromium).
# A lane whose prerequisite is missing is reported as SKIPPED with the reason; with
# REQUIRE_ALL_LANES=1 (set by .ci/run) a skipped lane fails the run.
set -u
cd "$(dirname "$0")/.."
PY=.venv/bin/python
RESULTS=junit  # not test-results/ (pytest-playwright empties that folder), not reports/ (the quality-reports app)
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
export DJANGO_SETTINGS_MODULE=config.settings.test
unset DATABASE_URL
# Fresh test databases every run (pyproject's --reuse-db is for local runs). The sqlite and postgres lanes run on
# PYTEST_WORKERS processes (xdist, one test database each: ..._gw0, ..._gw1); modules go whole to a worker, the ones
# reading the shared demo together (conftest.py). The browser lane stays serial: one live server, one chromium.
FRESH=(--create-db)
PARALLEL=(-n "${PYTEST_WORKERS:-2}" --dist loadfile)

declare -a LANE_NAMES=() LANE_STATUS=() LANE_NOTES=()
record() { LANE_NAMES+=("$1"); LANE_STATUS+=("$2"); LANE_NOTES+=("$3"); }
banner() { printf '\n==== lane: %s ====\n' "$1"; }

run_pytest_lane() {  # name, pytest args...
  local name=$1; shift
  banner "$name"
  "$PY" -m pytest --junitxml="$RESULTS/$name.xml" "$@"
  local rc=$?
  case $rc in
    0) record "$name" ok "" ;;
    5) record "$name" FAILED "pytest collected no tests (exit 5): the lane lost its tests" ;;
    *) record "$name" FAILED "pytest exit $rc" ;;
  esac
}

# ---- lint -------------------------------------------------------------------
banner lint
if .venv/bin/ruff check . && .venv/bin/ruff format --check .; then record lint ok ""; else record lint FAILED "ruff"; fi
if .venv/bin/lint-imports; then record imports ok ""; else record imports FAILED "lint-imports: an app imports an app above it (.importlinter)"; fi

# ---- Django checks ------------------------------------------------------------
banner checks
checks_ok=1
"$PY" manage.py check --fail-level WARNING || checks_ok=0
"$PY" manage.py makemigrations --check --dry-run || { echo "missing migrations"; checks_ok=0; }
DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY="$(head -c 48 /dev/urandom | base64)" \
  ALLOWED_HOSTS=qms.example.com DATABASE_URL=sqlite:////tmp/qms-deploy-check.sqlite3 \
  "$PY" manage.py check --deploy --fail-level WARNING || checks_ok=0
"$PY" manage.py spectacular --validate --fail-on-warn --file /dev/null || { echo "OpenAPI schema has warnings"; checks_ok=0; }
if [ $checks_ok = 1 ]; then record checks ok ""; else record checks FAILED "manage.py check / makemigrations --check / check --deploy / OpenAPI schema"; fi

# ---- translations: every message translated, and the committed .mo compiled from the .po ----
banner messages
if command -v msgfmt >/dev/null; then
  PO=locale/zh_Hans/LC_MESSAGES/django.po
  MO_TMP=$(mktemp)
  stats=$(msgfmt --check --statistics -o "$MO_TMP" "$PO" 2>&1)
  echo "$stats" | grep -v "still has the initial default value"
  if echo "$stats" | grep -qE "untranslated|fuzzy"; then
    record messages FAILED "untranslated or fuzzy messages in $PO: run make messages and translate"
  elif ! "$PY" scripts/same_catalog.py "$MO_TMP" "${PO%.po}.mo"; then
    record messages FAILED "${PO%.po}.mo is not compiled from the current .po: run make messages and commit"
  else
    record messages ok ""
  fi
  rm -f "$MO_TMP"
else
  record messages SKIPPED "GNU gettext (msgfmt) not found (apt-get install gettext)"
fi

# ---- unit + API on SQLite ----------------------------------------------------------
run_pytest_lane sqlite -m "not browser" -q "${FRESH[@]}" "${PARALLEL[@]}"

# ---- the same suite on PostgreSQL ----------------------------------------------------
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
AS=()
if [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ]; then
  PGTMP=$(mktemp -d /tmp/qms-pg.XXXXXX)
  # An interrupted run must not leave the server running or the folder behind.
  trap '"${AS[@]}" "$PG_BIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1; rm -rf "$PGTMP"' EXIT
  PGPORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  if [ "$(id -u)" = 0 ]; then chown postgres: "$PGTMP"; AS=(runuser -u postgres --); fi
  if "${AS[@]}" "$PG_BIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PGTMP/initdb.log" 2>&1 \
     && "${AS[@]}" "$PG_BIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w start \
          -o "-k $PGTMP -p $PGPORT -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50" >/dev/null; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres"
    run_pytest_lane postgres -m "not browser" -q "${FRESH[@]}" "${PARALLEL[@]}"
    unset DATABASE_URL
    "${AS[@]}" "$PG_BIN/pg_ctl" -D "$PGTMP/data" -m fast -w stop >/dev/null
    trap - EXIT
  else
    banner postgres; cat "$PGTMP/initdb.log" "$PGTMP/server.log" 2>/dev/null | tail -20
    record postgres FAILED "could not start a throw-away PostgreSQL server"
  fi
  rm -rf "$PGTMP"
else
  banner postgres
  record postgres SKIPPED "PostgreSQL server binaries not found (apt-get install postgresql-15)"
fi

# ---- browser ---------------------------------------------------------------------
if [ -x /usr/bin/chromium ]; then
  run_pytest_lane browser -m browser -q "${FRESH[@]}"
else
  banner browser
  record browser SKIPPED "/usr/bin/chromium not found (apt-get install chromium fonts-noto-cjk)"
fi

# ---- summary -----------------------------------------------------------------------
printf '\n==== summary ====\n'
failed=0; skipped=0
for i in "${!LANE_NAMES[@]}"; do
  printf '%-9s %-8s %s\n' "${LANE_NAMES[$i]}" "${LANE_STATUS[$i]}" "${LANE_NOTES[$i]}"
  case ${LANE_STATUS[$i]} in FAILED) failed=1 ;; SKIPPED) skipped=1 ;; esac
done
"$PY" scripts/junit_summary.py "$RESULTS"/*.xml
if [ $skipped = 1 ]; then
  echo "!!!! SOME LANES WERE SKIPPED: their prerequisites are missing on this machine (see above) !!!!"
  if [ "${REQUIRE_ALL_LANES:-0}" = 1 ]; then echo "REQUIRE_ALL_LANES=1: a skipped lane fails the run."; failed=1; fi
fi
exit $failed
