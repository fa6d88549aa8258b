#!/usr/bin/env bash
# `npm run bench -- NAME`: builds, then runs bench/NAME (prints a table, writes bench/results/NAME.json).
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:-}
if [[ -z $name ]]; then
  echo "usage: npm run bench -- NAME   (one of: $(ls -d bench/*/ | xargs -n1 basename | grep -v -E '^(lib|results|dist)$' | tr '\n' ' '))" >&2
  exit 2
fi
if [[ ! -f bench/$name/index.ts ]]; then echo "bench: no benchmark named '$name'" >&2; exit 2; fi
[[ -d node_modules ]] || npm ci --no-audit --no-fund
npx tsc -b bench
shift
exec node "bench/dist/$name/index.js" "$@"
