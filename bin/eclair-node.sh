#!/usr/bin/env bash
# Starts the Shoal backend (the stateful node: switchboard, peers, store, HTTP API), as Eclair's
# eclair-node.sh does. Configuration: defaults < <datadir>/shoal.conf < environment < flags.
#   Environment: SHOAL_DATADIR, CLUSTER_TLS_PASSWORD (or AKKA_TLS_PASSWORD), LOCAL_IP, and
#   SHOAL_<KEY> for any key of docs/configuration.md (e.g. SHOAL_API_PASSWORD).
#   Flags: --key=value for any key, e.g.
#     bin/eclair-node.sh --datadir=/var/lib/shoal --api.enabled=true --api.port=8080 --cluster.port=25520
#   Eclair-style -Declair.<key>=<value> (and -D<key>=<value>) are accepted as --<key>=<value>.
# The datadir needs the cluster keystore (bin/shoal-certs --datadir DIR); the node seed is created
# there on first start. Exit code 2: configuration, seed or cluster TLS problem (one line on stderr).
# SIGTERM/SIGINT stop it cleanly.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
main="$root/apps/backend/dist/src/main.js"

if [[ ! -f "$main" ]]; then
  echo "eclair-node.sh: building (first run)" >&2
  (cd "$root" && npx tsc -b apps/backend)
fi

args=()
for a in "$@"; do
  case "$a" in
    -Declair.*) args+=("--${a#-Declair.}") ;;
    -D*) args+=("--${a#-D}") ;;
    *) args+=("$a") ;;
  esac
done

cd "$root"
exec node "$main" ${args[@]+"${args[@]}"}
