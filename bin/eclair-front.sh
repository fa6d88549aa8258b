#!/usr/bin/env bash
# Starts a Shoal frontend (the stateless peer-connection server), as Eclair's cluster-mode
# eclair-front.sh does. Configuration: defaults < <datadir>/shoal.conf < environment < flags.
#   Environment (Eclair front names): BACKEND_IP, LOCAL_IP, NODE_PUB_KEY, NODE_PRIV_KEY,
#   CLUSTER_TLS_PASSWORD (or AKKA_TLS_PASSWORD), SHOAL_DATADIR.
#   Flags: --key=value for any key of docs/configuration.md, e.g.
#     bin/eclair-front.sh --datadir=/var/lib/shoal --server.port=9736 --front.http-port=8082
#   Eclair-style -Declair.<key>=<value> (and -D<key>=<value>) are accepted as --<key>=<value>.
# Exit code 2: configuration, node key or cluster TLS problem (one line on stderr says which).
set -euo pipefail
# shellcheck source=bin/lib/run-app.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/run-app.sh"
run_app eclair-front.sh frontend "$@"
