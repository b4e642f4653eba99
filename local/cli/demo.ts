/**
 * `npm run demo`: a full sync with no site of your own. A recorded copy of
 * a real WordPress site (in `demo/recording/`) is served from 127.0.0.1,
 * synced into a fresh local store, then synced again to show that a second
 * run changes nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReplayServer } from '../../scripts/demo/replay-server.js';
import { connectRuntime } from '../runtime/connect.js';
import { dataPaths, PROJECT_DIR } from '../runtime/paths.js';
import { issueToken, LOCAL_TENANT, tokenKey } from '../runtime/tokens.js';
import { WpSyncApi } from './api-client.js';
import { EXIT, parseFlags, runCommand } from './args.js';
import { syncSite } from './follow-sync.js';
import { formatReport } from './format-report.js';

const USAGE = 'usage: npm run demo [-- --json] [--keep]';

runCommand(USAGE, async () => {
  const flags = parseFlags(process.argv.slice(2), {
    json: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  });
  const replay = await startReplayServer({
    dir: join(PROJECT_DIR, 'demo', 'recording'),
  });
  const dir = await mkdtemp(join(tmpdir(), 'wp-sync-demo-'));
  const runtime = await connectRuntime(dir);
  try {
    const token = await issueToken(
      await tokenKey(dataPaths(dir).tokenKey),
      LOCAL_TENANT,
    );
    const api = new WpSyncApi(runtime.info.apiUrl, token);
    const site = {
      url: replay.url,
      username: 'demo',
      // The recording accepts any credentials; this is no real password.
      appPassword: 'demo demo demo demo demo demo',
      timeoutMs: 600_000,
      quiet: flags.json,
    };
    const first = await syncSite(api, site);
    const second = await syncSite(api, site);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ first, second })}\n`);
    } else {
      process.stdout.write(
        `First sync of the recorded site ${replay.url}:\n${formatReport(first)}\n\n` +
          `Second sync (nothing changed in WordPress):\n${formatReport(second)}\n`,
      );
      if (flags.keep) {
        process.stdout.write(`\nThe store is kept in ${dir}\n`);
      }
    }
    return EXIT[first.status as keyof typeof EXIT] ?? EXIT.failed;
  } finally {
    await runtime.release();
    await replay.close();
    if (!flags.keep) {
      await rm(dir, { recursive: true, force: true });
    }
  }
});
