import { beforeAll, describe, expect, it } from 'vitest';
import {
  ensureWordPress,
  listWordPressItems,
  readSeedSummary,
  seedProfileCounts,
  type WordPressConnection,
  wordPressAuthorization,
} from '../support/wordpress.js';

// Installing the packages and seeding on a fresh machine takes about a minute.
const SETUP_TIMEOUT_MS = 5 * 60_000;

describe('e2e WordPress, small profile', () => {
  let wp: WordPressConnection | undefined;
  let skipped = '';

  beforeAll(async () => {
    const ensured = await ensureWordPress({ profile: 'small' });
    if ('skipped' in ensured) {
      skipped = ensured.skipped;
    } else {
      wp = ensured;
    }
  }, SETUP_TIMEOUT_MS);

  /** The site, or a skip with the reason when this machine has none. */
  function site(skip: (note: string) => never): WordPressConnection {
    return wp ?? skip(skipped);
  }

  async function usersMe(
    target: WordPressConnection,
    authorization: string,
  ): Promise<Response> {
    return fetch(`${target.url}/wp-json/wp/v2/users/me?context=edit`, {
      headers: { authorization },
    });
  }

  it('accepts the application password on users/me', async ({ skip }) => {
    // Prepare
    const target = site(skip);

    // Act
    const response = await usersMe(target, wordPressAuthorization(target));

    // Assess
    expect(response.status).toBe(200);
    const me = (await response.json()) as { roles: string[] };
    expect(me.roles).toContain('administrator');
  });

  it('answers rest_not_logged_in to a wrong application password', async ({
    skip,
  }) => {
    // Prepare
    const target = site(skip);
    const wrong = { ...target, appPassword: 'abcd efgh ijkl mnop qrst uvwx' };

    // Act
    const response = await usersMe(target, wordPressAuthorization(wrong));

    // Assess
    expect(response.status).toBe(401);
    const body = (await response.json()) as { code: string };
    expect(body.code).toBe('rest_not_logged_in');
  });

  it.for(['posts', 'pages', 'media', 'categories', 'tags', 'users'] as const)(
    'lists as many %s as the profile promises',
    async (collection, { skip }) => {
      // Prepare
      const target = site(skip);
      const expected = await seedProfileCounts('small');

      // Act
      const items = await listWordPressItems(target, collection);

      // Assess
      expect(items).toHaveLength(expected[collection]);
      const ids = items.map((item) => item.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    },
  );

  it('serves the seeded special cases', async ({ skip }) => {
    // Prepare
    const target = site(skip);
    const summary = (await readSeedSummary('small')) as {
      special: Record<string, number>;
    };
    const special = (name: string): number => summary.special[name] ?? 0;

    // Act
    const posts = await listWordPressItems(target, 'posts');
    const byId = new Map(posts.map((post) => [post.id, post]));
    const deleted = await fetch(
      `${target.url}/wp-json/wp/v2/media/${special('deletedAttachment')}`,
    );

    // Assess
    const statuses = [...new Set(posts.map((post) => post.status))].sort();
    expect(statuses).toEqual([
      'draft',
      'future',
      'pending',
      'private',
      'publish',
    ]);
    expect(byId.get(special('noAcfPost'))?.acf).toEqual([]);
    expect(byId.get(special('emptyAcfPost'))?.acf).toMatchObject({
      hero_image: false,
      source_link: false,
      related_posts: '',
    });
    expect(byId.get(special('danglingFeaturedPost'))?.featured_media).toBe(
      special('deletedAttachment'),
    );
    expect(deleted.status).toBe(404);
  });
});
