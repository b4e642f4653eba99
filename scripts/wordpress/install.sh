#!/usr/bin/env bash
# Installs a real WordPress for the end-to-end tests, idempotently.
#
# Usage: install.sh [full|small] [--fresh]
#   full|small  which site (see lib.sh for ports); default: full
#   --fresh     drop the site's database, uploads and connection file first
#
# Leaves MariaDB running (started through its init script, PID recorded);
# start.sh starts the site's own nginx and PHP-FPM. Writes the connection
# info to $WP_E2E_STATE_DIR/<site>/connection.json (mode 0600); the
# application password is never printed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

site=full
fresh=0
for arg in "$@"; do
  case "$arg" in
    --fresh) fresh=1 ;;
    -*) die "unknown option $arg" ;;
    *) site="$arg" ;;
  esac
done
select_site "$site"

[[ "$(id -u)" == 0 ]] || die "must run as root (installs Debian packages)"
command -v apt-get >/dev/null || die "apt-get not found: needs Debian"

install -d -m 0711 "$WP_E2E_STATE_DIR"
exec 9>"$WP_E2E_STATE_DIR/.install.lock"
flock 9

missing_packages() {
  local pkg status
  for pkg in "${WP_E2E_PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
    [[ "$status" == "install ok installed" ]] || printf '%s\n' "$pkg"
  done
}

# Keeps package scripts from starting services while apt runs, and puts the
# machine's own policy-rc.d (if any) back afterwards.
policy_file=/usr/sbin/policy-rc.d
policy_backup="$WP_E2E_STATE_DIR/policy-rc.d.saved"
restore_policy() {
  if [[ -e "$policy_backup" ]]; then
    mv -f "$policy_backup" "$policy_file"
  else
    rm -f "$policy_file"
  fi
}

install_packages() {
  local missing
  missing="$(missing_packages)"
  [[ -z "$missing" ]] && return 0
  log "installing packages: $(echo "$missing" | tr '\n' ' ')"
  if [[ -e "$policy_file" ]]; then cp -p "$policy_file" "$policy_backup"; fi
  trap restore_policy EXIT
  printf '#!/bin/sh\nexit 101\n' >"$policy_file"
  chmod 0755 "$policy_file"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  if apt-get install -s --no-install-recommends "${WP_E2E_PACKAGES[@]}" |
    grep -qE '^Inst (apache2|libapache2-mod-php)'; then
    die "apt would install Apache; refusing"
  fi
  apt-get install -y -qq --no-install-recommends "${WP_E2E_PACKAGES[@]}" \
    >"$WP_E2E_STATE_DIR/apt.log" 2>&1 ||
    die "apt-get install failed, see $WP_E2E_STATE_DIR/apt.log"
  restore_policy
  trap - EXIT
}

# Reads a single-quoted PHP define from the site config, empty if absent.
config_value() {
  [[ -r "$SITE_CONFIG" ]] || return 0
  sed -n "s/^define('$1', '\([^']*\)');$/\1/p" "$SITE_CONFIG"
}

random_token() { head -c "$1" /dev/urandom | base64 -w0 | tr -d '/+='; }

drop_site() {
  log "dropping site $SITE (database, uploads, connection)"
  mariadb -e "DROP DATABASE IF EXISTS \`$SITE_DB\`"
  rm -rf "${WP_E2E_CONTENT_DIR:?}/uploads/wp-sync-e2e-$SITE"
  rm -f "$SITE_STATE/connection.json" "$SITE_STATE/seed.json"
}

create_database() {
  local password="$1"
  mariadb <<SQL
CREATE DATABASE IF NOT EXISTS \`$SITE_DB\`
  CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$SITE_DB'@'localhost' IDENTIFIED BY '$password';
ALTER USER '$SITE_DB'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON \`$SITE_DB\`.* TO '$SITE_DB'@'localhost';
SQL
}

# Debian's wp-config.php reads config-<host>.php for the host without its
# port; this one file serves every site here and picks the site by port.
write_host_config() {
  install -d -m 0750 -g www-data "$WP_E2E_CONFIG_DIR"
  install -m 0644 /dev/stdin /etc/wordpress/config-127.0.0.1.php <<'PHP'
<?php
/* Written by wp-sync scripts/wordpress/install.sh: one end-to-end site per
 * port, each defined in /etc/wordpress/wp-sync-e2e/port-<port>.php. */
$wp_sync_e2e_port = preg_match('/:(\d+)$/', $_SERVER['HTTP_HOST'] ?? '', $wp_sync_e2e_m) ? $wp_sync_e2e_m[1] : '';
$wp_sync_e2e_file = '/etc/wordpress/wp-sync-e2e/port-' . $wp_sync_e2e_port . '.php';
if ($wp_sync_e2e_port === '' || !is_readable($wp_sync_e2e_file)) {
    header('HTTP/1.0 404 Not Found');
    echo 'No wp-sync end-to-end WordPress site on this port.';
    exit(1);
}
require $wp_sync_e2e_file;
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_DEBUG', false);
define('WP_DEBUG_DISPLAY', false);
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('DB_HOST', 'localhost');
/* Offline machine: no update checks, no outbound HTTP, no pseudo-cron that
 * could change content between a sync and its check. */
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('DISABLE_WP_CRON', true);
PHP
}

write_site_config() {
  local password="$1" salts="" key
  for key in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT \
    SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
    salts+="define('$key', '$(config_value "$key" | grep . || random_token 48)');"$'\n'
  done
  # A site that moved to another port leaves no stale file behind.
  grep -l "^define('WP_SYNC_E2E_SITE', '$SITE');$" "$WP_E2E_CONFIG_DIR"/port-*.php 2>/dev/null |
    grep -vxF "$SITE_CONFIG" | xargs -r rm -f || true
  install -m 0640 -g www-data /dev/stdin "$SITE_CONFIG" <<PHP
<?php
define('WP_SYNC_E2E_SITE', '$SITE');
define('DB_NAME', '$SITE_DB');
define('DB_USER', '$SITE_DB');
define('DB_PASSWORD', '$password');
define('WP_HOME', '$SITE_ORIGIN');
define('WP_SITEURL', '$SITE_ORIGIN');
$salts
PHP
}

write_nginx_config() {
  install -m 0644 /dev/stdin "$SITE_STATE/nginx.conf" <<NGINX
user www-data;
worker_processes 2;
pid $SITE_RUN/nginx.pid;
error_log $SITE_LOGS/nginx-error.log warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log $SITE_LOGS/nginx-access.log;
  client_body_temp_path $SITE_RUN/nginx-body;
  fastcgi_temp_path $SITE_RUN/nginx-fastcgi;
  proxy_temp_path $SITE_RUN/nginx-proxy;
  uwsgi_temp_path $SITE_RUN/nginx-uwsgi;
  scgi_temp_path $SITE_RUN/nginx-scgi;
  sendfile on;
  server {
    listen 127.0.0.1:$SITE_PORT;
    server_name 127.0.0.1;
    root $WP_E2E_CORE_DIR;
    index index.php;
    client_max_body_size 32m;
    location / { try_files \$uri \$uri/ /index.php?\$args; }
    # Debian keeps themes, plugins and uploads under /var/lib.
    location /wp-content/ {
      alias $WP_E2E_CONTENT_DIR/;
      location ~ \.php\$ { return 403; }
    }
    location ~ \.php\$ {
      try_files \$uri =404;
      include /etc/nginx/fastcgi.conf;
      fastcgi_pass unix:$SITE_RUN/php-fpm.sock;
    }
    location ~ /\.ht { deny all; }
  }
}
NGINX
}

write_php_fpm_config() {
  install -m 0644 /dev/stdin "$SITE_STATE/php-fpm.conf" <<FPM
[global]
pid = $SITE_RUN/php-fpm.pid
error_log = $SITE_LOGS/php-fpm.log
daemonize = yes

[wp-sync-e2e-$SITE]
user = www-data
group = www-data
listen = $SITE_RUN/php-fpm.sock
listen.owner = www-data
listen.group = www-data
listen.mode = 0660
pm = dynamic
pm.max_children = 6
pm.start_servers = 2
pm.min_spare_servers = 1
pm.max_spare_servers = 3
catch_workers_output = yes
php_admin_flag[log_errors] = on
php_admin_value[error_log] = $SITE_LOGS/php-error.log
FPM
}

# Runs the WordPress install and settings as www-data; the script prints the
# connection JSON, which goes straight into a 0600 file.
write_connection() {
  local target="$SITE_STATE/connection.json" tmp previous=/dev/null
  tmp="$(umask 077 && mktemp "$SITE_STATE/.connection.XXXXXX")"
  [[ -s "$target" ]] && previous="$target"
  if ! run_site_php setup-site.php <"$previous" >"$tmp"; then
    rm -f "$tmp"
    die "WordPress setup failed for site $SITE"
  fi
  mv -f "$tmp" "$target"
}

started="$(date +%s)"
install_packages
start_mariadb
[[ "$fresh" == 1 ]] && drop_site

db_password="$(config_value DB_PASSWORD)"
[[ -n "$db_password" ]] || db_password="$(random_token 24)"
create_database "$db_password"
write_host_config
write_site_config "$db_password"

install -d -m 0755 "$WP_E2E_CONTENT_DIR/mu-plugins"
install -m 0644 "$WP_E2E_SCRIPTS_DIR/mu-plugins/wp-sync-acf-shim.php" \
  "$WP_E2E_CONTENT_DIR/mu-plugins/"
install -d -m 0755 -o www-data -g www-data \
  "$WP_E2E_CONTENT_DIR/uploads" "$WP_E2E_CONTENT_DIR/uploads/wp-sync-e2e-$SITE"

install -d -m 0711 "$SITE_STATE"
install -d -m 0755 "$SITE_RUN"
install -d -m 0755 -o www-data -g www-data "$SITE_LOGS"
write_nginx_config
write_php_fpm_config
write_connection
log "site $SITE installed at $SITE_ORIGIN in $(($(date +%s) - started))s"
