<?php
/**
 * Plugin Name: wp-sync ACF shim
 * Description: For wp-sync's end-to-end tests only. Adds an `acf` REST field to posts and pages shaped like the one of Advanced Custom Fields, read from post meta named `acf_<field>`.
 * Version: 1.0.0
 *
 * The shapes follow what ACF answers, because that is what a sync meets on
 * real sites:
 * - a post with no saved field values: `[]` (ACF returns a PHP empty array,
 *   which JSON-encodes as a list, not an object);
 * - otherwise an object with every field of the post type's group, empty
 *   ones included, the way ACF saves all fields of a group at once;
 * - empty image and link fields: `false`; empty relationship: `""`; empty
 *   repeater: `false`; empty number: `null`.
 * Images are attachment ids and relationships lists of post ids, as in ACF's
 * REST format. Repeaters are kept as one serialized meta value here, where
 * ACF spreads rows over several meta keys: only the REST shape matters.
 */

defined('ABSPATH') || exit;

const WP_SYNC_ACF_SHIM_PREFIX = 'acf_';

/**
 * The field group of a post type: field name => ACF field type.
 *
 * @return array<string, string>
 */
function wp_sync_acf_shim_fields(string $post_type): array
{
    $groups = [
        'post' => [
            'subtitle' => 'text',
            'rating' => 'number',
            'featured' => 'true_false',
            'hero_image' => 'image',
            'source_link' => 'link',
            'related_posts' => 'relationship',
        ],
        'page' => [
            'intro' => 'textarea',
            'hero_image' => 'image',
            'cta' => 'link',
            'related_pages' => 'relationship',
            'sections' => 'repeater',
        ],
    ];
    return $groups[$post_type] ?? [];
}

/** Formats a stored value the way ACF's REST API answers for that type. */
function wp_sync_acf_shim_format(string $type, $raw)
{
    switch ($type) {
        case 'image':
            $id = (int) $raw;
            return $id > 0 ? $id : false;
        case 'link':
            if (!is_array($raw) || empty($raw['url'])) {
                return false;
            }
            return [
                'title' => (string) ($raw['title'] ?? ''),
                'url' => (string) $raw['url'],
                'target' => (string) ($raw['target'] ?? ''),
            ];
        case 'relationship':
            $ids = is_array($raw) ? array_values(array_map('intval', $raw)) : [];
            return $ids === [] ? '' : $ids;
        case 'repeater':
            return is_array($raw) && $raw !== [] ? array_values($raw) : false;
        case 'number':
            return is_numeric($raw) ? $raw + 0 : null;
        case 'true_false':
            return (bool) $raw;
        default:
            return (string) $raw;
    }
}

/**
 * REST get_callback: the post's ACF values, or `[]` when it has none.
 *
 * @param array<string, mixed> $post the prepared REST item
 * @return array<string, mixed>|array{}
 */
function wp_sync_acf_shim_get(array $post): array
{
    $meta = get_post_meta((int) $post['id']);
    $has_values = false;
    foreach (array_keys($meta) as $key) {
        if (strpos((string) $key, WP_SYNC_ACF_SHIM_PREFIX) === 0) {
            $has_values = true;
            break;
        }
    }
    if (!$has_values) {
        return [];
    }
    $values = [];
    foreach (wp_sync_acf_shim_fields((string) $post['type']) as $name => $type) {
        $stored = $meta[WP_SYNC_ACF_SHIM_PREFIX . $name][0] ?? '';
        $values[$name] = wp_sync_acf_shim_format($type, maybe_unserialize($stored));
    }
    return $values;
}

add_action('rest_api_init', static function (): void {
    foreach (['post', 'page'] as $post_type) {
        register_rest_field($post_type, 'acf', [
            'get_callback' => 'wp_sync_acf_shim_get',
            'schema' => [
                'description' => 'Custom fields, shaped like the ACF plugin\'s.',
                'type' => ['object', 'array'],
                'context' => ['view', 'edit'],
                'readonly' => true,
            ],
        ]);
    }
});
