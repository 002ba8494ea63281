#!/usr/bin/env bash
# Builds dist/ (npm run build) when dist/cli.js is missing or older than anything in
# src/ or the build's configuration; silent when it is up to date. Messages go to
# stderr, so a caller's stdout stays its own. Used by scripts/cutover.sh and
# scripts/demo.sh; needs node_modules (esbuild).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="$repo/dist/cli.js"
# Directories count too: deleting a file in src/ makes its directory newer.
if [ -f "$cli" ] && [ -z "$(find "$repo/src" "$repo/package.json" "$repo/tsconfig.json" "$repo/scripts/bundle-cli.mjs" -newer "$cli" -print -quit)" ]; then
  exit 0
fi
printf '==> npm run build (dist/cli.js missing or older than src/)\n' >&2
(cd "$repo" && npm run --silent build >&2)
