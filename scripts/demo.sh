#!/usr/bin/env bash
# `npm run demo`: cutover on the repository's own stack (compose.yml, the color
# overlays, caddy/Caddyfile), Caddy in a container on the compose network.
#
#   bash scripts/demo.sh            prepare the machine (npm ci, Debian packages, dockerd),
#                                   build the images offline, start db and proxy,
#                                   deploy v1, deploy v2 under load, roll back under load,
#                                   print a report; the stack stays running
#   bash scripts/demo.sh down       remove the stack: its containers, network, volumes
#                                   and caddy/cutover-state.json
#   bash scripts/demo.sh down --images   ... and the demo's images too
#   bash scripts/demo.sh help       this text
#
# Ports (127.0.0.1 only): Caddy on DEMO_HTTP_PORT (8080), its admin API on
# DEMO_ADMIN_PORT (2119). Needs only the npm registry and Debian's packages.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

case "${1:-up}" in
  up)
    source scripts/prepare-machine.sh
    started=$SECONDS
    say "preparing the machine"
    prepare_machine
    bash scripts/build-if-stale.sh
    say "machine ready ($((SECONDS - started)) s); running the demo"
    npx tsx scripts/demo/run-demo.ts
    say "demo finished in $((SECONDS - started)) s in all"
    ;;
  down)
    shift
    source scripts/prepare-machine.sh
    ensure_node_modules
    npx tsx scripts/demo/remove-demo.ts "$@"
    ;;
  help|-h|--help)
    usage
    ;;
  *)
    usage >&2
    exit 2
    ;;
esac
