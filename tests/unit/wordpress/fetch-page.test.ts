import { afterEach, describe, expect, it } from 'vitest';
import { WordPressError } from '../../../shared/errors.js';
import {
  fetchPage,
  type WpConnection,
  type WpResource,
} from '../../../shared/wordpress/client.js';
import {
  type Handler,
  messageBytes,
  type ReplayServer,
  startReplayServer,
} from '../http/support/replay-server.js';
import {
  BOM_PREFIX,
  JSON_LABELLED_HTML,
  MAINTENANCE_503,
  PER_PAGE_REJECTED_400,
  PHP_NOTICE_BEFORE_JSON,
  RATE_LIMIT_429,
  tagsWithoutTotals,
  UNSTABLE_ORDER_PAGES,
} from './support/cases.js';
import {
  APP_PASSWORD,
  NOW_MS,
  prettyConnection,
  queryOf,
  recordingDeps,
  USERNAME,
} from './support/deps.js';
import { answerCollection, range, rawCase } from './support/fake-collection.js';

const servers: ReplayServer[] = [];

async function serve(handler: Handler): Promise<ReplayServer> {
  const server = await startReplayServer(handler);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function failure(work: Promise<unknown>): Promise<WordPressError> {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(WordPressError);
  return error as WordPressError;
}

function codes(warnings: { code: string }[]): string[] {
  return warnings.map((warning) => warning.code);
}

/** Replies with each message in turn, the last one for ever after. */
function inTurn(...messages: string[]): Handler {
  let index = 0;
  return () => {
    const message = messages[Math.min(index, messages.length - 1)] ?? '';
    index += 1;
    return { raw: messageBytes(message) };
  };
}

describe('fetchPage', () => {
  it('asks for a stable, complete page with credentials and JSON', async () => {
    // Prepare
    const server = await serve((req) => answerCollection(req, { ids: [1] }));
    const conn = prettyConnection(server.origin);

    // Act
    await fetchPage(conn, 'posts', 2, recordingDeps().deps, { perPage: 50 });

    // Assess
    const seen = server.requests[0];
    expect(seen?.target.split('?')[0]).toBe('/wp-json/wp/v2/posts');
    expect(queryOf(seen?.target ?? '')).toEqual({
      context: 'edit',
      orderby: 'id',
      order: 'asc',
      status: 'any',
      page: '2',
      per_page: '50',
    });
    const expected = Buffer.from(`${USERNAME}:${APP_PASSWORD}`).toString(
      'base64',
    );
    expect(seen?.headers.authorization).toBe(`Basic ${expected}`);
    expect(seen?.headers.accept).toBe('application/json');
    expect(seen?.headers['user-agent']).toMatch(/^wp-sync\//);
  });

  it('asks media for inherit and private, and terms for no status', async () => {
    // Prepare
    const server = await serve((req) => answerCollection(req, { ids: [1] }));
    const conn = prettyConnection(server.origin);
    const resources: WpResource[] = ['media', 'categories', 'tags', 'pages'];

    // Act
    for (const resource of resources) {
      await fetchPage(conn, resource, 1, recordingDeps().deps);
    }

    // Assess
    const statuses = server.requests.map((req) => queryOf(req.target).status);
    expect(statuses).toEqual(['inherit,private', undefined, undefined, 'any']);
  });

  it('clamps per_page to 1–100 before sending', async () => {
    // Prepare
    const server = await serve((req) => answerCollection(req, { ids: [1] }));
    const conn = prettyConnection(server.origin);

    // Act
    const big = await fetchPage(conn, 'posts', 1, undefined, { perPage: 500 });
    const negative = await fetchPage(conn, 'posts', 1, undefined, {
      perPage: -1,
    });

    // Assess
    expect([big.perPage, negative.perPage]).toEqual([100, 1]);
    expect(server.requests.map((req) => queryOf(req.target).per_page)).toEqual([
      '100',
      '1',
    ]);
  });

  it('reads the BOM case byte for byte and warns', async () => {
    // Prepare
    const server = await serve(inTurn(BOM_PREFIX));

    // Act
    const page = await fetchPage(
      prettyConnection(server.origin),
      'categories',
      1,
    );

    // Assess
    expect(page.items).toEqual([
      { id: 5, name: 'News', slug: 'news', parent: 0 },
    ]);
    expect(codes(page.warnings)).toContain('WP_BOM_IN_BODY');
    expect(page.totalItems).toBe(1);
  });

  it('reads a page behind two BOMs and a PHP warning', async () => {
    // Prepare: the variant stacks both kinds of noise.
    const variant = BOM_PREFIX.replace(
      '\uFEFF',
      '\uFEFF\uFEFF<br />\n<b>Warning</b>:  Undefined variable $x in ' +
        '<b>/srv/theme/functions.php</b> on line <b>9</b><br />\n',
    );
    const server = await serve(inTurn(variant));

    // Act
    const page = await fetchPage(
      prettyConnection(server.origin),
      'categories',
      1,
    );

    // Assess
    expect(page.items.map((item) => item.id)).toEqual([5]);
    expect(codes(page.warnings)).toEqual([
      'WP_BOM_IN_BODY',
      'WP_PHP_NOTICE_IN_BODY',
    ]);
  });

  it('reads the PHP-notice case and keeps the notice out of the items', async () => {
    // Prepare
    const server = await serve(inTurn(PHP_NOTICE_BEFORE_JSON));

    // Act
    const page = await fetchPage(prettyConnection(server.origin), 'posts', 1);

    // Assess
    expect(page.items.map((item) => item.id)).toEqual([11, 12]);
    expect(JSON.stringify(page.items)).not.toContain('Deprecated');
    expect(codes(page.warnings)).toEqual(['WP_PHP_NOTICE_IN_BODY']);
  });

  it('reads JSON labelled text/html with its totals', async () => {
    // Prepare
    const server = await serve(inTurn(JSON_LABELLED_HTML));

    // Act
    const page = await fetchPage(prettyConnection(server.origin), 'posts', 1);

    // Assess
    expect(page.items.map((item) => item.id)).toEqual([1]);
    expect([page.totalItems, page.totalPages, page.end]).toEqual([1, 1, true]);
    expect(codes(page.warnings)).toEqual(['WP_CONTENT_TYPE_NOT_JSON']);
  });

  it('rejects an HTML page that has no JSON as WP_BAD_RESPONSE', async () => {
    // Prepare: the variant is a real HTML page under the same labels.
    const html = JSON_LABELLED_HTML.replace(
      /\n\n[\s\S]*$/,
      '\n\n<!DOCTYPE html><html><body>Home</body></html>',
    );
    const server = await serve(inTurn(html));

    // Act
    const error = await failure(
      fetchPage(prettyConnection(server.origin), 'posts', 1),
    );

    // Assess
    expect(error.code).toBe('WP_BAD_RESPONSE');
    expect(error.message).toContain('HTML page');
  });

  describe('login problems on lists', () => {
    it('reports edit context refused with 401 as a missing login', async () => {
      // Prepare: WordPress 6.1 with a wrong password or a stripped header.
      const server = await serve(() => ({
        status: 401,
        headers: { 'Content-Type': 'application/json; charset=UTF-8' },
        body: '{"code":"rest_forbidden_context","message":"Sorry, you are not allowed to edit posts in this post type.","data":{"status":401}}',
      }));

      // Act
      const error = await failure(
        fetchPage(prettyConnection(server.origin), 'posts', 1),
      );

      // Assess
      expect(error.code).toBe('WP_AUTH_NOT_RECEIVED_OR_INVALID');
      expect(error.message).toContain('CGIPassAuth On');
    });

    it('keeps a status refused for lack of rights an error', async () => {
      // Prepare: WordPress 6.1's answer to an anonymous status=private.
      const server = await serve(() => ({
        status: 400,
        headers: { 'Content-Type': 'application/json; charset=UTF-8' },
        body: '{"code":"rest_invalid_param","message":"Invalid parameter(s): status","data":{"status":400,"params":{"status":"Status is forbidden."},"details":{"status":{"code":"rest_forbidden_status","message":"Status is forbidden.","data":{"status":401}}}}}',
      }));

      // Act
      const error = await failure(
        fetchPage(prettyConnection(server.origin), 'media', 1),
      );

      // Assess: no second request without the filter.
      expect(error.code).toBe('WP_AUTH_NOT_RECEIVED_OR_INVALID');
      expect(server.requests).toHaveLength(1);
    });

    it('drops a status filter the site does not know, with a warning', async () => {
      // Prepare: a site whose post type has no `private` status.
      const server = await serve((req) =>
        queryOf(req.target).status
          ? {
              status: 400,
              headers: { 'Content-Type': 'application/json' },
              body: '{"code":"rest_invalid_param","message":"Invalid parameter(s): status","data":{"status":400,"params":{"status":"status[1] is not one of inherit, trash."}}}',
            }
          : answerCollection(req, { ids: [1, 2] }),
      );

      // Act
      const page = await fetchPage(prettyConnection(server.origin), 'media', 1);

      // Assess
      expect(page.items.map((item) => item.id)).toEqual([1, 2]);
      expect(codes(page.warnings)).toContain('WP_STATUS_REJECTED');
    });
  });

  describe('page past the last', () => {
    it('ends a post collection on rest_post_invalid_page_number', async () => {
      // Prepare: 150 posts are 2 pages; page 3 gets the case's 400.
      const server = await serve((req) =>
        answerCollection(req, { ids: range(150) }),
      );

      // Act
      const page = await fetchPage(prettyConnection(server.origin), 'posts', 3);

      // Assess
      expect(page.items).toEqual([]);
      expect(page.end).toBe(true);
      expect(codes(page.warnings)).toEqual(['WP_COLLECTION_SHRANK']);
    });

    it('ends a term collection on an empty page', async () => {
      // Prepare: terms answer [] where post types answer 400.
      const server = await serve((req) =>
        answerCollection(req, { ids: range(150), terms: true }),
      );

      // Act
      const page = await fetchPage(prettyConnection(server.origin), 'tags', 3);

      // Assess
      expect(page.items).toEqual([]);
      expect(page.end).toBe(true);
    });

    it('keeps other 400s as errors', async () => {
      // Prepare
      const server = await serve(() => ({
        status: 400,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          code: 'rest_invalid_param',
          message: 'Invalid parameter(s): orderby',
          data: { status: 400, params: { orderby: 'orderby is not one of …' } },
        }),
      }));

      // Act
      const error = await failure(
        fetchPage(prettyConnection(server.origin), 'posts', 2),
      );

      // Assess
      expect(error.code).toBe('WP_BAD_REQUEST');
      expect(error.retryable).toBe(false);
      expect(server.requests).toHaveLength(1);
    });
  });

  describe('per_page rejected', () => {
    it('reads the window in pieces of the bound the site names', async () => {
      // Prepare: the case's message with a lowered maximum of 50.
      const server = await serve((req) =>
        answerCollection(req, { ids: range(250), maxPerPage: 50 }),
      );

      // Act
      const page = await fetchPage(prettyConnection(server.origin), 'posts', 2);

      // Assess: page 2 of 100 is still items 101–200.
      expect(page.items.map((item) => item.id)).toEqual(range(100, 101));
      expect(page.perPage).toBe(100);
      expect(page.end).toBe(false);
      expect(codes(page.warnings)).toContain('WP_PER_PAGE_REJECTED');
      const offsets = server.requests
        .slice(1)
        .map((req) => queryOf(req.target));
      expect(offsets.map((query) => [query.offset, query.per_page])).toEqual([
        ['100', '50'],
        ['150', '50'],
      ]);
    });

    it('falls back to 10 per request when the bound is not named', async () => {
      // Prepare
      const server = await serve((req) =>
        answerCollection(req, {
          ids: range(30),
          maxPerPage: 10,
          perPageReason: 'per_page is too large',
        }),
      );

      // Act
      const page = await fetchPage(prettyConnection(server.origin), 'posts', 1);

      // Assess
      expect(page.items.map((item) => item.id)).toEqual(range(30));
      expect(page.end).toBe(true);
      // The rejected try, three full pieces, and the empty one that ends.
      expect(server.requests).toHaveLength(1 + 3 + 1);
    });

    it('does not repeat the identical rejected request', async () => {
      // Prepare: the case's own message, answered to every request.
      const server = await serve(inTurn(PER_PAGE_REJECTED_400));

      // Act
      const error = await failure(
        fetchPage(prettyConnection(server.origin), 'posts', 1),
      );

      // Assess: one try, one with the fallback, then the error.
      expect(error.code).toBe('WP_BAD_REQUEST');
      expect(
        server.requests.map((req) => queryOf(req.target).per_page),
      ).toEqual(['100', '10']);
    });
  });

  describe('totals missing', () => {
    it('keeps paging while pages are full and warns', async () => {
      // Prepare: the case's 100 tags without totals, then a short page.
      const server = await serve(
        inTurn(tagsWithoutTotals(100), tagsWithoutTotals(7, 201)),
      );
      const conn = prettyConnection(server.origin);

      // Act
      const first = await fetchPage(conn, 'tags', 1);
      const second = await fetchPage(conn, 'tags', 2);

      // Assess
      expect([first.items.length, first.end, first.totalPages]).toEqual([
        100,
        false,
        undefined,
      ]);
      expect(codes(first.warnings)).toEqual(['WP_TOTALS_MISSING']);
      expect([second.items.length, second.end]).toEqual([7, true]);
    });

    it('treats non-numeric totals as missing', async () => {
      // Prepare
      const garbled = tagsWithoutTotals(100).replace(
        'UTF-8\n',
        'UTF-8\nX-WP-Total: many\nX-WP-TotalPages: \n',
      );
      const server = await serve(inTurn(garbled));

      // Act
      const page = await fetchPage(prettyConnection(server.origin), 'tags', 1);

      // Assess
      expect(page.totalItems).toBeUndefined();
      expect(page.end).toBe(false);
      expect(codes(page.warnings)).toEqual(['WP_TOTALS_MISSING']);
    });
  });

  describe('unstable order', () => {
    it('pages in id order so ties cannot duplicate or skip items', async () => {
      // Prepare: without orderby=id the site answers the case's pages.
      const ids = [41, 42, 43, 44];
      const server = await serve((req) => {
        const query = queryOf(req.target);
        if (query.orderby !== 'id' || query.order !== 'asc') {
          const page = Number(query.page) - 1;
          return { raw: messageBytes(UNSTABLE_ORDER_PAGES[page] ?? '') };
        }
        return answerCollection(req, { ids });
      });
      const conn = prettyConnection(server.origin);

      // Act
      const seen: number[] = [];
      for (const page of [1, 2]) {
        const result = await fetchPage(conn, 'pages', page, undefined, {
          perPage: 2,
        });
        seen.push(...result.items.map((item) => item.id));
      }

      // Assess
      expect(seen).toEqual(ids);
    });

    it('warns when a page repeats an id', async () => {
      // Prepare: the case's second page, with 42 twice.
      const server = await serve(() => ({
        status: 200,
        body: '[{"id":42,"menu_order":0},{"id":42,"menu_order":0}]',
        headers: { 'X-WP-Total': '4', 'X-WP-TotalPages': '2' },
      }));

      // Act
      const page = await fetchPage(
        prettyConnection(server.origin),
        'pages',
        2,
        undefined,
        {
          perPage: 2,
        },
      );

      // Assess
      expect(page.items).toHaveLength(2);
      expect(codes(page.warnings)).toContain('WP_DUPLICATE_ITEMS');
    });
  });

  describe('retries', () => {
    it('defers the maintenance 503 at once with its Retry-After', async () => {
      // Prepare: 600 s is longer than the 30 s waited inline.
      const server = await serve(inTurn(MAINTENANCE_503));
      const { deps, sleeps } = recordingDeps();

      // Act
      const error = await failure(
        fetchPage(prettyConnection(server.origin), 'posts', 4, deps),
      );

      // Assess
      expect(error.code).toBe('WP_UNAVAILABLE');
      expect(error.retryable).toBe(true);
      expect(error.retryAfterSeconds).toBe(600);
      expect(sleeps).toEqual([]);
      expect(server.requests).toHaveLength(1);
    });

    it('waits a short Retry-After date, then reads the page', async () => {
      // Prepare: the variant asks for 5 s as an HTTP date.
      const at = new Date(NOW_MS + 5000).toUTCString();
      const short = MAINTENANCE_503.replace(
        'Retry-After: 600',
        `Retry-After: ${at}`,
      );
      const server = await serve(inTurn(short, tagsWithoutTotals(3)));
      const { deps, sleeps } = recordingDeps();

      // Act
      const page = await fetchPage(
        prettyConnection(server.origin),
        'tags',
        1,
        deps,
      );

      // Assess
      expect(sleeps).toEqual([5000]);
      expect(page.attempts).toBe(2);
      expect(page.items).toHaveLength(3);
    });

    it('honours the 429 Retry-After of 30 s', async () => {
      // Prepare
      const server = await serve(inTurn(RATE_LIMIT_429, tagsWithoutTotals(1)));
      const { deps, sleeps } = recordingDeps();

      // Act
      const page = await fetchPage(
        prettyConnection(server.origin),
        'tags',
        1,
        deps,
      );

      // Assess
      expect(sleeps).toEqual([30_000]);
      expect(page.attempts).toBe(2);
      expect(codes(page.warnings)).toContain('WP_RATE_LIMITED');
    });

    it('backs off with jitter on a 429 without Retry-After, then defers', async () => {
      // Prepare
      const bare = RATE_LIMIT_429.replace('Retry-After: 30\n', '');
      const server = await serve(inTurn(bare));
      const { deps, sleeps } = recordingDeps();

      // Act
      const error = await failure(
        fetchPage(prettyConnection(server.origin), 'tags', 1, deps),
      );

      // Assess: random() is 0.5, so each wait is half the doubling ceiling.
      expect(sleeps).toEqual([250, 500, 1000, 2000]);
      expect(server.requests).toHaveLength(5);
      expect(error.code).toBe('WP_RATE_LIMITED');
      expect(error.retryable).toBe(true);
      expect(error.retryAfterSeconds).toBe(60);
      expect(error.context.attempts).toBe(5);
    });

    it('retries resets, cut-off bodies and timeouts', async () => {
      // Prepare
      let calls = 0;
      const server = await serve(() => {
        calls += 1;
        if (calls === 1) return { reset: true };
        if (calls === 2)
          return { status: 200, body: '[{"id":1}', contentLength: 99 };
        if (calls === 3) return { hang: true };
        return { status: 200, body: '[{"id":1}]' };
      });
      const { deps, sleeps } = recordingDeps({
        config: { requestTimeoutMs: 100 },
      });

      // Act
      const page = await fetchPage(
        prettyConnection(server.origin),
        'tags',
        1,
        deps,
      );

      // Assess
      expect(page.attempts).toBe(4);
      expect(sleeps).toHaveLength(3);
      expect(page.items).toEqual([{ id: 1 }]);
    });

    it('does not retry a permanent fault', async () => {
      // Prepare
      const server = await serve(() =>
        rawCase(
          PER_PAGE_REJECTED_400.replace(
            '"params":{"per_page"',
            '"params":{"orderby"',
          ),
        ),
      );
      const { deps, sleeps } = recordingDeps();

      // Act
      await failure(
        fetchPage(prettyConnection(server.origin), 'posts', 1, deps),
      );

      // Assess
      expect(sleeps).toEqual([]);
      expect(server.requests).toHaveLength(1);
    });
  });

  it('never logs the password or the Authorization header', async () => {
    // Prepare
    const server = await serve(inTurn(RATE_LIMIT_429, tagsWithoutTotals(1)));
    const { deps, logged } = recordingDeps();
    const conn: WpConnection = prettyConnection(server.origin);

    // Act
    await fetchPage(conn, 'tags', 1, deps);

    // Assess
    const text = JSON.stringify(logged);
    const token = Buffer.from(`${conn.username}:${conn.appPassword}`).toString(
      'base64',
    );
    expect(logged.length).toBeGreaterThan(0);
    expect(text).not.toContain(conn.appPassword);
    expect(text).not.toContain(token);
    expect(text.toLowerCase()).not.toContain('authorization');
  });

  it('refuses a page past the configured cap', async () => {
    // Act
    const error = await failure(
      fetchPage(prettyConnection('http://127.0.0.1:9'), 'posts', 11, {
        config: { maxPages: 10 },
      }),
    );

    // Assess
    expect(error.code).toBe('WP_BAD_REQUEST');
  });
});
