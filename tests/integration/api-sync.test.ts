import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalDocumentClient } from '../../local/aws/clients.js';
import { TABLES } from '../../shared/resources.js';
import { FileSecretStore } from '../../shared/secrets/file-secret-store.js';
import { SiteAccessLoader } from '../../shared/sites/site-access.js';
import { SiteStore } from '../../shared/sites/site-store.js';
import type { Dispatcher } from '../../shared/sync/dispatch.js';
import { startSync } from '../../shared/sync/start-sync.js';
import { SyncStore } from '../../shared/sync/sync-store.js';
import {
  type FakeWordPress,
  startFakeWordPress,
} from '../security/support/fake-wordpress.js';
import {
  type LocalApi,
  startLocalApi,
  waitForSync,
} from '../security/support/local-api.js';

const CREDENTIALS = { username: 'editor', appPassword: 'Zx98 Yw76 Vu54 Ts32' };

let api: LocalApi;
let fake: FakeWordPress;

beforeAll(async () => {
  api = await startLocalApi();
  fake = await startFakeWordPress(CREDENTIALS);
});

afterAll(async () => {
  await fake?.close();
  await api?.stop({ removeData: true });
});

async function siteOf(tenant: string): Promise<string> {
  const answer = await api.call(tenant, 'POST', '/api/wordpress/sites', {
    json: { url: fake.url, ...CREDENTIALS },
  });
  return String(answer.body.siteId);
}

function startAs(tenant: string, siteId: string) {
  return api.call(tenant, 'POST', '/api/wordpress/sync-all', {
    json: { siteId },
  });
}

function cancelAs(tenant: string, syncId: string) {
  return api.call(tenant, 'POST', `/api/wordpress/sync/${syncId}/cancel`);
}

describe('POST /api/wordpress/sync-all', () => {
  it('answers 409 SYNC_IN_PROGRESS with the running syncId', async () => {
    // Prepare
    const siteId = await siteOf('tenant-409');
    const first = await startAs('tenant-409', siteId);

    // Act
    const second = await startAs('tenant-409', siteId);

    // Assess
    expect(first.status).toBe(202);
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({
      code: 'SYNC_IN_PROGRESS',
      syncId: first.body.syncId,
    });
    await waitForSync(api, 'tenant-409', String(first.body.syncId));
  });

  it('starts again once the sync finished and released the site', async () => {
    // Prepare
    const siteId = await siteOf('tenant-again');
    const first = await startAs('tenant-again', siteId);
    await waitForSync(api, 'tenant-again', String(first.body.syncId));

    // Act
    const second = await startAs('tenant-again', siteId);

    // Assess
    expect(second.status).toBe(202);
    expect(second.body.syncId).not.toBe(first.body.syncId);
    await waitForSync(api, 'tenant-again', String(second.body.syncId));
  });

  it('lets exactly one of many racing starts through', async () => {
    // Prepare: straight at the domain, since the local API serves one
    // request per handler at a time and so never races.
    const tenantId = 'tenant-race';
    const siteId = await siteOf(tenantId);
    const dynamo = createLocalDocumentClient(String(api.env.DYNAMODB_ENDPOINT));
    const sites = new SiteStore(dynamo, String(api.env[TABLES.sites.envVar]));
    const syncs = new SyncStore(dynamo, String(api.env[TABLES.syncs.envVar]));
    const sent: unknown[] = [];
    const dispatcher = {
      sendPages: async (messages: unknown[]) => sent.push(...messages),
    } as unknown as Dispatcher;
    const racers = 8;
    const silent = { info: () => undefined } as never;

    // Act
    const outcomes = await Promise.allSettled(
      Array.from({ length: racers }, (_, index) =>
        startSync(
          { tenantId, siteId, correlationId: `race-${index}` },
          {
            sites: new SiteAccessLoader(
              sites,
              new FileSecretStore(api.dataDir),
            ),
            syncs,
            dispatcher,
            log: silent,
          },
        ),
      ),
    );

    // Assess
    const started = outcomes.filter(
      (outcome) => outcome.status === 'fulfilled',
    );
    const refused = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [outcome.reason] : [],
    );
    expect(started).toHaveLength(1);
    expect(refused).toHaveLength(racers - 1);
    const winner = (started[0] as PromiseFulfilledResult<{ syncId: string }>)
      .value.syncId;
    for (const error of refused) {
      expect(error).toMatchObject({
        code: 'SYNC_IN_PROGRESS',
        context: { syncId: winner },
      });
    }
    expect(await cancelAs(tenantId, winner)).toMatchObject({ status: 200 });
  });
});

describe('a lock left behind', () => {
  function store(): SyncStore {
    return new SyncStore(
      createLocalDocumentClient(String(api.env.DYNAMODB_ENDPOINT)),
      String(api.env[TABLES.syncs.envVar]),
    );
  }

  it('is taken over when its sync finished without releasing it', async () => {
    // Prepare: a finished sync that still holds the site.
    const tenantId = 'tenant-stale';
    const siteId = await siteOf(tenantId);
    const syncs = store();
    const holder = `sync_${'e'.repeat(32)}`;
    const now = new Date();
    await syncs.createSync({
      syncId: holder,
      tenantId,
      siteId,
      correlationId: 'stale',
      now,
    });
    await syncs.finishSync(holder, 'completed', {}, now);
    await syncs.acquireSiteLock({ tenantId, siteId, holder }, now);

    // Act
    const answer = await startAs(tenantId, siteId);

    // Assess
    expect(answer.status).toBe(202);
    await waitForSync(api, tenantId, String(answer.body.syncId));
  });

  it('keeps the site while a sync that is not written yet is young', async () => {
    // Prepare: a start that took the lock a moment ago.
    const tenantId = 'tenant-unborn';
    const siteId = await siteOf(tenantId);
    const holder = `sync_${'f'.repeat(32)}`;
    await store().acquireSiteLock({ tenantId, siteId, holder }, new Date());

    // Act
    const answer = await startAs(tenantId, siteId);

    // Assess
    expect(answer.status).toBe(409);
    expect(answer.body.syncId).toBe(holder);
  });

  it('is taken over when its sync never came to exist', async () => {
    // Prepare: a start that died after taking the lock, an hour ago.
    const tenantId = 'tenant-dead';
    const siteId = await siteOf(tenantId);
    const holder = `sync_${'c'.repeat(32)}`;
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await store().acquireSiteLock({ tenantId, siteId, holder }, anHourAgo);

    // Act
    const answer = await startAs(tenantId, siteId);

    // Assess
    expect(answer.status).toBe(202);
    await waitForSync(api, tenantId, String(answer.body.syncId));
  });
});

describe('POST /api/wordpress/sync/{syncId}/cancel', () => {
  it('closes the sync as failed with SYNC_CANCELLED and frees the site', async () => {
    // Prepare
    const siteId = await siteOf('tenant-cancel');
    const { syncId } = (await startAs('tenant-cancel', siteId)).body;

    // Act
    const cancelled = await cancelAs('tenant-cancel', String(syncId));
    const report = await api.call(
      'tenant-cancel',
      'GET',
      `/api/wordpress/sync/${syncId}`,
    );
    const next = await startAs('tenant-cancel', siteId);

    // Assess
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({
      syncId,
      status: 'failed',
      error: { code: 'SYNC_CANCELLED' },
    });
    expect(report.body).toMatchObject({
      status: 'failed',
      error: { code: 'SYNC_CANCELLED' },
      finishedAt: cancelled.body.finishedAt,
    });
    expect(next.status).toBe(202);
    await cancelAs('tenant-cancel', String(next.body.syncId));
  });

  it('answers a repeated cancel with the same closed sync', async () => {
    // Prepare
    const siteId = await siteOf('tenant-cancel2');
    const { syncId } = (await startAs('tenant-cancel2', siteId)).body;
    const first = await cancelAs('tenant-cancel2', String(syncId));

    // Act
    const again = await cancelAs('tenant-cancel2', String(syncId));

    // Assess
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
  });

  it('answers 409 SYNC_ALREADY_FINISHED for a sync that completed', async () => {
    // Prepare
    const siteId = await siteOf('tenant-cancel3');
    const { syncId } = (await startAs('tenant-cancel3', siteId)).body;
    const report = await waitForSync(api, 'tenant-cancel3', String(syncId));

    // Act
    const answer = await cancelAs('tenant-cancel3', String(syncId));

    // Assess
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({
      code: 'SYNC_ALREADY_FINISHED',
      syncId,
      status: report.status,
    });
  });

  it('answers another tenant the 404 of a random id', async () => {
    // Prepare
    const siteId = await siteOf('tenant-owner');
    const { syncId } = (await startAs('tenant-owner', siteId)).body;
    const random = `sync_${'0'.repeat(32)}`;

    // Act
    const foreign = await cancelAs('tenant-intruder', String(syncId));
    const unknown = await cancelAs('tenant-intruder', random);
    const still = await api.call(
      'tenant-owner',
      'GET',
      `/api/wordpress/sync/${syncId}`,
    );

    // Assess
    expect(foreign.status).toBe(404);
    expect(foreign.text).toBe(unknown.text);
    expect(still.body.error).toBeUndefined();
    await cancelAs('tenant-owner', String(syncId));
  });
});
