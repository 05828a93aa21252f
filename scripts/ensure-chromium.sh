#!/usr/bin/env bash
# Runs before `npm test`: the browser tests drive Debian's Chromium
# (/usr/bin/chromium). Installs it when missing and we may (root with apt-get);
# otherwise says how, and the browser tests fail loudly rather than skip.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
[ -x "$CHROMIUM" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
  echo "Installing Debian's chromium for the browser tests…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq chromium > /dev/null || { apt-get update -qq && apt-get install -y -qq chromium > /dev/null; }
  "$CHROMIUM" --version
else
  echo "The browser tests need $CHROMIUM: run 'sudo apt-get install chromium' (Debian/Ubuntu)." >&2
fi
