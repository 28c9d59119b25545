#!/usr/bin/env bash
# Local mode's browser test drives Debian's `chromium` with playwright-core (no browser download
# from the npm package: it needs the internet, which CI may not have). Installs it when missing;
# used by `npm test` (test/run.ts) and .ci/run.
set -euo pipefail

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
if [ -x /usr/bin/chromium ]; then exit 0; fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium is missing and this is not a Debian-like system: install Chromium at /usr/bin/chromium" >&2
  exit 1
fi
echo "chromium is missing; installing the Debian package chromium" >&2
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core fonts-noto-color-emoji >/dev/null
