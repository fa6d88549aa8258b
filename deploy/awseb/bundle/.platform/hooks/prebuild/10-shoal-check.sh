#!/bin/bash
# Fails the deployment on an instance that cannot run this bundle, before the old version stops
# (a rolling deploy then stops at the first batch instead of replacing every frontend).
set -euo pipefail
cd /var/app/staging
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "shoal: Node.js >= 20 required, platform has $(node --version)" >&2
  exit 1
fi
test -f node_modules/@shoal/frontend/dist/src/main.js || { echo "shoal: bundle has no frontend" >&2; exit 1; }
# The native secp256k1 addon is optional (a pure JavaScript fallback exists) but 50x faster.
node -e 'require("secp256k1/bindings")' 2>/dev/null || echo "shoal: warning: native secp256k1 unavailable here" >&2
