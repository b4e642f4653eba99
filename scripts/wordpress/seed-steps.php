<?php
/**
 * The steps of seed.php, one function per kind of content. Each takes the
 * shared generator, so the order of the calls fixes the content.
 */

/** Local dates from 2019 to 2024 spread over $count items, in site time. */
function wp_sync_e2e_date(int $index, int $count, int $jitter): string
{
    $start = gmmktime(9, 0, 0, 1, 1, 2019);
    $span = 6 * 365 * DAY_IN_SECONDS;
    return gmdate('Y-m-d H:i:s', $start + intdiv($index * $span, max(1, $count)) + $jitter);
}

/** A name no earlier call returned, drawn from $make. */
function wp_sync_e2e_unique_name(array &$used, callable $make): string
{
    do {
        $name = $make();
    } while (isset($used[strtolower($name)]));
    $used[strtolower($name)] = true;
    return $name;
}

/** @return list<int> admin, an editor and an author */
function wp_sync_e2e_seed_users(): array
{
    $ids = [get_user_by('login', 'admin')->ID];
    $people = [
        ['edith', 'Édith & Co', 'editor'],
        ['arthur', 'Arthur “Art” Dent', 'author'],
    ];
    foreach ($people as [$login, $name, $role]) {
        $ids[] = wp_sync_e2e_ok(wp_insert_user([
            'user_login' => $login,
            'user_pass' => wp_generate_password(24, true, true),
            'user_email' => "$login@example.com",
            'display_name' => $name,
            'nickname' => $name,
            'role' => $role,
        ]), "user $login");
    }
    return $ids;
}

/**
 * Creates $count categories besides "Uncategorized": first the named cases
 * (a four-level chain, a name repeated under another parent, entities,
 * emoji, Cyrillic), then generated ones, a third of them nested.
 *
 * @return array{all: list<int>, special: list<int>}
 */
function wp_sync_e2e_seed_categories(WpSyncE2eRng $rng, WpSyncE2eText $text, int $count, WpSyncE2eBatch $batch): array
{
    // [name, index of the parent among these, description]
    $specials = [
        ['Food & Drink', null, 'Everything edible & drinkable.'],
        ['Café ☕', 0, 'Coffee, “properly”.'],
        ['“Quoted” & ‘curly’', 1, ''],
        ['Espresso', 2, 'The bottom of a four-level chain.'],
        ['News', null, ''],
        ['News', 0, 'Same name as a top-level category, another parent.'],
        ['Новости', null, 'A Cyrillic name gives a percent-encoded slug.'],
        ['Très été', null, ''],
        ['Rock & Roll 🎸', null, ''],
    ];
    $uncategorized = (int) get_option('default_category');
    $all = [$uncategorized];
    $depth = [$uncategorized => 0];
    $special = [];
    $used = ['uncategorized' => true];
    for ($i = 0; $i < $count; $i++) {
        if ($i < count($specials)) {
            [$name, $parent_index, $description] = $specials[$i];
            $parent = $parent_index === null ? 0 : $special[$parent_index];
            $used[strtolower($name)] = true;
        } else {
            $name = wp_sync_e2e_unique_name($used, fn () => $text->title(1, 2));
            $shallow = array_values(array_filter($all, fn (int $id) => $id !== $uncategorized && $depth[$id] < 3));
            $parent = $shallow !== [] && $rng->chance(35) ? $rng->pick($shallow) : 0;
            $description = $rng->chance(30) ? $text->paragraph() : '';
        }
        $term = wp_sync_e2e_ok(wp_insert_term($name, 'category', [
            'parent' => $parent,
            'description' => $description,
        ]), "category $name");
        $id = (int) $term['term_id'];
        $depth[$id] = $parent === 0 ? 0 : $depth[$parent] + 1;
        $all[] = $id;
        if ($i < count($specials)) {
            $special[] = $id;
        }
        $batch->tick();
    }
    return ['all' => $all, 'special' => $special];
}

/**
 * Creates $count tags: named cases first (one never assigned), then
 * generated ones.
 *
 * @return array{assignable: list<int>, special: list<int>}
 */
function wp_sync_e2e_seed_tags(WpSyncE2eRng $rng, WpSyncE2eText $text, int $count, WpSyncE2eBatch $batch): array
{
    $specials = ['Food & Drink', 'C++', 'naïve', '東京', 'emoji 🚀', '"quoted"', 'AT&T', 'unused tag'];
    $used = [];
    $assignable = [];
    $special = [];
    for ($i = 0; $i < $count; $i++) {
        $name = $i < count($specials)
            ? $specials[$i]
            : wp_sync_e2e_unique_name($used, fn () => $text->words($rng->int(1, 2)));
        $used[strtolower($name)] = true;
        $term = wp_sync_e2e_ok(wp_insert_term($name, 'post_tag'), "tag $name");
        $id = (int) $term['term_id'];
        if ($i < count($specials)) {
            $special[] = $id;
        }
        if ($name !== 'unused tag') {
            $assignable[] = $id;
        }
        $batch->tick();
    }
    return ['assignable' => $assignable, 'special' => $special];
}

/**
 * Uploads $count attachments: mostly images of several sizes and formats
 * (WordPress generates the smaller sizes and their metadata), and every
 * twentieth slot a PDF, a text file or a WAV sound. The last one is always
 * an image: seed.php deletes it to leave a dangling featured image.
 *
 * @return array{images: list<int>, byKind: array<string, list<int>>, last: int}
 */
function wp_sync_e2e_seed_media(WpSyncE2eRng $rng, WpSyncE2eText $text, int $count, WpSyncE2eBatch $batch): array
{
    $images = [];
    $by_kind = ['jpeg' => [], 'png' => [], 'gif' => [], 'pdf' => [], 'txt' => [], 'wav' => []];
    $extensions = ['jpeg' => 'jpg', 'png' => 'png', 'gif' => 'gif', 'pdf' => 'pdf', 'txt' => 'txt', 'wav' => 'wav'];
    $id = 0;
    for ($i = 0; $i < $count; $i++) {
        $kind = match ($i % 20) {
            5 => 'pdf',
            11 => 'txt',
            17 => 'wav',
            default => $rng->pick(['jpeg', 'jpeg', 'jpeg', 'png', 'png', 'gif']),
        };
        if ($i === $count - 1) {
            $kind = 'jpeg';
        }
        $title = $i === 0 ? 'Café ☕ photo & “friends”' : $text->title(2, 4);
        $date = wp_sync_e2e_date($i, $count, $rng->int(0, 3600));
        $name = (sanitize_title($title) ?: "media-$i") . '.' . $extensions[$kind];
        $label = "wp-sync #$i";
        $bytes = match ($kind) {
            'pdf' => wp_sync_e2e_pdf_bytes("wp-sync e2e document $i: $title"),
            'txt' => "Plain text attachment $i.\n" . $text->paragraph() . "\n",
            'wav' => wp_sync_e2e_wav_bytes($rng->int(220, 880)),
            default => wp_sync_e2e_image_bytes(
                $rng,
                $kind,
                $width = $rng->pick([480, 640, 800, 1200]),
                (int) ($width * $rng->pick([0.75, 0.5625, 1.0, 0.6667])),
                $label
            ),
        };
        $upload = wp_upload_bits($name, null, $bytes, substr($date, 0, 4) . '/' . substr($date, 5, 2));
        if ($upload['error']) {
            wp_sync_e2e_ok(new WP_Error('upload', $upload['error']), "upload $name");
        }
        $id = wp_sync_e2e_ok(wp_insert_attachment([
            'post_mime_type' => wp_check_filetype($name)['type'],
            'post_title' => $title,
            'post_content' => $rng->chance(20) ? $text->paragraph() : '',
            'post_excerpt' => $rng->chance(30) ? 'Caption: ' . $text->words(5) . ' & more' : '',
            'post_status' => 'inherit',
            'post_date' => $date,
        ], $upload['file'], 0, true), "attachment $name");
        wp_update_attachment_metadata($id, wp_generate_attachment_metadata($id, $upload['file']));
        if (in_array($kind, ['jpeg', 'png', 'gif'], true)) {
            $alt = $i === 0 ? 'A cup of café ☕ & a “croissant”' : ($rng->chance(70) ? ucfirst($text->words(4)) : '');
            if ($alt !== '') {
                update_post_meta($id, '_wp_attachment_image_alt', $alt);
            }
            if ($i !== $count - 1) {
                $images[] = $id;
            }
        }
        $by_kind[$kind][] = $id;
        $batch->tick();
    }
    return ['images' => $images, 'byKind' => $by_kind, 'last' => $id];
}

/** Gutenberg markup: paragraphs, a heading, maybe a list, image and link. */
function wp_sync_e2e_content(WpSyncE2eRng $rng, WpSyncE2eText $text, ?int $image, ?int $link_to): string
{
    $blocks = [wp_sync_e2e_block('paragraph', '<p>' . esc_html($text->paragraph()) . '</p>')];
    $blocks[] = wp_sync_e2e_block('heading', '<h2>' . esc_html($text->title(2, 4)) . '</h2>');
    $paragraphs = $rng->int(1, 3);
    for ($i = 0; $i < $paragraphs; $i++) {
        $blocks[] = wp_sync_e2e_block('paragraph', '<p>' . esc_html($text->paragraph()) . '</p>');
    }
    if ($rng->chance(30)) {
        $items = '';
        for ($i = 0, $n = $rng->int(2, 5); $i < $n; $i++) {
            $items .= '<li>' . esc_html(ucfirst($text->words(3))) . '</li>';
        }
        $blocks[] = wp_sync_e2e_block('list', "<ul>$items</ul>");
    }
    if ($image !== null) {
        $src = esc_url((string) wp_get_attachment_image_url($image, 'medium'));
        $alt = esc_attr((string) get_post_meta($image, '_wp_attachment_image_alt', true));
        $blocks[] = wp_sync_e2e_block(
            'image',
            "<figure class=\"wp-block-image size-medium\"><img src=\"$src\" alt=\"$alt\" class=\"wp-image-$image\"/></figure>",
            ['id' => $image, 'sizeSlug' => 'medium', 'linkDestination' => 'none']
        );
    }
    if ($link_to !== null) {
        $href = esc_url((string) get_permalink($link_to));
        $title = esc_html(get_the_title($link_to));
        $blocks[] = wp_sync_e2e_block('paragraph', "<p>Read also <a href=\"$href\">$title</a> &amp; more.</p>");
    }
    return implode("\n\n", $blocks);
}

/**
 * Creates $count pages: a three-level chain, drafts, a private child, ACF
 * fields on two of them, then generated pages, half nested under published
 * ones.
 *
 * @return array{ids: list<int>, special: array{acf: int, acfEmpty: int}}
 */
function wp_sync_e2e_seed_pages(WpSyncE2eRng $rng, WpSyncE2eText $text, int $count, array $users, array $media, WpSyncE2eBatch $batch): array
{
    // [title, index of the parent among these, status]
    $specials = [
        ['About us & more', null, 'publish'],
        ['Team', 0, 'publish'],
        ['Café ☕ menu', 1, 'publish'],
        ['Contact', 0, 'publish'],
        ['Draft page: “work in progress”', null, 'draft'],
        ['Private page', 0, 'private'],
        ['Страница о нас', null, 'publish'],
    ];
    $ids = [];
    $published = [];
    $depth = [];
    for ($i = 0; $i < $count; $i++) {
        if ($i < count($specials)) {
            [$title, $parent_index, $status] = $specials[$i];
            $parent = $parent_index === null ? 0 : $ids[$parent_index];
        } else {
            $title = $text->title(1, 4);
            $status = match ($i % 20) {
                13 => 'draft',
                17 => 'private',
                default => 'publish',
            };
            $shallow = array_values(array_filter($published, fn (int $id) => $depth[$id] < 3));
            $parent = $shallow !== [] && $rng->chance(50) ? $rng->pick($shallow) : 0;
        }
        $id = wp_sync_e2e_ok(wp_insert_post([
            'post_type' => 'page',
            'post_title' => $title,
            'post_content' => wp_sync_e2e_content($rng, $text, null, null),
            'post_status' => $status,
            'post_parent' => $parent,
            'menu_order' => $rng->int(0, 10),
            'post_author' => $rng->pick($users),
            'post_date' => wp_sync_e2e_date($i, $count, $rng->int(0, 3600)),
            'comment_status' => 'closed',
        ], true), "page $title");
        $ids[] = $id;
        $depth[$id] = $parent === 0 ? 0 : $depth[$parent] + 1;
        if ($status === 'publish') {
            $published[] = $id;
        }
        $batch->tick();
    }
    [$about, $team, , $contact] = $ids;
    wp_sync_e2e_set_acf($about, [
        'intro' => "Who we are & what we do — in “short”.\nSecond line.",
        'hero_image' => (string) $media['images'][0],
        'cta' => ['title' => 'Contact us', 'url' => get_permalink($contact), 'target' => ''],
        'related_pages' => [(string) $team, (string) $contact],
        'sections' => [
            ['heading' => 'Our story', 'text' => $text->paragraph()],
            ['heading' => 'Café ☕ & friends', 'text' => $text->paragraph()],
        ],
    ]);
    wp_sync_e2e_set_acf($contact, ['intro' => '', 'hero_image' => '', 'cta' => '', 'related_pages' => '', 'sections' => '']);
    return ['ids' => $ids, 'special' => ['acf' => $about, 'acfEmpty' => $contact]];
}

/** Saves ACF values as the shim reads them: one meta key per field. */
function wp_sync_e2e_set_acf(int $post_id, array $fields): void
{
    foreach ($fields as $name => $value) {
        update_post_meta($post_id, "acf_$name", $value);
    }
}

/** The status of the generic post at $index: about 2% of each non-public one. */
function wp_sync_e2e_post_status(int $index): string
{
    return match ($index % 50) {
        7 => 'draft',
        19 => 'pending',
        31 => 'private',
        43 => 'future',
        default => 'publish',
    };
}

/**
 * Creates $count posts: named cases first, then generated ones with
 * categories, tags, featured images (about 40%), internal links, excerpts
 * and, now and then, ACF fields. Images a post features get it as parent.
 *
 * @return array{ids: list<int>, special: array<string, int>}
 */
function wp_sync_e2e_seed_posts(WpSyncE2eRng $rng, WpSyncE2eText $text, int $count, array $users, array $categories, array $tags, array $media, WpSyncE2eBatch $batch): array
{
    global $wpdb;
    [$food, $cafe, , $espresso] = $categories['special'];
    [$food_tag, , , , $emoji_tag] = $tags['special'];
    $images = $media['images'];
    // Overrides by index; 7 stays a generic draft.
    $specials = [
        0 => ['post_title' => 'Food & Drink: the “best” café ☕ in town', 'cats' => [$food, $cafe, $espresso], 'tags' => [$food_tag, $emoji_tag], 'image' => $images[0], 'gallery' => true],
        1 => ['post_title' => 'It\'s <em>"quoted"</em> & \'apostrophes\'', 'post_content' => wp_sync_e2e_block('paragraph', '<p>Fish &amp; chips, “smart quotes”, \'single\' &amp; &lt;escaped&gt; tags — and emoji 🎉.</p>')],
        2 => ['post_title' => 'Привет, мир'],
        3 => ['post_title' => '日本語のタイトル'],
        4 => ['post_title' => 'Post with custom fields', 'acf' => 'full', 'image' => $images[1]],
        5 => ['post_title' => 'Post with empty custom fields', 'acf' => 'empty'],
        6 => ['post_title' => 'Post whose featured image was deleted'],
        8 => ['post_title' => 'Password protected post', 'post_password' => 'open sesame'],
        9 => ['post_title' => 'Sticky post', 'sticky' => true, 'image' => $images[2]],
        10 => ['post_title' => 'Duplicate title'],
        11 => ['post_title' => 'Duplicate title'],
        12 => ['post_title' => 'Café ☕ with a typed slug', 'post_name' => 'café-☕'],
    ];
    $ids = [];
    $published = [];
    $special = [];
    $attach = [];
    $no_acf = 0;
    for ($i = 0; $i < $count; $i++) {
        $spec = $specials[$i] ?? [];
        $status = isset($spec['post_title']) ? 'publish' : wp_sync_e2e_post_status($i);
        $image = $spec['image'] ?? ($spec === [] && $rng->chance(40) ? $rng->pick($images) : null);
        $link_to = $published !== [] && $rng->chance(30) ? $rng->pick($published) : null;
        $date = $status === 'future'
            ? gmdate('Y-m-d H:i:s', gmmktime(10, 0, 0, 1, 1, 2099) + $i * HOUR_IN_SECONDS)
            : wp_sync_e2e_date($i, $count, $rng->int(0, 3600));
        $content = $spec['post_content'] ?? wp_sync_e2e_content($rng, $text, $image, $link_to);
        if (!empty($spec['gallery'])) {
            $content .= "\n\n[gallery ids=\"" . implode(',', array_slice($images, 0, 3)) . '"]';
        }
        $cats = $spec['cats'] ?? ($rng->chance(5) ? [] : $rng->some(array_slice($categories['all'], 1), $rng->int(1, 3)));
        $post = [
            'post_type' => 'post',
            'post_title' => $spec['post_title'] ?? $text->title(),
            'post_content' => $content,
            'post_excerpt' => $rng->chance(25) ? 'Short & sweet: ' . $text->words(8) . '…' : '',
            'post_status' => $status,
            'post_author' => $rng->pick($users),
            'post_date' => $date,
            'post_category' => $cats,
            'comment_status' => 'closed',
            'ping_status' => 'closed',
            'meta_input' => $image === null ? [] : ['_thumbnail_id' => $image],
        ];
        foreach (['post_password', 'post_name'] as $field) {
            if (isset($spec[$field])) {
                $post[$field] = $spec[$field];
            }
        }
        $id = wp_sync_e2e_ok(wp_insert_post($post, true), "post $i");
        $post_tags = $spec['tags'] ?? $rng->some($tags['assignable'], $rng->int(0, 6));
        if ($post_tags !== []) {
            wp_set_object_terms($id, $post_tags, 'post_tag');
        }
        $acf = $spec['acf'] ?? ($spec === [] && $rng->chance(5) ? 'full' : null);
        if ($acf === 'full') {
            wp_sync_e2e_set_acf($id, [
                'subtitle' => 'A subtitle with “quotes” & ampersands',
                'rating' => (string) ($rng->int(1, 10) / 2),
                'featured' => (string) $rng->int(0, 1),
                'hero_image' => (string) $rng->pick($images),
                'source_link' => ['title' => 'Source & more', 'url' => 'https://example.com/source?a=1&b=2', 'target' => '_blank'],
                'related_posts' => array_map('strval', array_slice($published, 0, 3)),
            ]);
        } elseif ($acf === 'empty') {
            wp_sync_e2e_set_acf($id, ['subtitle' => '', 'rating' => '', 'featured' => '0', 'hero_image' => '', 'source_link' => '', 'related_posts' => '']);
        } elseif ($no_acf === 0 && $spec === [] && $status === 'publish') {
            $no_acf = $id;
        }
        if ($image !== null && !isset($attach[$image])) {
            $attach[$image] = $id;
        }
        if (!empty($spec['sticky'])) {
            stick_post($id);
            $special['sticky'] = $id;
        }
        if (isset($spec['post_password'])) {
            $special['password'] = $id;
        }
        if ($acf !== null && !isset($special[$acf === 'full' ? 'acf' : 'acfEmpty'])) {
            $special[$acf === 'full' ? 'acf' : 'acfEmpty'] = $id;
        }
        if ($i === 6) {
            $special['danglingFeatured'] = $id;
        }
        $ids[] = $id;
        if ($status === 'publish') {
            $published[] = $id;
        }
        $batch->tick();
    }
    // Uploaded "from" the first post that features them, as in the editor.
    foreach ($attach as $attachment => $parent) {
        $wpdb->update($wpdb->posts, ['post_parent' => $parent], ['ID' => $attachment]);
    }
    $special['noAcf'] = $no_acf;
    return ['ids' => $ids, 'special' => $special];
}

/** @return list<int> posts moved to the trash, which `status=any` leaves out */
function wp_sync_e2e_seed_trash(WpSyncE2eText $text, int $count, array $users, WpSyncE2eBatch $batch): array
{
    $ids = [];
    for ($i = 0; $i < $count; $i++) {
        $id = wp_sync_e2e_ok(wp_insert_post([
            'post_title' => 'Trashed: ' . $text->title(),
            'post_content' => wp_sync_e2e_block('paragraph', '<p>Gone.</p>'),
            'post_status' => 'publish',
            'post_author' => $users[0],
            'post_date' => wp_sync_e2e_date($i, $count, 0),
        ], true), "trashed post $i");
        wp_trash_post($id);
        $ids[] = $id;
        $batch->tick();
    }
    return $ids;
}

/**
 * Deletes the spare image and points a post's featured image at it.
 * wp_delete_attachment() removes `_thumbnail_id` references itself, so the
 * meta is written back afterwards, as an import or a restored backup leaves
 * it.
 *
 * @return array{post: int, attachment: int}
 */
function wp_sync_e2e_seed_dangling_featured(array $posts, array $media, WpSyncE2eBatch $batch): array
{
    $post = $posts['special']['danglingFeatured'];
    $attachment = $media['last'];
    set_post_thumbnail($post, $attachment);
    wp_sync_e2e_ok(wp_delete_attachment($attachment, true), 'delete spare attachment');
    update_post_meta($post, '_thumbnail_id', $attachment);
    $batch->tick();
    return ['post' => $post, 'attachment' => $attachment];
}

/** What the site holds now, counted the way the REST API lists it. */
function wp_sync_e2e_count(): array
{
    $counts = [];
    foreach (['post' => 'posts', 'page' => 'pages'] as $type => $key) {
        $by_status = (array) wp_count_posts($type);
        $row = [];
        foreach (['publish', 'future', 'draft', 'pending', 'private', 'trash'] as $status) {
            $row[$status] = (int) ($by_status[$status] ?? 0);
        }
        $row['total'] = array_sum($row) - $row['trash'];
        $counts[$key] = $row;
    }
    $counts['media'] = (int) wp_count_posts('attachment')->inherit;
    $counts['categories'] = (int) wp_count_terms(['taxonomy' => 'category', 'hide_empty' => false]);
    $counts['tags'] = (int) wp_count_terms(['taxonomy' => 'post_tag', 'hide_empty' => false]);
    $counts['users'] = (int) count_users()['total_users'];
    return $counts;
}
