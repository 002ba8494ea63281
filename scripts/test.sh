#!/usr/bin/env bash
# `npm test`: prepares the machine, type-checks, lints, then runs the unit tests and the
# integration tests against real Caddy and a real Docker engine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/prepare-machine.sh
prepare_machine

say "type-check (tsc --noEmit)"
npx tsc -p tsconfig.json --noEmit
say "lint (biome lint, biome.jsonc)"
node_modules/.bin/biome lint --error-on-warnings .

# Every Docker object the tests create carries the label cutover.test.run=<this id>;
# the sweep below removes them all when the run ends, also after a failure or Ctrl-C.
export CUTOVER_TEST_RUN="ct$(date +%s)$$"
sweep() { npx tsx test/rig/sweep.ts "$CUTOVER_TEST_RUN" >&2 || true; }
trap sweep EXIT

mapfile -t files < <(find test -name '*.test.ts' | sort)
if [ "$#" -gt 0 ]; then files=("$@"); fi
say "node --test (${#files[@]} files, run id $CUTOVER_TEST_RUN)"
node --import tsx --test --test-concurrency=2 --test-timeout=600000 "${files[@]}"
