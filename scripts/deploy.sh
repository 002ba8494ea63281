#!/usr/bin/env bash
# The reference document's entry point, kept as a thin wrapper around cutover:
#   ./scripts/deploy.sh deploy v1.0.0 | status | rollback | cleanup | reset | help
# with the same environment variables (HEALTH_CHECK_TIMEOUT, HEALTH_CHECK_INTERVAL,
# DRAIN_TIMEOUT; CADDY_ADMIN for Caddy's admin address). The project is the
# directory above this script.
set -euo pipefail
project="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "$#" -eq 0 ]; then set -- help; fi
if command -v cutover >/dev/null 2>&1; then
  exec cutover -C "$project" "$@"
fi
# No cutover on PATH: run the one built from this checkout (this repository is itself the demo project).
exec bash "$project/scripts/cutover.sh" -C "$project" "$@"
