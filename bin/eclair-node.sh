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
# shellcheck source=bin/lib/run-app.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/run-app.sh"
run_app eclair-node.sh backend "$@"
