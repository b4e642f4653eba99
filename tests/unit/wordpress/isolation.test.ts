import { afterEach, describe, expect, it } from 'vitest';
import { WordPressError } from '../../../shared/errors.js';
import {
  fetchItemsByIds,
  fetchPage,
  fetchPageIsolatingFailures,
} from '../../../shared/wordpress/client.js';
import {
  type Handler,
  type ReplayServer,
  startReplayServer,
} from '../http/support/replay-server.js';
import { MAINTENANCE_503 } from './support/cases.js';
import { prettyConnection, queryOf, recordingDeps } from './support/deps.js';
import {
  answerCollection,
  type FakeCollectionOptions,
  range,
  rawCase,
} from './support/fake-collection.js';

const servers: ReplayServer[] = [];

async function serve(handler: Handler): Promise<ReplayServer> {
  const server = await startReplayServer(handler);
  servers.push(server);
  return server;
}

async function collection(options: FakeCollectionOptions) {
  return serve((req) => answerCollection(req, options));
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('fetchPage', () => {
  it('retries a 500 once, then throws it as retryable', async () => {
    // Prepare: the case — one post on page 1 fatals while rendering.
    const server = await collection({ ids: range(10), failingIds: [7] });
    const { deps, sleeps } = recordingDeps();

    // Act
    const error = await fetchPage(
      prettyConnection(server.origin),
      'posts',
      1,
      deps,
    ).then(
      () => {
        throw new Error('expected a failure');
      },
      (thrown: unknown) => thrown as WordPressError,
    );

    // Assess
    expect(error).toBeInstanceOf(WordPressError);
    expect([error.code, error.status, error.retryable]).toEqual([
      'WP_UNAVAILABLE',
      500,
      true,
    ]);
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
  });
});

describe('fetchItemsByIds', () => {
  it('asks with include= and names the ids that did not come back', async () => {
    // Prepare
    const server = await collection({ ids: [3, 5, 8] });

    // Act
    const result = await fetchItemsByIds(
      prettyConnection(server.origin),
      'posts',
      [8, 3, 4],
    );

    // Assess
    expect(result.items.map((item) => item.id)).toEqual([3, 8]);
    expect(result.missingIds).toEqual([4]);
    const query = queryOf(server.requests[0]?.target ?? '');
    expect(query.include).toBe('8,3,4');
    expect(query.per_page).toBe('3');
    expect(query.status).toBe('any');
  });

  it('splits more than 100 ids into several requests', async () => {
    // Prepare
    const ids = range(150);
    const server = await collection({ ids });

    // Act
    const result = await fetchItemsByIds(
      prettyConnection(server.origin),
      'posts',
      ids,
    );

    // Assess
    expect(result.items).toHaveLength(150);
    expect(server.requests.map((req) => queryOf(req.target).per_page)).toEqual([
      '100',
      '50',
    ]);
  });
});

describe('fetchPageIsolatingFailures', () => {
  it('returns the page as fetchPage does when nothing fails', async () => {
    // Prepare
    const server = await collection({ ids: range(5) });

    // Act
    const page = await fetchPageIsolatingFailures(
      prettyConnection(server.origin),
      'posts',
      1,
    );

    // Assess
    expect(page.items.map((item) => item.id)).toEqual(range(5));
    expect(page.failures).toEqual([]);
  });

  it('copies every item but the one that fails and names it by id', async () => {
    // Prepare: the case — page 1 of 10 posts, post 7 fatals.
    const server = await collection({ ids: range(10), failingIds: [7] });
    const { deps } = recordingDeps();

    // Act
    const page = await fetchPageIsolatingFailures(
      prettyConnection(server.origin),
      'posts',
      1,
      deps,
    );

    // Assess
    expect(page.items.map((item) => item.id)).toEqual(
      range(10).filter((id) => id !== 7),
    );
    expect(page.failures).toEqual([
      expect.objectContaining({
        id: 7,
        position: 6,
        code: 'WP_ITEM_RENDER_FAILED',
      }),
    ]);
    expect(page.warnings.map((warning) => warning.code)).toContain(
      'WP_ITEM_RENDER_FAILED',
    );
    expect(page.failures[0]?.message).toContain('critical error');
    expect(page.end).toBe(true);
    expect(page.attempts).toBe(server.requests.length);
    const listing = server.requests.find((req) => queryOf(req.target)._fields);
    expect(queryOf(listing?.target ?? '')._fields).toBe('id');
  });

  it('isolates two failing items on a later page', async () => {
    // Prepare: the variant has two bad posts on page 2 of 4 per page.
    const server = await collection({ ids: range(12), failingIds: [5, 8] });

    // Act
    const page = await fetchPageIsolatingFailures(
      prettyConnection(server.origin),
      'posts',
      2,
      recordingDeps().deps,
      { perPage: 4 },
    );

    // Assess
    expect(page.items.map((item) => item.id)).toEqual([6, 7]);
    expect(
      page.failures.map((failure) => [failure.id, failure.position]),
    ).toEqual([
      [5, 4],
      [8, 7],
    ]);
    expect(page.end).toBe(false);
  });

  it('falls back to offsets and positions when ids cannot be listed', async () => {
    // Prepare: even `_fields=id` fails, so only positions can be named.
    const server = await collection({
      ids: range(6),
      failingIds: [4],
      failIdListing: true,
    });

    // Act
    const page = await fetchPageIsolatingFailures(
      prettyConnection(server.origin),
      'posts',
      1,
      recordingDeps().deps,
      { perPage: 6 },
    );

    // Assess
    expect(page.items.map((item) => item.id)).toEqual([1, 2, 3, 5, 6]);
    expect(page.failures).toEqual([
      expect.objectContaining({ id: undefined, position: 3 }),
    ]);
    const offsets = server.requests.map((req) => queryOf(req.target).offset);
    expect(offsets).toContain('3');
  });

  it('does not bisect a site in maintenance', async () => {
    // Prepare: a 503 is the site, not an item.
    const server = await serve(() => rawCase(MAINTENANCE_503));

    // Act
    const error = await fetchPageIsolatingFailures(
      prettyConnection(server.origin),
      'posts',
      1,
      recordingDeps().deps,
    ).then(
      () => {
        throw new Error('expected a failure');
      },
      (thrown: unknown) => thrown as WordPressError,
    );

    // Assess
    expect(error.code).toBe('WP_UNAVAILABLE');
    expect(error.retryAfterSeconds).toBe(600);
    expect(server.requests).toHaveLength(1);
  });
});
