<?php
/**
 * Changes a seeded site for the "second sync" scenario and prints what it
 * changed as JSON on stdout.
 *
 * Usage (as www-data, through wp-php.sh): edit.php
 *
 * Each run is one numbered round and changes, through the same core calls
 * the editor uses (so modified dates move as they do in WordPress):
 * - the content of the three published posts with the lowest ids;
 * - the name of the category with slug `tres-ete` (its slug stays);
 * - the ACF fields of the seeded ACF page, then saves that page.
 * A category rename changes no post's modified date: a sync has to notice
 * it on the terms themselves.
 */

require __DIR__ . '/cli-bootstrap.php';

const WP_SYNC_E2E_EDIT_ROUND_OPTION = 'wp_sync_e2e_edit_round';
const WP_SYNC_E2E_EDIT_CATEGORY = 'tres-ete';

$seed = get_option('wp_sync_e2e_seed');
if (!is_array($seed) || $seed['status'] !== 'done') {
    fwrite(STDERR, "[wp-e2e] edit refused: the site is not seeded\n");
    exit(3);
}
$admin = get_user_by('login', 'admin');
wp_set_current_user($admin->ID);

global $wpdb;
$round = (int) get_option(WP_SYNC_E2E_EDIT_ROUND_OPTION, 0) + 1;
$post_ids = array_map('intval', $wpdb->get_col(
    "SELECT ID FROM $wpdb->posts WHERE post_type = 'post' AND post_status = 'publish' AND post_password = '' ORDER BY ID ASC LIMIT 3"
));
$page_id = (int) $seed['summary']['special']['acfPage'];
$category = get_term_by('slug', WP_SYNC_E2E_EDIT_CATEGORY, 'category');
if (count($post_ids) < 3 || !$category || !get_post($page_id)) {
    fwrite(STDERR, "[wp-e2e] edit refused: the seeded posts, page or category are missing\n");
    exit(3);
}

// Modified dates have one-second resolution: wait for a new second so every
// change is strictly newer than whatever a sync saw just before.
$newest = (string) $wpdb->get_var(
    "SELECT MAX(post_modified_gmt) FROM $wpdb->posts WHERE ID IN (" . implode(',', [...$post_ids, $page_id]) . ')'
);
while (gmdate('Y-m-d H:i:s') <= $newest) {
    usleep(100000);
}

/** Stops on a WP_Error from core. */
function wp_sync_e2e_edit_ok($result, string $what)
{
    if (is_wp_error($result) || $result === 0) {
        $message = is_wp_error($result) ? $result->get_error_message() : 'nothing saved';
        fwrite(STDERR, "[wp-e2e] edit failed at $what: $message\n");
        exit(1);
    }
    return $result;
}

$changed = [];
foreach ($post_ids as $id) {
    $content = get_post_field('post_content', $id, 'raw')
        . "\n\n<!-- wp:paragraph -->\n<p>Edited in round $round &amp; saved again.</p>\n<!-- /wp:paragraph -->";
    // wp_update_post() unslashes what it is given, like form input.
    wp_sync_e2e_edit_ok(wp_update_post(wp_slash(['ID' => $id, 'post_content' => $content]), true), "post $id");
    $changed[] = ['type' => 'post', 'id' => $id, 'field' => 'content'];
}

$base_name = preg_replace('/ \(edit \d+\)$/', '', html_entity_decode($category->name, ENT_QUOTES, 'UTF-8'));
$name = "$base_name (edit $round)";
wp_sync_e2e_edit_ok(wp_update_term($category->term_id, 'category', ['name' => $name]), 'category rename');
$changed[] = ['type' => 'category', 'id' => (int) $category->term_id, 'field' => 'name', 'name' => $name];

update_post_meta($page_id, 'acf_intro', "Updated in round $round: still “short” & sweet.");
update_post_meta($page_id, 'acf_sections', [
    ['heading' => "Round $round", 'text' => 'The sections changed too.'],
]);
// ACF writes meta inside a save; saving the page is what moves its date.
wp_sync_e2e_edit_ok(wp_update_post(['ID' => $page_id], true), "page $page_id");
$changed[] = ['type' => 'page', 'id' => $page_id, 'field' => 'acf'];

update_option(WP_SYNC_E2E_EDIT_ROUND_OPTION, $round, false);
clean_post_cache($page_id);
foreach ($changed as &$change) {
    if ($change['type'] !== 'category') {
        $change['modifiedGmt'] = get_post_field('post_modified_gmt', $change['id'], 'raw');
    }
}
unset($change);

wp_sync_e2e_log("edit round $round changed " . count($changed) . ' items');
echo wp_json_encode(['round' => $round, 'changed' => $changed], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), "\n";
