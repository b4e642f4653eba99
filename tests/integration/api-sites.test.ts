import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalDocumentClient } from '../../local/aws/clients.js';
import { TABLES } from '../../shared/resources.js';
import { FileSecretStore } from '../../shared/secrets/file-secret-store.js';
import { siteSecretRef } from '../../shared/secrets/secret-store.js';
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

const CREDENTIALS = { username: 'editor', appPassword: 'Ab12 Cd34 Ef56 Gh78' };

let api: LocalApi;
const fakes: FakeWordPress[] = [];

beforeAll(async () => {
  api = await startLocalApi();
});

afterAll(async () => {
  await Promise.all(fakes.map((fake) => fake.close()));
  await api?.stop({ removeData: true });
});

async function fakeSite(options: { hang?: boolean } = {}) {
  const fake = await startFakeWordPress({ ...CREDENTIALS, ...options });
  fakes.push(fake);
  return fake;
}

async function register(tenant: string, url: string, appPassword?: string) {
  return api.call(tenant, 'POST', '/api/wordpress/sites', {
    json: {
      url,
      username: CREDENTIALS.username,
      appPassword: appPassword ?? CREDENTIALS.appPassword,
    },
  });
}

function documents() {
  return createLocalDocumentClient(String(api.env.DYNAMODB_ENDPOINT));
}

describe('POST /api/wordpress/sites', () => {
  it('answers 201 for a new site and 200 with the same id again', async () => {
    // Prepare
    const fake = await fakeSite();

    // Act
    const first = await register('tenant-reg', fake.url);
    const second = await register('tenant-reg', fake.url);

    // Assess
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.siteId).toBe(first.body.siteId);
    expect(first.text).not.toContain(CREDENTIALS.appPassword);
  });

  it('answers 422 for a password WordPress refuses and stores nothing', async () => {
    // Prepare
    const fake = await fakeSite();

    // Act
    const answer = await register('tenant-badpw', fake.url, 'wrong');
    const list = await api.call('tenant-badpw', 'GET', '/api/wordpress/sites');

    // Assess
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('WP_AUTH_NOT_RECEIVED_OR_INVALID');
    expect(list.body.sites).toEqual([]);
  });

  it('answers 504 WP_TIMEOUT well within API Gateway’s 30 s for a site that never answers', async () => {
    // Prepare
    const fake = await fakeSite({ hang: true });
    const started = Date.now();

    // Act
    const answer = await register('tenant-slow', fake.url);

    // Assess
    expect(answer.status).toBe(504);
    expect(answer.body.code).toBe('WP_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(25_000);
  });

  it('answers 502 WP_UNREACHABLE for a port nobody listens on', async () => {
    // Prepare: a port that was free a moment ago and is closed again.
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    const { port } = probe.address() as AddressInfo;
    await new Promise((done) => probe.close(done));

    // Act
    const answer = await register('tenant-down', `http://127.0.0.1:${port}/`);

    // Assess
    expect(answer.status).toBe(502);
    expect(answer.body.code).toBe('WP_UNREACHABLE');
  });
});

describe('GET /api/wordpress/sites', () => {
  it('lists the caller’s sites a page at a time', async () => {
    // Prepare
    const sites = [await fakeSite(), await fakeSite(), await fakeSite()];
    for (const site of sites) {
      await register('tenant-list', site.url);
    }

    // Act
    const first = await api.call(
      'tenant-list',
      'GET',
      '/api/wordpress/sites?limit=2',
    );
    const rest = await api.call(
      'tenant-list',
      'GET',
      `/api/wordpress/sites?limit=2&after=${first.body.next}`,
    );

    // Assess
    const listed = [
      ...(first.body.sites as { url: string }[]),
      ...(rest.body.sites as { url: string }[]),
    ].map((site) => site.url);
    expect(listed.sort()).toEqual(sites.map((site) => site.url).sort());
    expect(rest.body.next).toBeUndefined();
  });

  it.each([
    ['limit=0'],
    ['limit=101'],
    ['after=site_nothex'],
    ['tenantId=tenant-reg'],
  ])('answers 400 for the query %s', async (query) => {
    // Act
    const answer = await api.call(
      'tenant-list',
      'GET',
      `/api/wordpress/sites?${query}`,
    );

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
  });
});

describe('PUT /api/wordpress/sites/{siteId}/credentials', () => {
  it('keeps the working credentials when WordPress refuses the new ones', async () => {
    // Prepare
    const fake = await fakeSite();
    const { siteId } = (await register('tenant-creds', fake.url)).body;

    // Act
    const refused = await api.call(
      'tenant-creds',
      'PUT',
      `/api/wordpress/sites/${siteId}/credentials`,
      { json: { username: 'editor', appPassword: 'typo' } },
    );
    const sync = await api.call(
      'tenant-creds',
      'POST',
      '/api/wordpress/sync-all',
      {
        json: { siteId },
      },
    );

    // Assess
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('WP_AUTH_NOT_RECEIVED_OR_INVALID');
    expect(sync.status).toBe(202);
    await waitForSync(api, 'tenant-creds', String(sync.body.syncId));
  });

  it('stores credentials WordPress accepts', async () => {
    // Prepare
    const fake = await fakeSite();
    const registered = (await register('tenant-creds2', fake.url)).body;

    // Act
    const answer = await api.call(
      'tenant-creds2',
      'PUT',
      `/api/wordpress/sites/${registered.siteId}/credentials`,
      { json: CREDENTIALS },
    );

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body.siteId).toBe(registered.siteId);
    expect(String(answer.body.updatedAt) > String(registered.updatedAt)).toBe(
      true,
    );
  });

  it('answers 400 for a field the route does not take', async () => {
    // Prepare
    const fake = await fakeSite();
    const { siteId } = (await register('tenant-creds3', fake.url)).body;

    // Act
    const answer = await api.call(
      'tenant-creds3',
      'PUT',
      `/api/wordpress/sites/${siteId}/credentials`,
      { json: { ...CREDENTIALS, url: 'http://10.0.0.1/' } },
    );

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
  });
});

describe('DELETE /api/wordpress/sites/{siteId}', () => {
  it('purges the items, syncs and secret of the site and answers 204', async () => {
    // Prepare: a finished sync leaves items and sync records behind.
    const fake = await fakeSite();
    const { siteId } = (await register('tenant-del', fake.url)).body;
    const sync = await api.call(
      'tenant-del',
      'POST',
      '/api/wordpress/sync-all',
      {
        json: { siteId },
      },
    );
    const syncId = String(sync.body.syncId);
    await waitForSync(api, 'tenant-del', syncId);
    const dynamo = documents();
    const itemsOf = async () =>
      (
        await dynamo.send(
          new QueryCommand({
            TableName: api.env[TABLES.items.envVar],
            KeyConditionExpression: 'siteId = :site',
            ExpressionAttributeValues: { ':site': siteId },
          }),
        )
      ).Items ?? [];
    const before = await itemsOf();
    const syncs = new SyncStore(dynamo, String(api.env[TABLES.syncs.envVar]));
    const secrets = new FileSecretStore(api.dataDir);
    const ref = siteSecretRef('wp-sync/local', 'tenant-del', String(siteId));

    // Act
    const answer = await api.call(
      'tenant-del',
      'DELETE',
      `/api/wordpress/sites/${siteId}`,
    );
    const after = await api.call(
      'tenant-del',
      'GET',
      `/api/wordpress/sites/${siteId}`,
    );

    // Assess
    expect(before.length).toBeGreaterThan(0);
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    expect(after.status).toBe(404);
    expect(await itemsOf()).toEqual([]);
    expect(await syncs.getSync(syncId)).toBeUndefined();
    await expect(secrets.get(ref)).rejects.toMatchObject({
      code: 'SECRET_NOT_FOUND',
    });
  });

  it('answers 409 SYNC_IN_PROGRESS while a sync holds the site', async () => {
    // Prepare: the lock of a sync whose workers are still busy.
    const fake = await fakeSite();
    const { siteId } = (await register('tenant-del2', fake.url)).body;
    const syncs = new SyncStore(
      documents(),
      String(api.env[TABLES.syncs.envVar]),
    );
    const running = `sync_${'d'.repeat(32)}`;
    await syncs.acquireSiteLock(
      { tenantId: 'tenant-del2', siteId: String(siteId), holder: running },
      new Date(),
    );
    await syncs.createSync({
      syncId: running,
      tenantId: 'tenant-del2',
      siteId: String(siteId),
      correlationId: 'corr-del2',
      now: new Date(),
    });

    // Act
    const answer = await api.call(
      'tenant-del2',
      'DELETE',
      `/api/wordpress/sites/${siteId}`,
    );

    // Assess
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({
      code: 'SYNC_IN_PROGRESS',
      syncId: running,
    });
  });

  it('answers 400 for a body on a route that takes none', async () => {
    // Prepare
    const fake = await fakeSite();
    const { siteId } = (await register('tenant-del3', fake.url)).body;

    // Act
    const answer = await api.call(
      'tenant-del3',
      'DELETE',
      `/api/wordpress/sites/${siteId}`,
      { json: { force: true } },
    );

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
  });
});
