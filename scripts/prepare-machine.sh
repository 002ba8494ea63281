#!/usr/bin/env bash
# Brings a fresh machine to where cutover's demo and tests can run, printing each
# step: npm packages, Debian's caddy / docker.io / docker-registry / docker-compose / busybox-static,
# and a running Docker engine. Safe to run again: each step checks first.
# Sourced by scripts/test.sh and scripts/demo.sh; usable on its own too.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf '==> %s\n' "$*" >&2; }
fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

ensure_node_modules() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "npm ci (node_modules missing or older than package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error >&2
  else
    say "npm packages are up to date"
  fi
}

# Debian package that provides each command we need.
declare -A PACKAGE_OF=(
  [caddy]=caddy
  [dockerd]=docker.io
  [docker-registry]=docker-registry
  # Compose 1.29.2: the oracle of the Compose fidelity tests (test/integration/compose-fidelity.test.ts).
  [docker-compose]=docker-compose
  [busybox]=busybox-static
)

ensure_system_packages() {
  local missing=()
  local cmd
  for cmd in caddy dockerd docker-registry docker-compose; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("${PACKAGE_OF[$cmd]}")
  done
  # The test images need a static busybox (a dynamic one cannot run in an image built from scratch).
  dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
  if [ ${#missing[@]} -eq 0 ]; then
    say "system packages present: caddy $(caddy version 2>/dev/null | cut -d' ' -f1), docker.io, docker-registry, docker-compose, busybox-static"
    return
  fi
  if [ "$(id -u)" -ne 0 ]; then
    fail "missing Debian packages: ${missing[*]}. Install them as root: apt-get install -y ${missing[*]}"
  fi
  say "apt-get install ${missing[*]}"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit 2>/dev/null)" ] \
     || ! apt-cache show "${missing[0]}" >/dev/null 2>&1; then
    say "apt-get update"
    apt-get update -qq >&2
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

docker_answers() { docker version --format '{{.Server.APIVersion}}' >/dev/null 2>&1; }

ensure_dockerd() {
  if docker_answers; then
    say "Docker engine answers (API $(docker version --format '{{.Server.APIVersion}}'))"
    return
  fi
  if [ -n "${DOCKER_HOST:-}" ]; then
    fail "DOCKER_HOST=$DOCKER_HOST does not answer. Start that engine, or unset DOCKER_HOST to use a local one."
  fi
  if [ "$(id -u)" -ne 0 ]; then
    fail "no Docker engine answers. Start one (as root: dockerd &), or add yourself to the docker group."
  fi
  mkdir -p .cutover-run
  say "starting dockerd (log: .cutover-run/dockerd.log)"
  # setsid: the engine outlives this script, like a service would.
  setsid dockerd >.cutover-run/dockerd.log 2>&1 < /dev/null &
  local i
  for i in $(seq 1 120); do
    if docker_answers; then
      say "Docker engine is up (API $(docker version --format '{{.Server.APIVersion}}'))"
      return
    fi
    sleep 0.5
  done
  tail -n 20 .cutover-run/dockerd.log >&2 || true
  fail "dockerd did not answer within 60 s; see .cutover-run/dockerd.log"
}

prepare_machine() {
  ensure_node_modules
  ensure_system_packages
  ensure_dockerd
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  prepare_machine
fi
