/**
 * The real local API for suites that attack it: the local runtime started
 * as `npm run sync` starts it, in its own process on a temporary data
 * folder, logging to that folder's `logs/`. Tokens are signed with the
 * folder's key, as `npm run token` signs them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  connectRuntime,
  type RuntimeLease,
} from '../../../local/runtime/connect.js';
import { dataPaths } from '../../../local/runtime/paths.js';
import { issueToken, tokenKey } from '../../../local/runtime/tokens.js';

/** One answer of the API, read in full. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The JSON body, or `{}` when there is none. */
  readonly body: Record<string, unknown>;
}

/** What a request sends besides its method and path. */
export interface Sent {
  /** Serialised as JSON. */
  readonly json?: unknown;
  /** Sent as it is, for malformed bodies. */
  readonly raw?: string;
  readonly headers?: Record<string, string>;
  /** The whole Authorization header; `null` sends none. */
  readonly authorization?: string | null;
}

/** A running local API on a data folder of its own. */
export interface LocalApi {
  readonly url: string;
  readonly dataDir: string;
  /** The handlers' environment: table names, endpoints. */
  readonly env: Readonly<Record<string, string>>;
  /** The key tokens are signed with. */
  readonly key: Uint8Array;
  /** A valid token for a tenant. */
  tokenFor(tenantId: string): Promise<string>;
  /** Sends a request as `tenantId` (or with `sent.authorization`). */
  call(
    tenantId: string,
    method: string,
    path: string,
    sent?: Sent,
  ): Promise<Answer>;
  /** Stops the runtime; with `removeData`, deletes the data folder too. */
  stop(options?: { removeData?: boolean }): Promise<void>;
}

/** Starts the runtime on a new temporary data folder. */
export async function startLocalApi(): Promise<LocalApi> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wp-sync-security-'));
  const lease: RuntimeLease = await connectRuntime(dataDir);
  const key = await tokenKey(dataPaths(dataDir).tokenKey);
  const url = lease.info.apiUrl;
  const tokenFor = (tenantId: string) => issueToken(key, tenantId);
  return {
    url,
    dataDir,
    env: lease.info.env,
    key,
    tokenFor,
    async call(tenantId, method, path, sent = {}) {
      const authorization =
        sent.authorization === undefined
          ? `Bearer ${await tokenFor(tenantId)}`
          : sent.authorization;
      const body =
        sent.raw ??
        (sent.json !== undefined ? JSON.stringify(sent.json) : undefined);
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(authorization !== null && { authorization }),
          ...(body !== undefined && { 'content-type': 'application/json' }),
          ...sent.headers,
        },
        ...(body !== undefined && { body }),
      });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        text,
        body: text === '' ? {} : parsed(text),
      };
    },
    async stop(options = {}) {
      await lease.release();
      if (options.removeData) {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

function parsed(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text);
  } catch {
    return { unparsed: text };
  }
}

/** Polls a sync's report until it has finished. */
export async function waitForSync(
  api: LocalApi,
  tenantId: string,
  syncId: string,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const report = await api.call(
      tenantId,
      'GET',
      `/api/wordpress/sync/${syncId}`,
    );
    if (report.body.finishedAt) {
      return report.body;
    }
    if (Date.now() > deadline) {
      throw new Error(`Sync ${syncId} did not finish: ${report.text}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
