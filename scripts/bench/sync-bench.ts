/**
 * `npm run bench [-- --url <site> --user <name>]`: times full syncs and
 * prints the figures: wall time, items per second, page request and
 * upsert latencies, and the local runtime's peak memory.
 *
 * Without `--url` it syncs the demo recording (served from 127.0.0.1), so
 * it runs anywhere; with `--url` (password from WP_APP_PASSWORD) it
 * measures a real site. Each run uses a fresh data folder: first sync,
 * then a second one that should skip everything.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { WpSyncApi } from '../../local/cli/api-client.js';
import { syncSite } from '../../local/cli/follow-sync.js';
import { connectRuntime } from '../../local/runtime/connect.js';
import { dataPaths, PROJECT_DIR } from '../../local/runtime/paths.js';
import {
  issueToken,
  LOCAL_TENANT,
  tokenKey,
} from '../../local/runtime/tokens.js';
import { JOB_TYPES } from '../../shared/resources.js';
import type { SyncReport } from '../../shared/sync/report.js';
import { startReplayServer } from '../demo/replay-server.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values: flags } = parseArgs({
  options: {
    url: { type: 'string' },
    user: { type: 'string', default: 'admin' },
  },
});

const replay = flags.url
  ? undefined
  : await startReplayServer({ dir: join(PROJECT_DIR, 'demo', 'recording') });
const url = flags.url ?? replay?.url ?? '';
const dir = await mkdtemp(join(tmpdir(), 'wp-sync-bench-'));
const runtime = await connectRuntime(dir);
try {
  const token = await issueToken(
    await tokenKey(dataPaths(dir).tokenKey),
    LOCAL_TENANT,
  );
  const api = new WpSyncApi(runtime.info.apiUrl, token);
  const site = {
    url,
    username: flags.user,
    appPassword: process.env.WP_APP_PASSWORD ?? 'replay accepts any password',
    timeoutMs: 1_800_000,
    quiet: true,
    progress: false,
  };
  for (const label of ['first sync', 'second sync']) {
    const started = performance.now();
    const report = await syncSite(api, site);
    print(label, report, performance.now() - started);
  }
  const peak = await peakMemory(runtime.info.pid);
  process.stdout.write(
    `local runtime peak memory (VmHWM): ${peak ?? 'not available'}\n`,
  );
} finally {
  await runtime.release();
  await replay?.close();
  await rm(dir, { recursive: true, force: true });
}

function print(label: string, report: SyncReport, wallMs: number): void {
  const items =
    report.totals.created +
    report.totals.updated +
    report.totals.skipped +
    report.totals.failed;
  const lines = [
    `${label}: ${report.status}, ${items} items in ${(wallMs / 1000).toFixed(1)} s wall ` +
      `(${report.durationMs ?? 0} ms in the runtime), ` +
      `${((items * 1000) / Math.max(1, report.durationMs ?? wallMs)).toFixed(0)} items/s`,
    `  totals ${JSON.stringify(report.totals)} embeddings queued ${report.embeddings.queued}`,
  ];
  for (const job of JOB_TYPES) {
    const { request, upsert } = report.jobs[job].timings;
    lines.push(
      `  ${job.padEnd(6)} pages ${String(request.count).padStart(4)}  request p50 ${request.p50Ms} ms p95 ${request.p95Ms} ms  upsert p50 ${upsert.p50Ms} ms p95 ${upsert.p95Ms} ms`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function peakMemory(pid: number): Promise<string | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    return /VmHWM:\s+(.+)/.exec(status)?.[1]?.trim();
  } catch {
    return undefined;
  }
}
