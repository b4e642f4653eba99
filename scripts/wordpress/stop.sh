#!/usr/bin/env bash
# Stops what start.sh and install.sh started, by recorded PID only: the
# sites' nginx and PHP-FPM masters, then MariaDB once no site of ours runs
# and only if these scripts started it.
#
# Usage: stop.sh [full|small]...   default: every site
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ "$(id -u)" == 0 ]] || die "must run as root"
sites=("$@")
[[ ${#sites[@]} -gt 0 ]] || sites=("${WP_E2E_SITES[@]}")

for site in "${sites[@]}"; do
  select_site "$site"
  stop_pid "$SITE_RUN/nginx.pid" nginx
  stop_pid "$SITE_RUN/php-fpm.pid" php-fpm
done

for site in "${WP_E2E_SITES[@]}"; do
  select_site "$site"
  if site_running; then
    log "site $SITE still runs: leaving MariaDB up"
    exit 0
  fi
done
# mariadbd shuts down cleanly on TERM; its mysqld_safe parent then exits.
stop_pid "$WP_E2E_MARIADB_PID_FILE" mariadbd 60
