/**
 * After a run that registers a site with a known application password,
 * syncs it, exports it and makes the API refuse a few things, nothing the
 * runtime wrote or answered may hold the password, its Basic credentials
 * or a token. Planted canaries prove that the scan finds each of them.
 */
import { randomInt } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../local/runtime/paths.js';
import { LOCAL_TENANT } from '../../local/runtime/tokens.js';
import { runCli } from '../support/cli.js';
import {
  type FakeWordPress,
  startFakeWordPress,
} from './support/fake-wordpress.js';
import {
  type LocalApi,
  startLocalApi,
  waitForSync,
} from './support/local-api.js';
import {
  type Finding,
  filesUnder,
  type Needles,
  scanFiles,
  scanTexts,
} from './support/secret-scan.js';

const ALPHABET =
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A password shaped as WordPress shows them, with a digit and capitals. */
function applicationPassword(): string {
  const chars = Array.from({ length: 24 }, () => ALPHABET[randomInt(62)]);
  chars[0] = 'Q';
  chars[5] = '7';
  return (chars.join('').match(/.{4}/g) ?? []).join(' ');
}

const USERNAME = 'editor';
const APP_PASSWORD = applicationPassword();
const CANARY_DIR = 'logs/canary';

let api: LocalApi;
let fake: FakeWordPress;
let needles: Needles;
const texts: Record<string, string> = {};

beforeAll(async () => {
  // Prepare: one run of everything that touches the password.
  api = await startLocalApi();
  fake = await startFakeWordPress({
    username: USERNAME,
    appPassword: APP_PASSWORD,
  });
  const token = await api.tokenFor(LOCAL_TENANT);
  needles = { username: USERNAME, appPassword: APP_PASSWORD, tokens: [token] };
  const as = { authorization: `Bearer ${token}` };
  const call = async (
    name: string,
    method: string,
    path: string,
    json?: unknown,
    headers = {},
  ) => {
    const answer = await api.call(LOCAL_TENANT, method, path, {
      ...as,
      ...(json !== undefined && { json }),
      headers,
    });
    texts[`answer: ${name}`] = answer.text;
    return answer;
  };
  const body = { url: fake.url, username: USERNAME, appPassword: APP_PASSWORD };
  await call('refused password', 'POST', '/api/wordpress/sites', {
    ...body,
    appPassword: `${APP_PASSWORD} typo`,
  });
  const site = await call('register', 'POST', '/api/wordpress/sites', body, {
    'idempotency-key': 'scan-1',
  });
  await call('register replayed', 'POST', '/api/wordpress/sites', body, {
    'idempotency-key': 'scan-1',
  });
  await call('register with an unknown field', 'POST', '/api/wordpress/sites', {
    ...body,
    extra: APP_PASSWORD,
  });
  const siteId = String(site.body.siteId);
  await call(
    'credentials',
    'PUT',
    `/api/wordpress/sites/${siteId}/credentials`,
    {
      username: USERNAME,
      appPassword: APP_PASSWORD,
    },
  );
  const sync = await call('sync-all', 'POST', '/api/wordpress/sync-all', {
    siteId,
  });
  texts.report = JSON.stringify(
    await waitForSync(api, LOCAL_TENANT, String(sync.body.syncId)),
  );
  await call('sites', 'GET', '/api/wordpress/sites');
  const exported = await runCli('export', ['--url', fake.url], {
    WP_SYNC_DATA_DIR: api.dataDir,
  });
  texts['exported items'] = exported.stdout;
  texts['export stderr'] = exported.stderr;
  // Stopped, so every log line is on disk before the scan.
  await api.stop();
});

afterAll(async () => {
  await fake?.close();
  await rm(api?.dataDir ?? '', { recursive: true, force: true });
});

async function plantCanaries(): Promise<void> {
  const dir = join(api.dataDir, CANARY_DIR);
  await mkdir(dir, { recursive: true });
  const pair = Buffer.from(`${USERNAME}:${APP_PASSWORD}`).toString('base64');
  await writeFile(join(dir, 'password.log'), `{"msg":"${APP_PASSWORD}"}\n`);
  await writeFile(join(dir, 'basic.log'), `{"credentials":"${pair}"}\n`);
  await writeFile(join(dir, 'token.log'), `{"t":"${needles.tokens[0]}"}\n`);
}

function inCanaries(finding: Finding): boolean {
  return finding.where.startsWith(CANARY_DIR);
}

describe('the secret scan', () => {
  it('finds every planted canary', async () => {
    // Prepare
    await plantCanaries();

    // Act
    const findings = await scanFiles(
      await filesUnder(join(api.dataDir, 'logs')),
      needles,
      api.dataDir,
    );

    // Assess
    const kinds = (file: string) =>
      findings
        .filter((finding) => finding.where === `${CANARY_DIR}/${file}`)
        .map((finding) => finding.kind)
        .sort();
    expect(kinds('password.log')).toEqual([
      'app-password',
      'app-password-shape',
    ]);
    expect(kinds('basic.log')).toEqual(['basic-credentials']);
    expect(kinds('token.log')).toEqual(['jwt', 'token']);
  });

  it('scans a data folder with logs, a store and the token key in it', async () => {
    // Act
    const files = await filesUnder(api.dataDir, ['secrets.enc.json']);

    // Assess
    const names = files.map((file) => file.slice(api.dataDir.length + 1));
    expect(names).toContain('logs/runtime.log');
    expect(names).toContain('token.key');
    expect(names.some((name) => name.startsWith('dynamodb/'))).toBe(true);
  });

  it('finds no secret in any file of the data folder but the sealed secrets', async () => {
    // Act
    const findings = await scanFiles(
      await filesUnder(api.dataDir, ['secrets.enc.json']),
      needles,
      api.dataDir,
    );

    // Assess
    expect(findings.filter((finding) => !inCanaries(finding))).toEqual([]);
  });

  it('finds no secret in the answers, the report or the exported items', () => {
    // Act
    const findings = scanTexts(texts, needles);

    // Assess
    expect(texts['exported items']).toContain('"wpId"');
    expect(texts.report).toContain('"completed"');
    expect(findings).toEqual([]);
  });

  it('finds no secret in the demo recording', async () => {
    // Prepare
    const root = join(PROJECT_DIR, 'demo', 'recording');

    // Act
    const files = await filesUnder(root);
    const findings = await scanFiles(files, needles, root);

    // Assess
    expect(files.length).toBeGreaterThan(0);
    expect(findings).toEqual([]);
  });
});
