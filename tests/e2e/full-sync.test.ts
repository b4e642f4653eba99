/**
 * The product's main promise, against a real WordPress: a full sync through
 * the CLI, the API, the queues and every worker leaves the store holding
 * exactly what the REST API lists, a second run changes nothing, and edits
 * come through as exactly those updates.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRuntime } from '../../local/runtime/connect.js';
import { dataPaths } from '../../local/runtime/paths.js';
import { issueToken, tokenKey } from '../../local/runtime/tokens.js';
import type { SyncReport } from '../../shared/sync/report.js';
import { runCli } from '../support/cli.js';
import {
  ensureWordPress,
  listWordPressItems,
  runWordPressEdit,
  type WordPressCollection,
  type WordPressConnection,
} from '../support/wordpress.js';

const PROFILE = (process.env.WP_E2E_PROFILE ?? 'full') as 'full' | 'small';

const TYPE_OF: Record<string, WordPressCollection> = {
  category: 'categories',
  tag: 'tags',
  media: 'media',
  page: 'pages',
  post: 'posts',
};

let wp: WordPressConnection | undefined;
let skipReason = '';
let dir: string;
const env = () => ({
  WP_SYNC_DATA_DIR: dir,
  WP_APP_PASSWORD: wp?.appPassword ?? '',
});

beforeAll(async () => {
  const found = await ensureWordPress({ profile: PROFILE });
  if ('skipped' in found) {
    skipReason = found.skipped;
    console.warn(`end-to-end sync skipped: ${skipReason}`);
    return;
  }
  wp = found;
  dir = await mkdtemp(join(tmpdir(), 'wp-sync-e2e-'));
}, 900_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function sync(): Promise<SyncReport> {
  if (!wp) throw new Error('no WordPress');
  const run = await runCli(
    'sync',
    ['--url', wp.url, '--user', wp.username, '--json'],
    env(),
  );
  if (run.code !== 0) {
    throw new Error(`sync exited ${run.code}: ${run.stderr.slice(-2000)}`);
  }
  return JSON.parse(run.stdout) as SyncReport;
}

async function exported(): Promise<Record<string, unknown>[]> {
  if (!wp) throw new Error('no WordPress');
  const run = await runCli('export', ['--url', wp.url], env());
  expect(run.code).toBe(0);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

/** What the REST API lists, reduced to what the store must match. */
async function truth(): Promise<Map<string, Record<string, unknown>>> {
  if (!wp) throw new Error('no WordPress');
  const rows = new Map<string, Record<string, unknown>>();
  for (const [type, collection] of Object.entries(TYPE_OF)) {
    for (const item of await listWordPressItems(wp, collection)) {
      const modified = item.modified_gmt;
      rows.set(`${type}#${item.id}`, {
        slug: item.slug,
        status: (item.status as string | undefined) ?? null,
        modifiedGmt: typeof modified === 'string' ? `${modified}Z` : null,
      });
    }
  }
  return rows;
}

function byKey(items: Record<string, unknown>[]) {
  return new Map(
    items.map((item) => [
      `${item.type}#${item.wpId}`,
      { slug: item.slug, status: item.status, modifiedGmt: item.modifiedGmt },
    ]),
  );
}

describe(`a full sync of the ${PROFILE} WordPress`, () => {
  let first: SyncReport;

  it('copies exactly what the REST API lists', async (context) => {
    if (!wp) return context.skip(skipReason);

    // Act
    first = await sync();
    const stored = byKey(await exported());
    const expected = await truth();

    // Assess
    expect(first.status).toBe('completed');
    expect(first.totals.failed).toBe(0);
    expect(first.totals.created).toBe(expected.size);
    expect(stored.size).toBe(expected.size);
    expect(Object.fromEntries(stored)).toEqual(Object.fromEntries(expected));
    const published = [...expected].filter(
      ([key, item]) =>
        (key.startsWith('post#') || key.startsWith('page#')) &&
        item.status === 'publish',
    );
    expect(first.embeddings.queued).toBe(published.length);
  }, 900_000);

  it('carries the correlation id on every log line of the work', async (context) => {
    if (!wp) return context.skip(skipReason);

    const lines = (await readFile(dataPaths(dir).logFile, 'utf8'))
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const work = lines.filter(
      (line) =>
        String(line.service ?? '').match(/^wp-sync-(api|\w+-worker)$/) ||
        '_aws' in line,
    );
    const ofFirst = work.filter(
      (line) => line.correlationId === first.correlationId,
    );

    expect(work.filter((line) => !line.correlationId)).toEqual([]);
    for (const job of ['terms', 'media', 'pages', 'posts']) {
      expect(
        ofFirst.some((line) => line.service === `wp-sync-${job}-worker`),
      ).toBe(true);
    }
    expect(ofFirst.some((line) => line.service === 'wp-sync-api')).toBe(true);
  });

  it('changes nothing when run again', async (context) => {
    if (!wp) return context.skip(skipReason);
    const before = await exported();

    const second = await sync();
    const after = await exported();

    expect(second.status).toBe('completed');
    expect(second.totals).toEqual({
      created: 0,
      updated: 0,
      skipped: before.length,
      failed: 0,
    });
    expect(second.embeddings.queued).toBe(0);
    // No item was written: every stored record, bookkeeping included, is
    // byte for byte what the first run left.
    expect(after).toEqual(before);
  }, 900_000);

  it('reports exactly the edits made in WordPress', async (context) => {
    if (!wp) return context.skip(skipReason);

    // Prepare
    const edit = await runWordPressEdit(PROFILE);
    const count = (type: string) =>
      edit.changed.filter((change) => change.type === type).length;

    // Act
    const third = await sync();
    const stored = byKey(await exported());

    // Assess
    expect(third.jobs.posts.updated).toBe(count('post'));
    expect(third.jobs.pages.updated).toBe(count('page'));
    expect(third.jobs.terms.updated).toBe(count('category'));
    expect(third.totals.created).toBe(0);
    expect(third.embeddings.queued).toBe(count('post') + count('page'));
    expect(Object.fromEntries(stored)).toEqual(
      Object.fromEntries(await truth()),
    );
  }, 900_000);

  it("answers another tenant's read of a sync like a random id", async (context) => {
    if (!wp) return context.skip(skipReason);
    const runtime = await connectRuntime(dir);
    try {
      const key = await tokenKey(dataPaths(dir).tokenKey);
      const stranger = await issueToken(key, 'another-tenant');
      const get = async (syncId: string) => {
        const answer = await fetch(
          `${runtime.info.apiUrl}/api/wordpress/sync/${syncId}`,
          {
            headers: { authorization: `Bearer ${stranger}` },
          },
        );
        return { status: answer.status, body: await answer.json() };
      };

      const theirs = await get(first.syncId);
      const random = await get(`sync_${'0'.repeat(32)}`);

      expect(theirs.status).toBe(404);
      expect(theirs).toEqual(random);
    } finally {
      await runtime.release();
    }
  });
});
