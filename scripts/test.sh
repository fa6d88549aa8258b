#!/usr/bin/env bash
# The project's test command (`npm test`): installs what the tests need, builds, lints, runs every test.
# Usage: npm test [-- PATH_FILTER...]   e.g. `npm test -- packages/noise`
set -euo pipefail
cd "$(dirname "$0")/.."

# 1. System packages the tests start for real (real servers, never mocks). One name a line.
mapfile -t wanted < <(grep -v '^\s*#' scripts/system-packages.txt | sed '/^\s*$/d')
missing=()
for p in "${wanted[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "npm test: these system packages are missing: ${missing[*]}" >&2
    echo "  install them as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "npm test: installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. npm dependencies, exactly as locked, when absent or older than the lock file.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi

# 3. Build and lint the whole tree.
npx tsc -b
npx biome check .

# 4. Run the tests (node:test) from the compiled output.
filters=("$@")
mapfile -t files < <(find packages apps test bench -path '*/node_modules' -prune -o -path '*/dist/*' -name '*.test.js' -print 2>/dev/null | sort |
  { if ((${#filters[@]})); then grep -E "$(IFS='|'; echo "${filters[*]}")"; else cat; fi; })
if ((${#files[@]} == 0)); then echo "npm test: no test files found" >&2; exit 1; fi
exec node --test --test-reporter=spec --test-concurrency=2 --test-timeout=300000 "${files[@]}"
