/**
 * A local runtime of its own for one test file: a fresh data folder, the
 * runtime process, and an API client acting as the local tenant.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WpSyncApi } from '../../local/cli/api-client.js';
import {
  connectRuntime,
  type RuntimeLease,
} from '../../local/runtime/connect.js';
import { dataPaths } from '../../local/runtime/paths.js';
import {
  issueToken,
  LOCAL_TENANT,
  tokenKey,
} from '../../local/runtime/tokens.js';
import type { SyncReport } from '../../shared/sync/report.js';

export interface TestRuntime {
  readonly dir: string;
  readonly runtime: RuntimeLease;
  readonly api: WpSyncApi;
  /** Polls a sync's report until it finishes. */
  finished(syncId: string, timeoutMs?: number): Promise<SyncReport>;
  close(): Promise<void>;
}

/** Starts a runtime on a new data folder with extra environment. */
export async function startTestRuntime(
  label: string,
  env: Record<string, string> = {},
): Promise<TestRuntime> {
  const dir = await mkdtemp(join(tmpdir(), `wp-sync-${label}-`));
  const runtime = await connectRuntime(dir, { env });
  const token = await issueToken(
    await tokenKey(dataPaths(dir).tokenKey),
    LOCAL_TENANT,
  );
  const api = new WpSyncApi(runtime.info.apiUrl, token);
  return {
    dir,
    runtime,
    api,
    finished: async (syncId, timeoutMs = 120_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const report = await api.report(syncId);
        if (report.finishedAt) return report;
        if (Date.now() > deadline) {
          throw new Error(`sync still ${report.status} after ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    close: async () => {
      await runtime.release();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
