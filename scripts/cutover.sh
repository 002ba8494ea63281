#!/usr/bin/env bash
# Runs this checkout's cutover as the built CLI (`node dist/cli.js`, which starts at
# once; tsx would spend 1.5 to 2 s compiling first). `npm run cutover -- <args>` and
# scripts/deploy.sh come here. Installs the npm packages when node_modules is missing
# or older than package-lock.json, and builds dist/ when it is missing or stale;
# both report on stderr, so stdout is the CLI's alone (e.g. `status --json`).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -f "$repo/node_modules/.package-lock.json" ] || [ "$repo/package-lock.json" -nt "$repo/node_modules/.package-lock.json" ]; then
  printf '==> npm ci (node_modules missing or older than package-lock.json)\n' >&2
  (cd "$repo" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
bash "$repo/scripts/build-if-stale.sh"
exec node "$repo/dist/cli.js" "$@"
