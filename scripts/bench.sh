#!/usr/bin/env bash
# `npm run bench`: prepares the machine, then measures cutover against the
# document's passive health routing (both colors in Caddy, fixed drain sleep,
# docker stop) under the same load, and writes the table into docs/benchmarks.md.
# `npm run bench -- soak [count]`: the soak instead, count operations (default
# 200) in a row on one project under load, the invariants checked after each.
# `npm run bench -- real-traffic [count] [cpu|detect|false]`: the canary's real-traffic judgement:
# time to detect and requests lost per error rate and share, the false-abort rate of `count` healthy
# canaries with 2 % background errors (default 20), Caddy's extra CPU for the per-request log.
# `npm run bench -- resets [switches]`: new connections reset at a Caddy reload
# (no Docker: the test app on the host behind a real Caddy), a table on stdout.
# `npm run bench -- instances [switches]`: switch time over 1, 2 and 4 Caddy instances with 4 and
# 50 colored services (no Docker), written into docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/prepare-machine.sh
prepare_machine

# Every Docker object the benchmark creates carries the label cutover.test.run=<this id>;
# the sweep below removes them all when the run ends, also after a failure or Ctrl-C.
export CUTOVER_TEST_RUN="cb$(date +%s)$$"
# The commands run the CLI as a user runs it, built (one bundled file, as `npm run build` makes it),
# in its own folder so that nothing else rebuilding dist/ pulls it away.
BENCH_CLI_DIR=".cutover-run/bench-cli-$CUTOVER_TEST_RUN"
sweep() {
  npx tsx test/rig/sweep.ts "$CUTOVER_TEST_RUN" >&2 || true
  rm -rf "$BENCH_CLI_DIR"
}
trap sweep EXIT
say "build the CLI for the benchmark -> $BENCH_CLI_DIR/dist/cli.js"
mkdir -p "$BENCH_CLI_DIR"
cp package.json "$BENCH_CLI_DIR/package.json"
node scripts/bundle-cli.mjs "$BENCH_CLI_DIR/dist/cli.js"
export CUTOVER_TEST_CLI="$PWD/$BENCH_CLI_DIR/dist/cli.js"

if [ "${1:-}" = "resets" ]; then
  say "resets at a reload: ${2:-100} switches per variant"
  node --import tsx bench/reload-resets.ts "${2:-100}"
  exit
fi
if [ "${1:-}" = "instances" ]; then
  say "switch time over 1, 2 and 4 Caddy instances, 4 and 50 services: ${2:-20} switches each (no Docker)"
  node --import tsx bench/switch-instances.ts "${2:-20}"
  exit
fi
if [ "${1:-}" = "real-traffic" ]; then
  say "real traffic (run id $CUTOVER_TEST_RUN): detection, ${2:-20} healthy canaries for false aborts, Caddy's CPU for the log"
  node --import tsx bench/real-traffic.ts "${2:-20}" ${3:-}
  exit
fi
if [ "${1:-}" = "soak" ]; then
  say "soak (run id $CUTOVER_TEST_RUN): ${2:-200} operations on one project under load"
  node --import tsx bench/soak.ts "${2:-200}"
  exit
fi
say "benchmark (run id $CUTOVER_TEST_RUN): cutover vs passive health routing, same images and load"
node --import tsx bench/main.ts
