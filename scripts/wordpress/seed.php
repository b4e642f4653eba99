<?php
/**
 * Seeds an end-to-end site with deterministic content.
 *
 * Usage (as www-data, through lib.sh's run_site_php): seed.php full|small
 *
 * Counts come from profiles.json and mean what the REST API lists with
 * `status=any&context=edit` (media: `inherit`; categories include
 * "Uncategorized"); trashed posts come on top. The content carries the cases
 * a sync must get right: every post status, floating draft dates, nested
 * categories and pages, entities, quotes and emoji in names, non-ASCII
 * slugs, duplicate titles, a password-protected and a sticky post, ACF
 * fields (full, empty, none), media of several kinds with generated sizes,
 * and a featured image that points at a deleted attachment.
 *
 * Idempotent: a site already seeded with the same profile is left alone and
 * its summary printed again; a site seeded with another profile or holding
 * posts no seed made is refused (exit 3), a half-seeded one too (exit 4). The JSON summary goes to stdout, progress to
 * stderr.
 */

define('WP_IMPORTING', true);
require __DIR__ . '/cli-bootstrap.php';
require __DIR__ . '/seed-lib.php';
require_once ABSPATH . 'wp-admin/includes/image.php';
require_once ABSPATH . 'wp-admin/includes/file.php';
require_once ABSPATH . 'wp-admin/includes/media.php';

const WP_SYNC_E2E_SEED_OPTION = 'wp_sync_e2e_seed';
const WP_SYNC_E2E_SEED = 20251204;

$started = microtime(true);
$profile_name = $argv[1] ?? '';
$profiles = json_decode((string) file_get_contents(__DIR__ . '/profiles.json'), true);
if (!isset($profiles[$profile_name])) {
    fwrite(STDERR, 'usage: seed.php ' . implode('|', array_keys($profiles)) . "\n");
    exit(2);
}
$profile = $profiles[$profile_name];

/** Stops with exit code 3 and a reason on stderr. */
function wp_sync_e2e_refuse(string $reason): never
{
    fwrite(STDERR, "[wp-e2e] seed refused: $reason\n");
    exit(3);
}

$previous = get_option(WP_SYNC_E2E_SEED_OPTION);
if (is_array($previous)) {
    if ($previous['profile'] !== $profile_name) {
        wp_sync_e2e_refuse("site already seeded with profile '{$previous['profile']}'");
    }
    if ($previous['status'] !== 'done') {
        fwrite(STDERR, "[wp-e2e] seed refused: an earlier seed stopped halfway; reinstall with install.sh --fresh\n");
        exit(4);
    }
    wp_sync_e2e_log("site already seeded with profile '$profile_name': nothing to do");
    echo wp_json_encode($previous['summary'], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), "\n";
    exit(0);
}
global $wpdb;
// The install's own sample post, page and privacy page have ids 1 to 3.
$foreign = (int) $wpdb->get_var("SELECT COUNT(*) FROM $wpdb->posts WHERE ID > 3");
if ($foreign > 0) {
    wp_sync_e2e_refuse("site has $foreign posts that no seed made");
}
update_option(WP_SYNC_E2E_SEED_OPTION, ['profile' => $profile_name, 'status' => 'started'], false);

$rng = new WpSyncE2eRng(WP_SYNC_E2E_SEED);
$text = new WpSyncE2eText($rng);
$admin = get_user_by('login', 'admin');
if (!$admin) {
    wp_sync_e2e_refuse('no admin user; run install.sh first');
}
// As admin, content keeps its HTML: kses would filter it for a nobody.
wp_set_current_user($admin->ID);
wp_defer_term_counting(true);

/** Fails the seed on a WP_Error, which core returns instead of throwing. */
function wp_sync_e2e_ok($result, string $what)
{
    if (is_wp_error($result) || $result === 0 || $result === false) {
        $message = is_wp_error($result) ? $result->get_error_message() : 'no id returned';
        fwrite(STDERR, "[wp-e2e] seed failed at $what: $message\n");
        exit(1);
    }
    return $result;
}

foreach ([1, 2, 3] as $sample_id) {
    wp_delete_post($sample_id, true);
}
update_option('wp_page_for_privacy_policy', 0);

require __DIR__ . '/seed-steps.php';

/** Runs one step and logs how long it took, to see where seeding time goes. */
function wp_sync_e2e_step(string $name, callable $step)
{
    $started = microtime(true);
    $result = $step();
    wp_sync_e2e_log(sprintf('%s: %.1fs', $name, microtime(true) - $started));
    return $result;
}

$batch = new WpSyncE2eBatch($wpdb, 100);
$users = wp_sync_e2e_seed_users();
$categories = wp_sync_e2e_step('categories', fn () => wp_sync_e2e_seed_categories($rng, $text, $profile['categories'] - 1, $batch));
$tags = wp_sync_e2e_step('tags', fn () => wp_sync_e2e_seed_tags($rng, $text, $profile['tags'], $batch));
$media = wp_sync_e2e_step('media', fn () => wp_sync_e2e_seed_media($rng, $text, $profile['media'] + 1, $batch));
$pages = wp_sync_e2e_step('pages', fn () => wp_sync_e2e_seed_pages($rng, $text, $profile['pages'], $users, $media, $batch));
$posts = wp_sync_e2e_step('posts', fn () => wp_sync_e2e_seed_posts($rng, $text, $profile['posts'], $users, $categories, $tags, $media, $batch));
$trashed = wp_sync_e2e_seed_trash($text, $profile['trashedPosts'], $users, $batch);
$dangling = wp_sync_e2e_seed_dangling_featured($posts, $media, $batch);
$batch->commit();
wp_sync_e2e_step('term counts', fn () => wp_defer_term_counting(false));
wp_cache_flush();

$summary = [
    'profile' => $profile_name,
    'seed' => WP_SYNC_E2E_SEED,
    'counts' => wp_sync_e2e_count(),
    'special' => [
        'acfPost' => $posts['special']['acf'],
        'emptyAcfPost' => $posts['special']['acfEmpty'],
        'noAcfPost' => $posts['special']['noAcf'],
        'acfPage' => $pages['special']['acf'],
        'emptyAcfPage' => $pages['special']['acfEmpty'],
        'passwordPost' => $posts['special']['password'],
        'stickyPost' => $posts['special']['sticky'],
        'danglingFeaturedPost' => $dangling['post'],
        'deletedAttachment' => $dangling['attachment'],
        'pdfAttachment' => $media['byKind']['pdf'][0],
        'trashedPosts' => $trashed,
    ],
    'seconds' => round(microtime(true) - $started, 1),
];

$expected = [
    'posts' => $profile['posts'],
    'pages' => $profile['pages'],
    'media' => $profile['media'],
    'categories' => $profile['categories'],
    'tags' => $profile['tags'],
    'users' => $profile['users'],
];
foreach ($expected as $type => $count) {
    $actual = $summary['counts'][$type]['total'] ?? $summary['counts'][$type];
    if ($actual !== $count) {
        fwrite(STDERR, "[wp-e2e] seed made $actual $type, profile says $count\n");
        exit(1);
    }
}

update_option(WP_SYNC_E2E_SEED_OPTION, ['profile' => $profile_name, 'status' => 'done', 'summary' => $summary], false);
wp_sync_e2e_log("seeded profile '$profile_name' in {$summary['seconds']}s");
echo wp_json_encode($summary, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), "\n";
