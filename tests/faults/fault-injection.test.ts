/**
 * The sync under fire: through a proxy that fails a third of WordPress's
 * answers, with every page message delivered twice and the runtime killed
 * at every step of a page, a sync still ends `completed`, the store holds
 * exactly what WordPress lists, and the report counts exactly what a
 * clean run of the same site counts.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  afterAll,
  beforeAll,
  describe,
  expect,
  it,
  onTestFailed,
} from 'vitest';
import type { WpSyncApi } from '../../local/cli/api-client.js';
import type { RuntimeLease } from '../../local/runtime/connect.js';
import { dataPaths } from '../../local/runtime/paths.js';
import { startReplayServer } from '../../scripts/demo/replay-server.js';
import {
  type CrashPlan,
  PAGE_STEPS,
  type PageStep,
} from '../../shared/sync/crash-plan.js';
import type { JobReport, SyncReport } from '../../shared/sync/report.js';
import { runCli } from '../support/cli.js';
import {
  FAULT_KINDS,
  type FaultProxy,
  type FaultRates,
  startFaultProxy,
} from '../support/fault-proxy.js';
import {
  ensureWordPress,
  listWordPressItems,
  type WordPressCollection,
  type WordPressConnection,
} from '../support/wordpress.js';
import { syncThroughCrashes } from './crashing-runtime.js';

/** Seed of the proxy's faults and of the crash plans. */
const SEED = 20_261_204;

/**
 * A third of the requests fail, the six kinds in turn: one in each run of
 * three requests. Six kinds need 18 requests once the faults are on; a
 * sync of the small site makes only six when nothing fails, so the deaths
 * below, which make pages be fetched again, supply the rest (forty to
 * seventy in all). At a fifth, the last kinds are often left out.
 */
const FAULT_RATES: FaultRates = Object.fromEntries(
  FAULT_KINDS.map((kind) => [kind, 1 / 18]),
);

/**
 * Against the recording, no 500s: the client answers a 500 by asking for
 * halves of the page, which a recording of whole pages cannot serve.
 */
const RECORDING_FAULT_RATES: FaultRates = { ...FAULT_RATES, internalError: 0 };

/**
 * The first ten lives of the faulty runtime each die at one step, on
 * whichever page reaches it first, twice through the steps, so every step
 * is hit whatever the scheduling and the pages are fetched again often
 * enough to meet every kind of fault; later lives die where the plan
 * draws.
 */
const FIRST_DEATHS: readonly PageStep[] = [...PAGE_STEPS, ...PAGE_STEPS];
const LATER_CRASH_RATE = 0.02;
const MAX_LIVES = 20;

/** Short leases and visibility, so a dead worker's page returns quickly. */
const FAULTY_TIMINGS = {
  leaseSeconds: 2,
  visibilityTimeoutSeconds: 4,
  duplicateDeliveries: true,
};

/** Twice the visibility timeout: a copy that found its page busy is back. */
const DUPLICATES_WAIT_MS = 2 * FAULTY_TIMINGS.visibilityTimeoutSeconds * 1000;

/** What a worker logs when a delivery's page is already finished. */
const DUPLICATE_LOG = '"message":"Duplicate delivery ignored"';

const TYPE_OF: Record<string, WordPressCollection> = {
  category: 'categories',
  tag: 'tags',
  media: 'media',
  page: 'pages',
  post: 'posts',
};

interface Site {
  readonly origin: string;
  readonly username: string;
  readonly appPassword: string;
  /** The real WordPress, when there is one to list the truth from. */
  readonly wordpress?: WordPressConnection;
  close(): Promise<void>;
}

let site: Site;
let proxy: FaultProxy;
let faultRates: FaultRates;
const dirs: string[] = [];
/** Set by a failure: the data folders and their logs are kept to look at. */
let keepDirs = false;
const leases: RuntimeLease[] = [];

beforeAll(async () => {
  site = await openSite();
  faultRates = site.wordpress ? FAULT_RATES : RECORDING_FAULT_RATES;
  proxy = await startFaultProxy({
    origin: site.origin,
    seed: SEED,
    // Two 500s in a row: WordPress failing to render, which the client
    // meets by asking for the page in halves.
    internalErrorRepeats: 2,
  });
}, 900_000);

afterAll(async () => {
  for (const lease of leases) await lease.release();
  await proxy?.close();
  await site?.close();
  if (keepDirs) {
    console.warn(`kept the data folders: ${dirs.join(' ')}`);
    return;
  }
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** The small real WordPress, or the demo's recording of it. */
async function openSite(): Promise<Site> {
  const found = await ensureWordPress({ profile: 'small' });
  if (!('skipped' in found)) {
    return {
      origin: found.url,
      username: found.username,
      appPassword: found.appPassword,
      wordpress: found,
      close: async () => {},
    };
  }
  console.warn(`no WordPress (${found.skipped}): using the demo recording`);
  const replay = await startReplayServer({ dir: 'demo/recording' });
  return {
    origin: replay.url,
    username: 'demo',
    appPassword: 'demo demo demo demo',
    close: () => replay.close(),
  };
}

async function freshDir(name: string): Promise<string> {
  onTestFailed(() => {
    keepDirs = true;
  });
  const dir = await mkdtemp(join(tmpdir(), `wp-sync-faults-${name}-`));
  dirs.push(dir);
  return dir;
}

/** Stored items by `type#wpId`, from `npm run export`. */
async function exported(dir: string): Promise<Map<string, StoredView>> {
  const run = await runCli('export', ['--url', proxy.url], {
    WP_SYNC_DATA_DIR: dir,
  });
  if (run.code !== 0) {
    throw new Error(`export exited ${run.code}: ${run.stderr.slice(-2000)}`);
  }
  const rows = new Map<string, StoredView>();
  for (const line of run.stdout.trim().split('\n')) {
    const item = JSON.parse(line) as Record<string, unknown>;
    rows.set(`${item.type}#${item.wpId}`, {
      modifiedGmt: (item.modifiedGmt as string | undefined) ?? null,
      hash: String(item.hash),
    });
  }
  return rows;
}

interface StoredView {
  readonly modifiedGmt: string | null;
  readonly hash: string;
}

/** What WordPress lists: `modifiedGmt` by `type#wpId` (terms have none). */
async function listedByWordPress(
  wordpress: WordPressConnection,
): Promise<Map<string, string | null>> {
  const rows = new Map<string, string | null>();
  for (const [type, collection] of Object.entries(TYPE_OF)) {
    for (const item of await listWordPressItems(wordpress, collection)) {
      const modified = item.modified_gmt;
      rows.set(
        `${type}#${item.id}`,
        typeof modified === 'string' ? `${modified}Z` : null,
      );
    }
  }
  return rows;
}

/** The counts of a report that faults must not change. */
function countsOf(report: SyncReport) {
  const job = (entry: JobReport) => ({
    status: entry.status,
    pages: entry.pages,
    created: entry.created,
    updated: entry.updated,
    skipped: entry.skipped,
    failed: entry.failed,
    errors: entry.errors,
  });
  return {
    status: report.status,
    jobs: Object.fromEntries(
      Object.entries(report.jobs).map(([name, entry]) => [name, job(entry)]),
    ),
    totals: report.totals,
    embeddings: report.embeddings,
  };
}

function crashPlanOf(life: number, logFile: string): CrashPlan {
  const step = FIRST_DEATHS[life];
  return step
    ? { seed: SEED + life, rate: 1, steps: [step], logFile }
    : {
        seed: SEED + life,
        rate: LATER_CRASH_RATE,
        steps: [...PAGE_STEPS],
        logFile,
      };
}

async function crashesBy(logFile: string): Promise<Record<string, number>> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  const counts: Record<string, number> = {};
  for (const line of text.split('\n').filter(Boolean)) {
    const step = line.split(' ')[0] ?? '';
    counts[step] = (counts[step] ?? 0) + 1;
  }
  return counts;
}

/**
 * Deliveries the workers logged as duplicates, over every life, waiting
 * up to `waitMs` for the first.
 */
async function duplicatesIgnored(dir: string, waitMs: number): Promise<number> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const log = await readFile(dataPaths(dir).logFile, 'utf8');
    const count = log
      .split('\n')
      .filter((line) => line.includes(DUPLICATE_LOG)).length;
    if (count > 0 || Date.now() > deadline) return count;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('a sync of the small WordPress under faults and crashes', () => {
  let clean: { report: SyncReport; stored: Map<string, StoredView> };

  it('copies the site on a clean run, for reference', async () => {
    // Prepare
    const dir = await freshDir('clean');
    proxy.setRates({});

    // Act
    const run = await syncThroughCrashes({
      dir,
      timings: {},
      planOf: () => undefined,
      maxLives: 1,
      timeoutMs: 120_000,
      start: (api) => startSync(api),
    });
    leases.push(run.runtime);
    const stored = await exported(dir);
    await run.runtime.release();
    clean = { report: run.report, stored };

    // Assess
    expect(Object.values(proxy.injected()).every((n) => n === 0)).toBe(true);
    expect(run.report.status).toBe('completed');
    expect(run.report.totals.created).toBe(stored.size);
    if (site.wordpress) {
      expect(storedModified(stored)).toEqual(
        Object.fromEntries(await listedByWordPress(site.wordpress)),
      );
    }
  }, 180_000);

  it('ends with the same store and counts through faults and crashes', async (context) => {
    if (!clean) return context.skip('the clean run failed');

    // Prepare
    const dir = await freshDir('faulty');
    const crashLog = join(dir, 'crashes.log');
    const requestsBefore = proxy.requests().length;
    const started = Date.now();

    // Act
    const run = await syncThroughCrashes({
      dir,
      timings: FAULTY_TIMINGS,
      planOf: (life) => crashPlanOf(life, crashLog),
      maxLives: MAX_LIVES,
      timeoutMs: 150_000,
      start: async (api) => {
        const syncId = await startSync(api);
        // Registration is the API's business; the faults are the workers'.
        proxy.setRates(faultRates);
        return syncId;
      },
    });
    leases.push(run.runtime);
    proxy.setRates({});
    const syncMs = Date.now() - started;
    const injected = proxy.injected();
    const requests = proxy.requests().length - requestsBefore;
    const crashes = await crashesBy(crashLog);
    // The copies of the last pages come back after their originals.
    const duplicates = await duplicatesIgnored(dir, DUPLICATES_WAIT_MS);
    const stored = await exported(dir);
    const again = await run.api.report(run.syncId);
    console.info(
      `faulty sync: ${run.lives} lives, ${syncMs} ms, ` +
        `${requests} requests to WordPress, ${duplicates} duplicate ` +
        `deliveries ignored; faults injected ${JSON.stringify(injected)}; ` +
        `crashes by step ${JSON.stringify(crashes)}`,
    );

    // Assess: it finished, and counted what the clean run counted.
    expect(run.report.status).toBe('completed');
    expect(countsOf(run.report)).toEqual(countsOf(clean.report));
    expect(countsOf(again)).toEqual(countsOf(run.report));
    // The store holds every item once, as WordPress lists it, with the
    // very content the clean run stored.
    expect(stored.size).toBe(clean.stored.size);
    expect(Object.fromEntries(stored)).toEqual(
      Object.fromEntries(clean.stored),
    );
    if (site.wordpress) {
      expect(storedModified(stored)).toEqual(
        Object.fromEntries(await listedByWordPress(site.wordpress)),
      );
    }
    // Every fault and every step was met.
    for (const kind of FAULT_KINDS.filter((name) => faultRates[name])) {
      expect(injected[kind], kind).toBeGreaterThan(0);
    }
    expect(Object.keys(crashes)).toEqual(
      expect.arrayContaining([...PAGE_STEPS]),
    );
    expect(duplicates).toBeGreaterThan(0);
  }, 200_000);
});

async function startSync(api: WpSyncApi): Promise<string> {
  const registered = await api.registerSite({
    url: proxy.url,
    username: site.username,
    appPassword: site.appPassword,
  });
  return (await api.startSync(registered.siteId)).syncId;
}

function storedModified(
  stored: Map<string, StoredView>,
): Record<string, string | null> {
  return Object.fromEntries(
    [...stored].map(([key, item]) => [key, item.modifiedGmt]),
  );
}
