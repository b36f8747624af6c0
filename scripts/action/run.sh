#!/usr/bin/env bash
# The action's check step: turns the inputs (passed as TOLLGATE_* environment variables, never
# interpolated into this script) into `tollgate ci` arguments. The database URL and the token
# stay in the environment so they never appear on a command line.
set -euo pipefail

bin="${TOLLGATE_BIN:?the install step did not report a binary}"
args=(ci)
if [ -n "${TOLLGATE_CONFIG:-}" ]; then args+=(--config "$TOLLGATE_CONFIG"); fi
if [ -n "${TOLLGATE_FAIL_ON:-}" ]; then args+=(--fail-on "$TOLLGATE_FAIL_ON"); fi
if [ -n "${TOLLGATE_SARIF_FILE:-}" ]; then args+=(--sarif-file "$TOLLGATE_SARIF_FILE"); fi
args+=(--comment "${TOLLGATE_COMMENT:-true}")
args+=(--review-comments "${TOLLGATE_REVIEW_COMMENTS:-true}")
args+=(--comment-author "${TOLLGATE_COMMENT_AUTHOR:-github-actions[bot]}")
args+=(--verify "${TOLLGATE_VERIFY:-auto}")
# TOLLGATE_REVIEW_LABEL and TOLLGATE_DATABASE_URL are read by tollgate itself; empty means unset.
if [ -z "${TOLLGATE_REVIEW_LABEL:-}" ]; then unset TOLLGATE_REVIEW_LABEL; fi
if [ -z "${TOLLGATE_DATABASE_URL:-}" ]; then unset TOLLGATE_DATABASE_URL; fi
# Paths: whitespace- or newline-separated; no glob expansion by the shell.
set -f
if [ -n "${TOLLGATE_PATHS:-}" ]; then
  # shellcheck disable=SC2206 # word splitting on whitespace is the documented input format
  paths=($TOLLGATE_PATHS)
  args+=(-- "${paths[@]}")
fi
set +f
exec "$bin" "${args[@]}"
