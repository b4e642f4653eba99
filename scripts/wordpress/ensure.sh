#!/usr/bin/env bash
# Makes one end-to-end site ready: installs it if needed, starts it, seeds
# it with the profile of the same name. Safe to run again and from several
# processes at once. Prints the path of the connection JSON on stdout.
#
# Usage: ensure.sh full|small
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -eq 1 ]] || die "usage: ensure.sh full|small"
select_site "$1"
[[ "$(id -u)" == 0 ]] || die "must run as root"

install -d -m 0711 "$WP_E2E_STATE_DIR"
exec 9>"$WP_E2E_STATE_DIR/.ensure-$SITE.lock"
flock 9

bash "$WP_E2E_SCRIPTS_DIR/install.sh" "$SITE"
bash "$WP_E2E_SCRIPTS_DIR/start.sh" "$SITE"
summary="$(umask 077 && mktemp "$SITE_STATE/.seed.XXXXXX")"
status=0
run_site_php seed.php "$SITE" >"$summary" || status=$?
if [[ "$status" == 4 ]]; then
  # An earlier seed died halfway (killed test run): nothing to keep.
  log "site $SITE was half seeded: reinstalling it"
  bash "$WP_E2E_SCRIPTS_DIR/install.sh" "$SITE" --fresh
  status=0
  run_site_php seed.php "$SITE" >"$summary" || status=$?
fi
if [[ "$status" != 0 ]]; then
  rm -f "$summary"
  die "seeding site $SITE failed (exit $status); to start over: install.sh $SITE --fresh"
fi
chmod 0644 "$summary"
mv -f "$summary" "$SITE_STATE/seed.json"
printf '%s\n' "$SITE_STATE/connection.json"
