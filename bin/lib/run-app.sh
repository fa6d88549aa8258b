# Shared by bin/eclair-node.sh and bin/eclair-front.sh: builds the app on first run, turns
# Eclair-style -Declair.<key>=<value> (and -D<key>=<value>) into --<key>=<value>, and execs it.
# Usage: run_app <script name> <app dir under apps/> "$@"
run_app() {
  local name=$1 app=$2
  shift 2
  local root main
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  main="$root/apps/$app/dist/src/main.js"
  if [[ ! -f "$main" ]]; then
    echo "$name: building (first run)" >&2
    (cd "$root" && npx tsc -b "apps/$app")
  fi
  local args=() a
  for a in "$@"; do
    case "$a" in
      -Declair.*) args+=("--${a#-Declair.}") ;;
      -D*) args+=("--${a#-D}") ;;
      *) args+=("$a") ;;
    esac
  done
  # Relative paths in flags (--datadir=...) stay relative to the caller's working directory.
  exec node "$main" ${args[@]+"${args[@]}"}
}
