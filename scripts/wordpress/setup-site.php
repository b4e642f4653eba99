<?php
/**
 * Installs WordPress for one end-to-end site and sets it up for syncing:
 * settings, pretty permalinks, the admin user and its application password.
 *
 * Reads the previous connection JSON (if any) on stdin and keeps its
 * application password while it is still valid; prints the connection JSON
 * on stdout, which install.sh writes to a 0600 file.
 */

define('WP_INSTALLING', true);

/** The site is offline: the install's notification mail cannot be sent. */
function wp_new_blog_notification($blog_title, $blog_url, $user_id, $password)
{
}

require __DIR__ . '/cli-bootstrap.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

const WP_SYNC_E2E_ADMIN = 'admin';
const WP_SYNC_E2E_APP_NAME = 'wp-sync-e2e';

$site = getenv('WP_SYNC_E2E_SITE');
$previous = json_decode((string) stream_get_contents(STDIN), true);

if (!is_blog_installed()) {
    wp_sync_e2e_log("running the WordPress install for site $site");
    $result = wp_install(
        "wp-sync E2E ($site)",
        WP_SYNC_E2E_ADMIN,
        'admin@example.com',
        false,
        '',
        wp_generate_password(24, true, true)
    );
    if (empty($result['user_id'])) {
        fwrite(STDERR, "wp_install failed\n");
        exit(1);
    }
}

// Settings that make the copy worth checking: a name with an entity, and a
// time zone off UTC so local and GMT dates differ.
update_option('blogname', "wp-sync E2E ($site) & friends");
update_option('blogdescription', 'Real WordPress for tests — “quoted” ☕');
update_option('timezone_string', 'Europe/Paris');
update_option('gmt_offset', '');
update_option('blog_public', '0');
update_option('default_comment_status', 'closed');
update_option('default_ping_status', 'closed');

// Debian's content dir is shared by every site here; each keeps its uploads
// in a folder of its own.
update_option('upload_path', WP_CONTENT_DIR . "/uploads/wp-sync-e2e-$site");
update_option('upload_url_path', home_url("/wp-content/uploads/wp-sync-e2e-$site"));
update_option('uploads_use_yearmonth_folders', '1');

global $wp_rewrite;
$wp_rewrite->set_permalink_structure('/%postname%/');
delete_option('rewrite_rules');

$admin = get_user_by('login', WP_SYNC_E2E_ADMIN);
if (!$admin) {
    $admin_id = wp_insert_user([
        'user_login' => WP_SYNC_E2E_ADMIN,
        'user_pass' => wp_generate_password(24, true, true),
        'user_email' => 'admin@example.com',
        'role' => 'administrator',
    ]);
    if (is_wp_error($admin_id)) {
        fwrite(STDERR, 'cannot create the admin user: ' . $admin_id->get_error_message() . "\n");
        exit(1);
    }
    $admin = get_user_by('id', $admin_id);
}
$admin->set_role('administrator');

/** True when $password matches the stored application password we named. */
function wp_sync_e2e_app_password_valid(int $user_id, string $password): bool
{
    foreach (WP_Application_Passwords::get_user_application_passwords($user_id) as $item) {
        if ($item['name'] === WP_SYNC_E2E_APP_NAME && wp_check_password($password, $item['password'], $user_id)) {
            return true;
        }
    }
    return false;
}

$password = is_array($previous) && ($previous['username'] ?? '') === WP_SYNC_E2E_ADMIN
    ? (string) ($previous['appPassword'] ?? '')
    : '';
if ($password === '' || !wp_sync_e2e_app_password_valid($admin->ID, $password)) {
    foreach (WP_Application_Passwords::get_user_application_passwords($admin->ID) as $item) {
        if ($item['name'] === WP_SYNC_E2E_APP_NAME) {
            WP_Application_Passwords::delete_application_password($admin->ID, $item['uuid']);
        }
    }
    $created = WP_Application_Passwords::create_new_application_password(
        $admin->ID,
        ['name' => WP_SYNC_E2E_APP_NAME]
    );
    if (is_wp_error($created)) {
        fwrite(STDERR, 'cannot create the application password: ' . $created->get_error_message() . "\n");
        exit(1);
    }
    $password = $created[0];
    wp_sync_e2e_log('created a new application password');
}

echo wp_json_encode([
    'url' => home_url(),
    'username' => WP_SYNC_E2E_ADMIN,
    'appPassword' => $password,
], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES), "\n";
