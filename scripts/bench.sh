#!/usr/bin/env bash
# `npm run bench`: prepares the machine, then measures cutover against the
# document's passive health routing (both colors in Caddy, fixed drain sleep,
# docker stop) under the same load, and writes the table into docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/prepare-machine.sh
prepare_machine

# Every Docker object the benchmark creates carries the label cutover.test.run=<this id>;
# the sweep below removes them all when the run ends, also after a failure or Ctrl-C.
export CUTOVER_TEST_RUN="cb$(date +%s)$$"
sweep() { npx tsx test/rig/sweep.ts "$CUTOVER_TEST_RUN" >&2 || true; }
trap sweep EXIT

say "benchmark (run id $CUTOVER_TEST_RUN): cutover vs passive health routing, same images and load"
node --import tsx bench/main.ts
