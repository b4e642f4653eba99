<?php
/**
 * Loads WordPress for one end-to-end site from the PHP command line.
 *
 * The CLI has no Host header, and Debian's wp-config.php picks the site
 * config by host (and ours then by port), so the host comes from the
 * environment that lib.sh's run_site_php sets.
 */

if (PHP_SAPI !== 'cli') {
    exit(1);
}

$wp_sync_e2e_host = getenv('WP_SYNC_E2E_HOST');
if (!is_string($wp_sync_e2e_host) || !preg_match('/^127\.0\.0\.1:\d+$/', $wp_sync_e2e_host)) {
    fwrite(STDERR, "WP_SYNC_E2E_HOST must be 127.0.0.1:PORT; run through lib.sh\n");
    exit(2);
}
$_SERVER['HTTP_HOST'] = $wp_sync_e2e_host;
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['SERVER_PORT'] = explode(':', $wp_sync_e2e_host)[1];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';

require '/usr/share/wordpress/wp-load.php';

/** Prints a line of progress to stderr, keeping stdout for JSON results. */
function wp_sync_e2e_log(string $message): void
{
    fwrite(STDERR, '[wp-e2e] ' . $message . "\n");
}
