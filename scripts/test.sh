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
# The tests run the CLI as a user would, built: through tsx each call would spend 1.5 to 2 s
# compiling before it does anything. It is built once per run into its own folder laid out
# like the installed package (package.json beside dist/), so that `npm pack` in the packed-install
# test, which rebuilds dist/, cannot pull it away from the other tests.
TEST_CLI_DIR=".cutover-run/test-cli-$CUTOVER_TEST_RUN"
sweep() {
  npx tsx test/rig/sweep.ts "$CUTOVER_TEST_RUN" >&2 || true
  rm -rf "$TEST_CLI_DIR"
}
trap sweep EXIT
say "build the CLI for the tests (one bundled file, as npm run build makes it -> $TEST_CLI_DIR/dist/cli.js)"
mkdir -p "$TEST_CLI_DIR"
cp package.json "$TEST_CLI_DIR/package.json"
node scripts/bundle-cli.mjs "$TEST_CLI_DIR/dist/cli.js"
export CUTOVER_TEST_CLI="$PWD/$TEST_CLI_DIR/dist/cli.js"

mapfile -t files < <(find test -name '*.test.ts' | sort)
if [ "$#" -gt 0 ]; then files=("$@"); fi
say "node --test (${#files[@]} files, run id $CUTOVER_TEST_RUN)"
TIMES=".cutover-run/test-file-times.txt"
status=0
node --import tsx --test --test-concurrency="${CUTOVER_TEST_CONCURRENCY:-2}" --test-timeout=600000 \
  --test-reporter=tap --test-reporter-destination=stdout \
  --test-reporter=./test/rig/file-times-reporter.mjs --test-reporter-destination="$TIMES" \
  "${files[@]}" || status=$?
say "slowest test files (all in $TIMES)"
head -n 12 "$TIMES" || true
exit "$status"
