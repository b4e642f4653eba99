import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeWordPress,
  startFakeWordPress,
} from '../security/support/fake-wordpress.js';
import {
  type LocalApi,
  startLocalApi,
  waitForSync,
} from '../security/support/local-api.js';

const CREDENTIALS = { username: 'editor', appPassword: 'Qr12 St34 Uv56 Wx78' };

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

function register(tenant: string, key: string, body: unknown) {
  return api.call(tenant, 'POST', '/api/wordpress/sites', {
    json: body,
    headers: { 'idempotency-key': key },
  });
}

const site = () => ({ url: fake.url, ...CREDENTIALS });

describe('Idempotency-Key', () => {
  it('answers a retried POST with the first status and body', async () => {
    // Prepare
    const first = await register('tenant-idem', 'key-1', site());

    // Act
    const retry = await register('tenant-idem', 'key-1', site());

    // Assess
    expect(first.status).toBe(201);
    expect(retry.status).toBe(first.status);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  it('answers a retried sync-all with the first sync, not a 409', async () => {
    // Prepare
    const { siteId } = (await register('tenant-idem2', 'reg', site())).body;
    const start = () =>
      api.call('tenant-idem2', 'POST', '/api/wordpress/sync-all', {
        json: { siteId },
        headers: { 'idempotency-key': 'start-1' },
      });
    const first = await start();

    // Act
    const retry = await start();

    // Assess
    expect(first.status).toBe(202);
    expect(retry.status).toBe(202);
    expect(retry.body.syncId).toBe(first.body.syncId);
    await waitForSync(api, 'tenant-idem2', String(first.body.syncId));
  });

  it('answers 422 IDEMPOTENCY_KEY_REUSED for the key with another body', async () => {
    // Prepare
    await register('tenant-idem3', 'key-3', site());

    // Act
    const answer = await register('tenant-idem3', 'key-3', {
      ...site(),
      username: 'someone-else',
    });

    // Assess
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('treats the same JSON in another key order as the same body', async () => {
    // Prepare
    const first = await register('tenant-idem4', 'key-4', site());
    const reordered = Object.fromEntries(Object.entries(site()).reverse());

    // Act
    const retry = await register('tenant-idem4', 'key-4', reordered);

    // Assess
    expect(retry.status).toBe(first.status);
    expect(retry.text).toBe(first.text);
  });

  it('keeps two tenants’ equal keys apart', async () => {
    // Prepare
    const mine = await register('tenant-a-idem', 'shared-key', site());

    // Act
    const theirs = await register('tenant-b-idem', 'shared-key', site());

    // Assess
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.body.siteId).not.toBe(mine.body.siteId);
  });

  it('keeps one key on two routes apart', async () => {
    // Prepare
    const { siteId } = (await register('tenant-idem5', 'same', site())).body;

    // Act
    const start = await api.call(
      'tenant-idem5',
      'POST',
      '/api/wordpress/sync-all',
      {
        json: { siteId },
        headers: { 'idempotency-key': 'same' },
      },
    );

    // Assess
    expect(start.status).toBe(202);
    await waitForSync(api, 'tenant-idem5', String(start.body.syncId));
  });

  it('runs a request again after its first try was refused', async () => {
    // Prepare: nothing is stored for a refusal, so a fixed retry can pass.
    const refused = await register('tenant-idem6', 'key-6', {
      ...site(),
      appPassword: 'wrong',
    });

    // Act
    const retry = await register('tenant-idem6', 'key-6', {
      ...site(),
      appPassword: 'wrong',
    });

    // Assess
    expect(refused.status).toBe(422);
    expect(retry.status).toBe(422);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });

  it.each([
    ['an empty key', ''],
    ['a key of 256 characters', 'k'.repeat(256)],
    ['a key with a space', 'two words'],
  ])('answers 400 IDEMPOTENCY_KEY_INVALID for %s', async (_case, key) => {
    // Act
    const answer = await register('tenant-idem7', key, site());

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('IDEMPOTENCY_KEY_INVALID');
  });
});
