# Shared settings and helpers for the end-to-end WordPress scripts.
# Sourced, never run: the caller sets `set -euo pipefail`.
#
# One WordPress site per seed profile, each with its own port, database,
# uploads folder, PHP-FPM master and nginx master, so a site seeded with one
# profile is never reseeded with another:
#   full  -> port WP_E2E_PORT (default 8089)
#   small -> port WP_E2E_PORT + 1 (default 8090)

WP_E2E_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WP_E2E_STATE_DIR="${WP_E2E_STATE_DIR:-/var/tmp/wp-sync-e2e}"
WP_E2E_BASE_PORT="${WP_E2E_PORT:-8089}"
WP_E2E_SITES=(full small)
WP_E2E_CONFIG_DIR=/etc/wordpress/wp-sync-e2e
WP_E2E_CORE_DIR=/usr/share/wordpress
WP_E2E_CONTENT_DIR=/var/lib/wordpress/wp-content
WP_E2E_PHP_FPM=/usr/sbin/php-fpm8.2
WP_E2E_MARIADB_PID_FILE="$WP_E2E_STATE_DIR/mariadb.pid"

# Packages named one by one: naming `php-fpm` alone lets apt satisfy
# wordpress's `libapache2-mod-php | php` with Apache.
WP_E2E_PACKAGES=(
  wordpress wordpress-theme-twentytwentythree
  mariadb-server mariadb-client
  php php8.2 php-fpm php8.2-fpm php-cli php-mysql php-gd php-mbstring php-xml
  nginx
)

log() { printf '[wp-e2e] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Sets SITE, SITE_PORT, SITE_ORIGIN, SITE_DB, SITE_STATE, SITE_RUN, SITE_LOGS,
# SITE_CONFIG and SITE_UPLOADS for the named site.
select_site() {
  case "${1:-}" in
    full) SITE_PORT="$WP_E2E_BASE_PORT" ;;
    small) SITE_PORT="$((WP_E2E_BASE_PORT + 1))" ;;
    *) die "unknown site '${1:-}': expected one of ${WP_E2E_SITES[*]}" ;;
  esac
  SITE="$1"
  SITE_ORIGIN="http://127.0.0.1:$SITE_PORT"
  SITE_DB="wpsync_e2e_$SITE"
  SITE_STATE="$WP_E2E_STATE_DIR/$SITE"
  SITE_RUN="$SITE_STATE/run"
  SITE_LOGS="$SITE_STATE/logs"
  SITE_CONFIG="$WP_E2E_CONFIG_DIR/port-$SITE_PORT.php"
  SITE_UPLOADS="wp-content/uploads/wp-sync-e2e-$SITE"
}

# True when the PID in file $1 is alive and its command name is $2, so a
# recycled PID is never taken for ours.
pid_alive() {
  local file="$1" comm="$2" pid
  [[ -s "$file" ]] || return 1
  pid="$(cat "$file")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/comm" ]] || return 1
  [[ "$(cat "/proc/$pid/comm")" == "$comm"* ]]
}

# Sends TERM to the PID in file $1 if it is a live $2, waits up to $3 seconds.
stop_pid() {
  local file="$1" comm="$2" wait_s="${3:-10}" pid i
  if ! pid_alive "$file" "$comm"; then
    rm -f "$file"
    return 0
  fi
  pid="$(cat "$file")"
  kill -TERM "$pid"
  for ((i = 0; i < wait_s * 10; i++)); do
    [[ -d "/proc/$pid" ]] || break
    sleep 0.1
  done
  [[ -d "/proc/$pid" ]] && die "$comm (pid $pid) did not stop within ${wait_s}s"
  rm -f "$file"
}

mariadb_up() { mariadb-admin --silent ping >/dev/null 2>&1; }

# Starts MariaDB through its init script when it is down and records the PID,
# so stop.sh stops it only when these scripts started it.
start_mariadb() {
  mariadb_up && return 0
  log "starting MariaDB"
  # fd 9 holds the scripts' lock: a daemon must not keep it.
  # Its output goes to a file: a daemon holding our stdout or stderr open
  # would keep a caller that reads them (ensureWordPress) waiting forever.
  mkdir -p "$WP_E2E_STATE_DIR"
  /etc/init.d/mariadb start >>"$WP_E2E_STATE_DIR/mariadb-start.log" 2>&1 9>&-
  mariadb_up || die "MariaDB did not start, see $WP_E2E_STATE_DIR/mariadb-start.log"
  cp /run/mysqld/mysqld.pid "$WP_E2E_MARIADB_PID_FILE"
}

# True when something already answers on 127.0.0.1:$1.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Runs a PHP script of this folder as www-data against the selected site.
# The scripts are copied to the state dir first: the checkout may not be
# readable by www-data.
run_site_php() {
  local script="$1"
  shift
  local php_dir="$WP_E2E_STATE_DIR/php"
  install -d -m 0755 "$php_dir"
  install -m 0644 "$WP_E2E_SCRIPTS_DIR"/*.php "$WP_E2E_SCRIPTS_DIR"/profiles.json "$php_dir/"
  (cd "$php_dir" && runuser -u www-data -- env \
    WP_SYNC_E2E_HOST="127.0.0.1:$SITE_PORT" \
    WP_SYNC_E2E_SITE="$SITE" \
    php -d display_errors=stderr "$php_dir/$script" "$@")
}

# Prints the HTTP status of GET $2 on 127.0.0.1:$1, or nothing when no
# answer; plain bash so a fresh machine needs no curl.
http_status() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 0
    printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1:%s\r\n\r\n' "$2" "$1" >&3
    IFS=' ' read -r _ status _ <&3 || true
    printf '%s' "${status:-}"
  ) 2>/dev/null
}

# True when the selected site's nginx or PHP-FPM runs from these scripts.
site_running() {
  pid_alive "$SITE_RUN/nginx.pid" nginx || pid_alive "$SITE_RUN/php-fpm.pid" php-fpm
}
