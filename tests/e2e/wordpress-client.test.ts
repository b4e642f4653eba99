import { beforeAll, describe, expect, it } from 'vitest';
import { WordPressError } from '../../shared/errors.js';
import {
  checkCredentials,
  discoverSite,
  fetchItemsByIds,
  fetchPage,
  fetchPageIsolatingFailures,
  type WpConnection,
  type WpItem,
  type WpResource,
} from '../../shared/wordpress/client.js';
import {
  ensureWordPress,
  listWordPressItems,
  type WordPressConnection,
} from '../support/wordpress.js';

// Installing the packages and seeding on a fresh machine takes about a minute.
const SETUP_TIMEOUT_MS = 5 * 60_000;

describe('WordPress client against a real WordPress 6.1, small profile', () => {
  let wp: WordPressConnection | undefined;
  let conn: WpConnection | undefined;
  let skipped = '';

  beforeAll(async () => {
    const ensured = await ensureWordPress({ profile: 'small' });
    if ('skipped' in ensured) {
      skipped = ensured.skipped;
      return;
    }
    wp = ensured;
    const site = await discoverSite(ensured.url);
    conn = {
      restRoot: site.restRoot,
      restMode: site.restMode,
      username: ensured.username,
      appPassword: ensured.appPassword,
    };
  }, SETUP_TIMEOUT_MS);

  /** The site and a connection, or a skip with the reason. */
  function site(skip: (note: string) => never) {
    if (!wp || !conn) return skip(skipped);
    return { wp, conn };
  }

  /** Every item of a collection through fetchPage, page by page. */
  async function pageThrough(
    target: WpConnection,
    resource: WpResource,
    perPage?: number,
  ): Promise<WpItem[]> {
    const items: WpItem[] = [];
    for (let page = 1; ; page += 1) {
      const result = await fetchPage(target, resource, page, undefined, {
        perPage,
      });
      items.push(...result.items);
      if (result.end) return items;
    }
  }

  function ids(items: readonly { id: number }[]): number[] {
    return items.map((item) => item.id).sort((a, b) => a - b);
  }

  it('discovers the pretty REST root and the site settings', async ({
    skip,
  }) => {
    // Prepare
    const { wp: target } = site(skip);

    // Act
    const discovered = await discoverSite(target.url);

    // Assess
    expect(discovered.restRoot).toBe(`${target.url}/wp-json/`);
    expect(discovered.restMode).toBe('pretty');
    expect(discovered.siteUrl).toBe(`${target.url}/`);
    expect(discovered.name).not.toMatch(/&amp;/);
    expect(Number.isFinite(discovered.gmtOffset)).toBe(true);
  });

  it('accepts the application password and names the user', async ({
    skip,
  }) => {
    // Prepare
    const { conn: target } = site(skip);

    // Act
    const user = await checkCredentials(target);

    // Assess
    expect(user.userId).toBeGreaterThan(0);
    expect(user.name).not.toBe('');
  });

  it('names both causes for a wrong application password', async ({ skip }) => {
    // Prepare
    const { conn: target } = site(skip);
    const wrong = { ...target, appPassword: 'abcd efgh ijkl mnop qrst uvwx' };

    // Act
    const error = await checkCredentials(wrong).catch(
      (thrown: unknown) => thrown,
    );

    // Assess
    expect(error).toBeInstanceOf(WordPressError);
    expect((error as WordPressError).code).toBe(
      'WP_AUTH_NOT_RECEIVED_OR_INVALID',
    );
  });

  it('pages posts, media and categories to the same ids the site lists', async ({
    skip,
  }) => {
    // Prepare
    const { wp: target, conn: connection } = site(skip);
    const resources = ['posts', 'media', 'categories'] as const;

    // Act
    const fetched = await Promise.all(
      resources.map((resource) => pageThrough(connection, resource)),
    );
    const truth = await Promise.all(
      resources.map((resource) => listWordPressItems(target, resource)),
    );

    // Assess
    resources.forEach((resource, index) => {
      expect(ids(fetched[index] ?? []), resource).toEqual(
        ids(truth[index] ?? []),
      );
    });
    const statuses = new Set(fetched[0]?.map((post) => post.status));
    expect(statuses.size).toBeGreaterThan(1);
  });

  it('pages the same posts through ?rest_route= in small pages', async ({
    skip,
  }) => {
    // Prepare
    const { wp: target, conn: connection } = site(skip);
    const query: WpConnection = {
      ...connection,
      restRoot: `${target.url}/?rest_route=/`,
      restMode: 'query',
    };

    // Act
    const viaQuery = await pageThrough(query, 'posts', 25);
    const viaPretty = await pageThrough(connection, 'posts');

    // Assess
    expect(ids(viaQuery)).toEqual(ids(viaPretty));
  });

  it('ends a post collection past its last page', async ({ skip }) => {
    // Prepare
    const { conn: connection } = site(skip);

    // Act
    const page = await fetchPage(connection, 'posts', 500);

    // Assess
    expect(page.items).toEqual([]);
    expect(page.end).toBe(true);
    expect(page.warnings.map((warning) => warning.code)).toContain(
      'WP_COLLECTION_SHRANK',
    );
  });

  it('fetches items by id and names the missing ones', async ({ skip }) => {
    // Prepare
    const { conn: connection } = site(skip);
    const first = await fetchPage(connection, 'posts', 1, undefined, {
      perPage: 3,
    });
    const wanted = [...ids(first.items), 99_999_999];

    // Act
    const result = await fetchItemsByIds(connection, 'posts', wanted);

    // Assess
    expect(ids(result.items)).toEqual(ids(first.items));
    expect(result.missingIds).toEqual([99_999_999]);
  });

  it('returns a healthy page with no failures when isolating', async ({
    skip,
  }) => {
    // Prepare
    const { conn: connection } = site(skip);

    // Act
    const page = await fetchPageIsolatingFailures(connection, 'tags', 1);

    // Assess
    expect(page.failures).toEqual([]);
    expect(page.items.length).toBeGreaterThan(0);
  });
});
