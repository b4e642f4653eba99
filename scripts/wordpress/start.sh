#!/usr/bin/env bash
# Starts MariaDB (if down) and the nginx and PHP-FPM masters of the given
# end-to-end sites (if not running), then waits until the REST API answers.
#
# Usage: start.sh [full|small]...   default: full
# PIDs go to $WP_E2E_STATE_DIR so stop.sh stops only what started here.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ "$(id -u)" == 0 ]] || die "must run as root"
sites=("$@")
[[ ${#sites[@]} -gt 0 ]] || sites=(full)

start_php_fpm() {
  pid_alive "$SITE_RUN/php-fpm.pid" php-fpm && return 0
  rm -f "$SITE_RUN/php-fpm.sock"
  "$WP_E2E_PHP_FPM" --fpm-config "$SITE_STATE/php-fpm.conf" \
    >>"$SITE_LOGS/php-fpm.log" 2>&1 9>&- ||
    die "PHP-FPM failed to start, see $SITE_LOGS/php-fpm.log"
}

start_nginx() {
  pid_alive "$SITE_RUN/nginx.pid" nginx && return 0
  port_busy "$SITE_PORT" &&
    die "port $SITE_PORT is taken by another program; set WP_E2E_PORT"
  install -d -m 0700 -o www-data "$SITE_RUN"/nginx-{body,fastcgi,proxy,uwsgi,scgi}
  nginx -q -e "$SITE_LOGS/nginx-error.log" -c "$SITE_STATE/nginx.conf" \
    >>"$SITE_LOGS/nginx-error.log" 2>&1 9>&- ||
    die "nginx failed to start, see $SITE_LOGS/nginx-error.log"
}

wait_ready() {
  local i status
  for ((i = 0; i < 100; i++)); do
    status="$(http_status "$SITE_PORT" /wp-json/)"
    [[ "$status" == 200 ]] && return 0
    sleep 0.1
  done
  die "$SITE_ORIGIN/wp-json/ answers '${status:-nothing}', see $SITE_LOGS"
}

start_mariadb
for site in "${sites[@]}"; do
  select_site "$site"
  [[ -s "$SITE_STATE/nginx.conf" && -s "$SITE_CONFIG" ]] ||
    die "site $SITE is not installed: run install.sh $SITE"
  start_php_fpm
  start_nginx
  wait_ready
  log "site $SITE answers at $SITE_ORIGIN"
done
