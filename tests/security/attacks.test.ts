/**
 * Attacks on the real local API and on registration under the non-local
 * SSRF policy. Every attack must be refused with its exact code and no
 * 5xx, and every attack has a positive control, the same request done
 * right, that must succeed: a suite that refuses everything fails.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalDocumentClient } from '../../local/aws/clients.js';
import {
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  LOCAL_TENANT,
} from '../../local/runtime/tokens.js';
import { errorAnswer } from '../../shared/api/http.js';
import { withinApiBudget } from '../../shared/api/wordpress-budget.js';
import type {
  Connector,
  ConnectTarget,
  LookupFunction,
} from '../../shared/http/outbound.js';
import { guardedHttpOptions } from '../../shared/http/ssrf-guard.js';
import { TABLES } from '../../shared/resources.js';
import { FileSecretStore } from '../../shared/secrets/file-secret-store.js';
import { registerSite } from '../../shared/sites/register-site.js';
import { SiteStore } from '../../shared/sites/site-store.js';
import { SyncStore } from '../../shared/sync/sync-store.js';
import { runCli } from '../support/cli.js';
import {
  type FakeWordPress,
  startFakeWordPress,
} from './support/fake-wordpress.js';
import {
  type Answer,
  type LocalApi,
  startLocalApi,
} from './support/local-api.js';

const CREDENTIALS = { username: 'editor', appPassword: 'Mn12 Op34 Qr56 St78' };
const OWNER = 'tenant-owner';
const INTRUDER = 'tenant-intruder';
const RANDOM_SITE = `site_${'0'.repeat(24)}`;
const RANDOM_SYNC = `sync_${'0'.repeat(32)}`;
/** A public address the injected resolver may answer; nothing dials it. */
const PUBLIC_ADDRESS = '93.184.216.34';

/** One refusal the suite saw, for the closing tally. */
interface Outcome {
  readonly attack: string;
  readonly status: number;
  readonly code: string;
  readonly expected: string;
  readonly controlSucceeded: boolean;
}

const outcomes: Outcome[] = [];

function record(
  attack: string,
  refusal: { status: number; code: string },
  expected: string,
  controlSucceeded: boolean,
): void {
  outcomes.push({ attack, ...refusal, expected, controlSucceeded });
}

function codeOf(answer: Answer): string {
  return String(answer.body.code ?? '');
}

let api: LocalApi;
let fake: FakeWordPress;
const extraSites: FakeWordPress[] = [];
let siteId: string;
let syncId: string;

beforeAll(async () => {
  api = await startLocalApi();
  fake = await startFakeWordPress(CREDENTIALS);
  const site = await api.call(OWNER, 'POST', '/api/wordpress/sites', {
    json: { url: fake.url, ...CREDENTIALS },
  });
  siteId = String(site.body.siteId);
  const sync = await api.call(OWNER, 'POST', '/api/wordpress/sync-all', {
    json: { siteId },
  });
  syncId = String(sync.body.syncId);
});

afterAll(async () => {
  await Promise.all(extraSites.map((site) => site.close()));
  await fake?.close();
  await api?.stop({ removeData: true });
});

describe('another tenant’s ids', () => {
  /** A site of the owner's own, for a case that changes or deletes it. */
  async function ownSite(): Promise<string> {
    const site = await startFakeWordPress(CREDENTIALS);
    extraSites.push(site);
    const answer = await api.call(OWNER, 'POST', '/api/wordpress/sites', {
      json: { url: site.url, ...CREDENTIALS },
    });
    return String(answer.body.siteId);
  }

  /** A sync of the owner's that stays running: no worker ever sees it. */
  async function runningSync(): Promise<string> {
    const id = await ownSite();
    const running = `sync_${randomBytes(16).toString('hex')}`;
    const syncs = new SyncStore(
      createLocalDocumentClient(String(api.env.DYNAMODB_ENDPOINT)),
      String(api.env[TABLES.syncs.envVar]),
    );
    const lock = { tenantId: OWNER, siteId: id, holder: running };
    await syncs.acquireSiteLock(lock, new Date());
    await syncs.createSync({
      syncId: running,
      tenantId: OWNER,
      siteId: id,
      correlationId: 'attack-running',
      now: new Date(),
    });
    return running;
  }

  const cases = [
    {
      name: 'reads the site',
      prepare: async () => siteId,
      send: (tenant: string, id: string) =>
        api.call(tenant, 'GET', `/api/wordpress/sites/${id}`),
      random: RANDOM_SITE,
      code: 'SITE_NOT_FOUND',
      ok: 200,
    },
    {
      name: 'updates the credentials',
      prepare: async () => siteId,
      send: (tenant: string, id: string) =>
        api.call(tenant, 'PUT', `/api/wordpress/sites/${id}/credentials`, {
          json: CREDENTIALS,
        }),
      random: RANDOM_SITE,
      code: 'SITE_NOT_FOUND',
      ok: 200,
    },
    {
      name: 'starts a sync',
      prepare: ownSite,
      send: (tenant: string, id: string) =>
        api.call(tenant, 'POST', '/api/wordpress/sync-all', {
          json: { siteId: id },
        }),
      random: RANDOM_SITE,
      code: 'SITE_NOT_FOUND',
      ok: 202,
    },
    {
      name: 'reads the sync report',
      prepare: async () => syncId,
      send: (tenant: string, id: string) =>
        api.call(tenant, 'GET', `/api/wordpress/sync/${id}`),
      random: RANDOM_SYNC,
      code: 'SYNC_NOT_FOUND',
      ok: 200,
    },
    {
      name: 'cancels the sync',
      prepare: runningSync,
      send: (tenant: string, id: string) =>
        api.call(tenant, 'POST', `/api/wordpress/sync/${id}/cancel`),
      random: RANDOM_SYNC,
      code: 'SYNC_NOT_FOUND',
      ok: 200,
    },
    {
      name: 'deletes the site',
      prepare: ownSite,
      send: (tenant: string, id: string) =>
        api.call(tenant, 'DELETE', `/api/wordpress/sites/${id}`),
      random: RANDOM_SITE,
      code: 'SITE_NOT_FOUND',
      ok: 204,
    },
  ];

  it.each(cases)(
    'answers an intruder who $name the 404 of a random id',
    async ({ name, prepare, send, random, code, ok }) => {
      // Prepare
      const real = await prepare();

      // Act
      const withReal = await send(INTRUDER, real);
      const withRandom = await send(INTRUDER, random);
      const byOwner = await send(OWNER, real);

      // Assess
      expect(withReal.status).toBe(404);
      expect(codeOf(withReal)).toBe(code);
      expect(withReal.text).toBe(withRandom.text);
      expect(byOwner.status).toBe(ok);
      record(
        `intruder ${name}`,
        { status: withReal.status, code: codeOf(withReal) },
        code,
        byOwner.status === ok,
      );
    },
  );

  it('does not list another tenant’s sites', async () => {
    // Act
    const intruder = await api.call(INTRUDER, 'GET', '/api/wordpress/sites');
    const owner = await api.call(OWNER, 'GET', '/api/wordpress/sites');

    // Assess
    expect(intruder.body.sites).toEqual([]);
    expect(owner.body.sites).toContainEqual(
      expect.objectContaining({ siteId }),
    );
  });

  it('ignores a tenant named in a header and refuses one in the body', async () => {
    // Act
    const header = await api.call(
      INTRUDER,
      'GET',
      `/api/wordpress/sites/${siteId}`,
      {
        headers: { 'x-tenant-id': OWNER, tenantid: OWNER },
      },
    );
    const body = await api.call(INTRUDER, 'POST', '/api/wordpress/sync-all', {
      json: { siteId, tenantId: OWNER },
    });
    const control = await api.call(
      OWNER,
      'GET',
      `/api/wordpress/sites/${siteId}`,
    );

    // Assess
    expect(header.status).toBe(404);
    expect(codeOf(header)).toBe('SITE_NOT_FOUND');
    expect(body.status).toBe(400);
    expect(codeOf(body)).toBe('VALIDATION_FAILED');
    expect(control.status).toBe(200);
    record(
      'tenant in a header',
      { status: header.status, code: codeOf(header) },
      'SITE_NOT_FOUND',
      control.status === 200,
    );
    record(
      'tenant in the body',
      { status: body.status, code: codeOf(body) },
      'VALIDATION_FAILED',
      control.status === 200,
    );
  });
});

describe('tokens', () => {
  const claims = { tenantId: OWNER };
  const base64url = (value: unknown) =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = () => Math.floor(Date.now() / 1000);
  const signed = (key: Uint8Array, build: (jwt: SignJWT) => SignJWT) =>
    build(
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setSubject(OWNER)
        .setIssuedAt(),
    ).sign(key);

  const cases: { name: string; token: () => Promise<string | null> }[] = [
    { name: 'no token', token: async () => null },
    {
      name: 'a token signed with another key',
      token: async () =>
        `Bearer ${await signed(randomBytes(32), (jwt) => jwt.setExpirationTime('1h'))}`,
    },
    {
      name: 'an expired token',
      token: async () =>
        `Bearer ${await signed(api.key, (jwt) => jwt.setExpirationTime(now() - 60))}`,
    },
    {
      name: 'an unsigned token (alg none)',
      token: async () =>
        `Bearer ${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({
          ...claims,
          iss: LOCAL_ISSUER,
          aud: LOCAL_AUDIENCE,
          exp: now() + 3600,
        })}.`,
    },
    {
      name: 'a token of another issuer',
      token: async () =>
        `Bearer ${await signed(api.key, (jwt) =>
          jwt.setIssuer('https://evil.example/').setExpirationTime('1h'),
        )}`,
    },
    {
      name: 'a token whose signature was swapped',
      token: async () => {
        const real = await api.tokenFor(INTRUDER);
        const forged = await signed(api.key, (jwt) =>
          jwt.setExpirationTime('1h'),
        );
        const [head, payload] = forged.split('.');
        return `Bearer ${head}.${payload}.${real.split('.')[2]}`;
      },
    },
  ];

  it.each(cases)(
    'answers $name with 401 UNAUTHENTICATED',
    async ({ name, token }) => {
      // Act
      const attack = await api.call(
        OWNER,
        'GET',
        `/api/wordpress/sites/${siteId}`,
        {
          authorization: await token(),
        },
      );
      const control = await api.call(
        OWNER,
        'GET',
        `/api/wordpress/sites/${siteId}`,
      );

      // Assess
      expect(attack.status).toBe(401);
      expect(codeOf(attack)).toBe('UNAUTHENTICATED');
      expect(control.status).toBe(200);
      record(
        name,
        { status: attack.status, code: codeOf(attack) },
        'UNAUTHENTICATED',
        control.status === 200,
      );
    },
  );
});

describe('bodies, paths and queries', () => {
  const other = () => startFakeWordPress(CREDENTIALS);
  const cases = [
    {
      name: 'a body over 16 KiB',
      raw: (url: string) =>
        JSON.stringify({ url, ...CREDENTIALS, pad: 'x'.repeat(17 * 1024) }),
      status: 413,
      code: 'BODY_TOO_LARGE',
    },
    {
      name: 'a body over the 10 MiB API Gateway takes',
      raw: () => 'x'.repeat(10 * 1024 * 1024 + 1),
      status: 413,
      code: 'BODY_TOO_LARGE',
    },
    {
      name: 'malformed JSON',
      raw: (url: string) =>
        JSON.stringify({ url, ...CREDENTIALS }).slice(0, -1),
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'an unknown field',
      raw: (url: string) =>
        JSON.stringify({ url, ...CREDENTIALS, admin: true }),
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'a password of the wrong type',
      raw: (url: string) =>
        JSON.stringify({ url, ...CREDENTIALS, appPassword: 7 }),
      status: 400,
      code: 'VALIDATION_FAILED',
    },
  ];

  it.each(cases)(
    'refuses registering with $name',
    async ({ name, raw, status, code }) => {
      // Prepare
      const site = await other();

      // Act
      const attack = await api.call(OWNER, 'POST', '/api/wordpress/sites', {
        raw: raw(site.url),
      });
      const control = await api.call(OWNER, 'POST', '/api/wordpress/sites', {
        json: { url: site.url, ...CREDENTIALS },
      });
      await site.close();

      // Assess
      expect(attack.status).toBe(status);
      expect(codeOf(attack)).toBe(code);
      expect(attack.text).not.toMatch(/\bat .+:\d+:\d+/);
      expect(control.status).toBe(201);
      record(
        name,
        { status: attack.status, code: codeOf(attack) },
        code,
        control.status === 201,
      );
    },
  );

  it.each([
    [
      'a traversal in the site id',
      '/api/wordpress/sites/..%2F..%2Fsecrets',
      404,
      'SITE_NOT_FOUND',
    ],
    [
      'an upper-case site id',
      `/api/wordpress/sites/${RANDOM_SITE.toUpperCase()}`,
      404,
      'SITE_NOT_FOUND',
    ],
    [
      'a malformed sync id',
      '/api/wordpress/sync/sync_1%27%20OR%201%3D1',
      404,
      'SYNC_NOT_FOUND',
    ],
    [
      'an unknown query parameter',
      '/api/wordpress/sites?tenantId=tenant-owner',
      400,
      'VALIDATION_FAILED',
    ],
  ])('refuses %s', async (name, path, status, code) => {
    // Act
    const attack = await api.call(OWNER, 'GET', path);
    const control = await api.call(
      OWNER,
      'GET',
      `/api/wordpress/sites/${siteId}`,
    );

    // Assess
    expect(attack.status).toBe(status);
    expect(codeOf(attack)).toBe(code);
    expect(control.status).toBe(200);
    record(
      name,
      { status: attack.status, code: codeOf(attack) },
      code,
      control.status === 200,
    );
  });
});

/** A resolver giving `answers` in turn, the last one repeating. */
function resolver(...answers: string[]): {
  lookup: LookupFunction;
  asked: string[];
} {
  const asked: string[] = [];
  const lookup: LookupFunction = (hostname, _options, callback) => {
    const address = answers[Math.min(asked.length, answers.length - 1)] ?? '';
    asked.push(hostname);
    callback(null, address, net.isIP(address));
  };
  return { lookup, asked };
}

/**
 * A connector that records where a request would go and dials the fake
 * site on 127.0.0.1 whatever the target, so even a failing guard could
 * reach nothing else.
 */
function loopbackTo(site: FakeWordPress): {
  connect: Connector;
  targets: ConnectTarget[];
} {
  const targets: ConnectTarget[] = [];
  const port = Number(new URL(site.url).port);
  return {
    targets,
    connect: (target) => {
      targets.push(target);
      return net.connect(port, '127.0.0.1');
    },
  };
}

describe('site URLs under the non-local policy', () => {
  let publicSite: FakeWordPress;
  let redirecting: FakeWordPress;
  let secretsDir: string;
  let sites: SiteStore;

  beforeAll(async () => {
    // Reached as https://wp.example.com through the loopback connector.
    publicSite = await startFakeWordPress({
      ...CREDENTIALS,
      origin: 'https://wp.example.com',
    });
    redirecting = await startFakeWordPress({
      ...CREDENTIALS,
      origin: 'https://wp.example.com',
      redirectRestTo: 'https://169.254.169.254/latest/meta-data/',
    });
    secretsDir = await mkdtemp(join(tmpdir(), 'wp-sync-attack-secrets-'));
    sites = new SiteStore(
      createLocalDocumentClient(String(api.env.DYNAMODB_ENDPOINT)),
      String(api.env[TABLES.sites.envVar]),
    );
  });

  afterAll(async () => {
    await publicSite?.close();
    await redirecting?.close();
    await rm(secretsDir, { recursive: true, force: true });
  });

  /** Registers as the handler does, with the resolver and connector given. */
  async function registerUnder(
    url: string,
    lookup: LookupFunction,
    connect: Connector,
  ): Promise<{ status: number; code: string }> {
    const wordpress = withinApiBudget({
      http: {
        ...guardedHttpOptions({ allowLocalOrigins: false }),
        lookup,
        connect,
      },
    });
    try {
      const { created } = await registerSite(
        { tenantId: 'tenant-ssrf', url, ...CREDENTIALS },
        {
          sites,
          secrets: new FileSecretStore(secretsDir),
          secretPrefix: 'wp-sync/attack',
          log: { info: () => undefined } as never,
          wordpress,
        },
      );
      return { status: created ? 201 : 200, code: '' };
    } catch (error) {
      const { result } = errorAnswer(error, 'attack');
      return {
        status: Number(result.statusCode),
        code: JSON.parse(String(result.body)).code,
      };
    }
  }

  /** The same registration of the public name, which must succeed. */
  async function control(): Promise<boolean> {
    const { lookup } = resolver(PUBLIC_ADDRESS);
    const { connect, targets } = loopbackTo(publicSite);
    const answer = await registerUnder(
      'https://wp.example.com/',
      lookup,
      connect,
    );
    return (
      answer.status < 300 && targets.every((t) => t.address === PUBLIC_ADDRESS)
    );
  }

  it.each([
    'https://0.0.0.0/',
    'https://10.0.0.1/',
    'https://172.16.0.1/',
    'https://172.31.255.254/',
    'https://192.168.1.1/',
    'https://169.254.169.254/latest/meta-data/',
    'https://127.0.0.1/',
    'https://127.8.9.10/',
    'https://[::1]/',
    'https://[fc00::1]/',
    'https://[fd12:3456::1]/',
    'https://[::ffff:10.0.0.1]/',
    'https://[64:ff9b::a00:1]/',
    'https://2130706433/',
    'https://0177.0.0.1/',
    'https://0x7f.1/',
    'https://167772161/',
    'https://012.0.0.1/',
    'https://localhost/',
    'http://wp.example.com/',
  ])('refuses %s before any lookup or connection', async (url) => {
    // Prepare
    const { lookup, asked } = resolver(PUBLIC_ADDRESS);
    const { connect, targets } = loopbackTo(publicSite);

    // Act
    const attack = await registerUnder(url, lookup, connect);
    const controlSucceeded = await control();

    // Assess
    expect(attack).toEqual({ status: 422, code: 'WP_URL_NOT_ALLOWED' });
    expect(asked).toEqual([]);
    expect(targets).toEqual([]);
    expect(controlSucceeded).toBe(true);
    record(url, attack, 'WP_URL_NOT_ALLOWED', controlSucceeded);
  });

  it.each([
    '0.0.0.0',
    '10.1.2.3',
    '172.20.0.5',
    '192.168.0.10',
    '169.254.169.254',
    '127.0.0.1',
    '::1',
    'fd00::5',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
  ])('refuses a name resolving to %s before connecting', async (address) => {
    // Prepare
    const { lookup, asked } = resolver(address);
    const { connect, targets } = loopbackTo(publicSite);

    // Act
    const attack = await registerUnder(
      'https://wp.example.com/',
      lookup,
      connect,
    );
    const controlSucceeded = await control();

    // Assess
    expect(attack).toEqual({ status: 422, code: 'WP_URL_NOT_ALLOWED' });
    expect(asked).toEqual(['wp.example.com']);
    expect(targets).toEqual([]);
    expect(controlSucceeded).toBe(true);
    record(
      `resolves to ${address}`,
      attack,
      'WP_URL_NOT_ALLOWED',
      controlSucceeded,
    );
  });

  it('refuses when the DNS answer turns internal after the first check', async () => {
    // Prepare: public for the home page, then private.
    const { lookup } = resolver(PUBLIC_ADDRESS, '10.0.0.1');
    const { connect, targets } = loopbackTo(publicSite);

    // Act
    const attack = await registerUnder(
      'https://wp.example.com/',
      lookup,
      connect,
    );
    const controlSucceeded = await control();

    // Assess
    expect(attack).toEqual({ status: 422, code: 'WP_URL_NOT_ALLOWED' });
    expect(targets.map((target) => target.address)).toEqual([PUBLIC_ADDRESS]);
    expect(controlSucceeded).toBe(true);
    record('DNS rebinding', attack, 'WP_URL_NOT_ALLOWED', controlSucceeded);
  });

  it('does not follow a redirect to the metadata address', async () => {
    // Prepare
    const { lookup } = resolver(PUBLIC_ADDRESS);
    const { connect, targets } = loopbackTo(redirecting);

    // Act
    const attack = await registerUnder(
      'https://wp.example.com/',
      lookup,
      connect,
    );
    const controlSucceeded = await control();

    // Assess
    expect(attack).toEqual({ status: 422, code: 'WP_REST_ROOT_OFF_ORIGIN' });
    expect(targets.every((target) => target.address === PUBLIC_ADDRESS)).toBe(
      true,
    );
    expect(redirecting.requests).not.toContain('/latest/meta-data/');
    expect(controlSucceeded).toBe(true);
    record(
      'redirect to metadata',
      attack,
      'WP_REST_ROOT_OFF_ORIGIN',
      controlSucceeded,
    );
  });
});

describe('the CLI', () => {
  it.each(['http://10.0.0.1', 'http://169.254.169.254'])(
    'says the address %s is not allowed',
    async (url) => {
      // Act
      const attack = await runCli(
        'sync',
        ['--url', url, '--user', 'editor', '--app-password', 'x', '--json'],
        { WP_SYNC_DATA_DIR: api.dataDir },
        120_000,
      );
      const control = await runCli(
        'sync',
        ['--url', fake.url, '--user', CREDENTIALS.username, '--json'],
        {
          WP_SYNC_DATA_DIR: api.dataDir,
          WP_APP_PASSWORD: CREDENTIALS.appPassword,
        },
        120_000,
      );
      const sites = await api.call(LOCAL_TENANT, 'GET', '/api/wordpress/sites');

      // Assess
      expect(attack.code).toBe(4);
      expect(attack.stderr).toMatch(
        /WP_URL_NOT_ALLOWED: the address is not allowed/i,
      );
      expect(JSON.stringify(sites.body)).not.toContain(new URL(url).host);
      expect(control.code).toBe(0);
      record(
        `CLI ${url}`,
        { status: 422, code: 'WP_URL_NOT_ALLOWED' },
        'WP_URL_NOT_ALLOWED',
        JSON.parse(control.stdout).status === 'completed',
      );
    },
  );
});

describe('the tally', () => {
  it('ends with zero successes, each refused with its code, no 5xx', () => {
    // Assess
    expect(outcomes.length).toBeGreaterThan(40);
    expect(outcomes.filter((o) => o.status < 400)).toEqual([]);
    expect(outcomes.filter((o) => o.status >= 500)).toEqual([]);
    expect(outcomes.filter((o) => o.code !== o.expected)).toEqual([]);
    expect(outcomes.filter((o) => !o.controlSucceeded)).toEqual([]);
  });
});
