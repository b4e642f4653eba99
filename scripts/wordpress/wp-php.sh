#!/usr/bin/env bash
# Runs one of this folder's PHP scripts as www-data against an end-to-end
# site, e.g. `wp-php.sh small seed.php small` or `wp-php.sh small edit.php`.
# stdout is the script's (JSON) output; progress goes to stderr.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -ge 2 ]] || die "usage: wp-php.sh full|small SCRIPT.php [ARGS...]"
[[ "$(id -u)" == 0 ]] || die "must run as root (runs PHP as www-data)"
select_site "$1"
shift
[[ "$1" =~ ^[a-z-]+\.php$ && -f "$WP_E2E_SCRIPTS_DIR/$1" ]] || die "no script $1 here"
run_site_php "$@"
