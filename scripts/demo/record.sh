#!/usr/bin/env bash
# Records the demo: syncs the `small` end-to-end WordPress through the
# recording proxy with the project's own sync command, so the recording
# holds exactly the requests a sync makes.
#
# Usage: scripts/demo/record.sh [--edit] [OUT_DIR]   (as root, on Debian)
#   OUT_DIR  default: demo/recording; its earlier exchange files are removed
#   --edit   after the first sync, run scripts/wordpress/edit.php and sync
#            again: a replay then answers a second sync with the changes.
#            The small site stays edited; `scripts/wordpress/install.sh
#            small --fresh` brings back the seeded state.
#
# The application password goes to the sync through WP_APP_PASSWORD and is
# never printed; the proxy writes no credentials.
set -euo pipefail

project="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$project/demo/recording"
edit=0
for arg in "$@"; do
  case "$arg" in
    --edit) edit=1 ;;
    -*) echo "unknown option $arg" >&2 && exit 2 ;;
    *) out="$arg" ;;
  esac
done
port="${WP_DEMO_PROXY_PORT:-8091}"
cd "$project"

connection="$(bash scripts/wordpress/ensure.sh small)"
field() {
  node -e 'const c = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
process.stdout.write(String(c[process.argv[2]]));' "$connection" "$1"
}

mkdir -p "$out"
find "$out" -maxdepth 1 -type f -name '[0-9]*-*.json' -delete
data_dir="$(mktemp -d /tmp/wp-sync-demo-record.XXXXXX)"

node --import tsx scripts/demo/record-proxy.ts \
  --target "$(field url)" --out "$out" --port "$port" &
proxy_pid=$!
stop_proxy() {
  kill -TERM "$proxy_pid" 2>/dev/null || true
  wait "$proxy_pid" 2>/dev/null || true
  rm -rf "$data_dir"
}
trap stop_proxy EXIT
for ((i = 0; i < 100; i++)); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done

# Exit 3 (completed with errors) is a valid recording too: the seed has
# items meant to fail, such as a featured image that no longer exists.
sync_once() {
  local status=0
  WP_APP_PASSWORD="$(field appPassword)" WP_SYNC_DATA_DIR="$data_dir" \
    npm run --silent sync -- --url "http://127.0.0.1:$port" \
    --user "$(field username)" --json >"$data_dir/report-$1.json" || status=$?
  if [[ "$status" != 0 && "$status" != 3 ]]; then
    echo "sync $1 failed (exit $status); see $data_dir/logs" >&2
    trap - EXIT
    kill -TERM "$proxy_pid" 2>/dev/null || true
    exit 1
  fi
  echo "sync $1: $(node -e 'const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")); process.stdout.write(String(r.status));' "$data_dir/report-$1.json")" >&2
}

sync_once first
if [[ "$edit" == 1 ]]; then
  bash scripts/wordpress/wp-php.sh small edit.php >&2
  sync_once second
fi
echo "recorded $(find "$out" -maxdepth 1 -name '[0-9]*-*.json' | wc -l) exchanges into $out" >&2
