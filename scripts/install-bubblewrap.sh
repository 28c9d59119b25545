#!/usr/bin/env bash
# The agent sandbox (and its tests) run commands under bubblewrap, the Debian package `bubblewrap`.
# Installs it when `bwrap` is missing; used by `npm test` (test/run.ts) and .ci/run.
set -euo pipefail

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
if ! command -v bwrap >/dev/null 2>&1; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "bwrap is missing and this is not a Debian-like system: install bubblewrap with the system's package manager" >&2
    exit 1
  fi
  echo "bwrap is missing; installing the Debian package bubblewrap" >&2
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends bubblewrap >/dev/null
fi
# Ubuntu 23.10+ (GitHub's ubuntu-24.04 runners) refuses user namespaces to unprivileged programs
# without an AppArmor profile; on a throwaway CI machine, lift that restriction rather than skip.
if [ "${BATON_CI:-}" = "1" ] \
  && ! bwrap --unshare-all --unshare-user --ro-bind / / --proc /proc --dev /dev true 2>/dev/null \
  && [ "$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null)" = "1" ]; then
  echo "bwrap cannot create a user namespace; setting kernel.apparmor_restrict_unprivileged_userns=0" >&2
  $sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0
fi
