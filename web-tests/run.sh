#!/usr/bin/env bash
# Runs the browser tests against server/target/dropcast-server.jar (build it first).
#   web-tests/run.sh            client unit tests + browser smoke tests (npm test)
#   web-tests/run.sh journey    the full console → studio → viewers journey
#   web-tests/run.sh social-proof   "N bought", purchase ticker, shares/clicks, studio and console analytics
#   web-tests/run.sh all        both (what `./mvnw verify` runs, see server/pom.xml)
# Needs node >= 20 and Chromium at /usr/bin/chromium (or CHROMIUM=...): apt-get install -y chromium.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "web-tests: ${CHROMIUM:-/usr/bin/chromium} is missing; install it with: apt-get update && apt-get install -y chromium" >&2
  exit 1
fi
if [ ! -d node_modules/playwright-core ]; then
  npm ci --no-audit --no-fund
fi
case "${1:-smoke}" in
  smoke) npm test ;;
  journey) npm run test:journey ;;
  social-proof) npm run test:social-proof ;;
  all) npm run test:all ;;
  *) echo "usage: $0 [smoke|journey|social-proof|all]" >&2; exit 2 ;;
esac
