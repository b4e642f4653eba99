/**
 * `npm run sync -- --url <site> --user <name> [--app-password <pw>] [--json]`
 *
 * Registers the site for the local tenant, starts a full sync through the
 * API, shows progress on stderr and prints the report on stdout.
 */

import { connectRuntime } from '../runtime/connect.js';
import { dataDir, dataPaths } from '../runtime/paths.js';
import { issueToken, LOCAL_TENANT, tokenKey } from '../runtime/tokens.js';
import { ApiAnswerError, WpSyncApi } from './api-client.js';
import { EXIT, parseFlags, runCommand, UsageError } from './args.js';
import { syncSite } from './follow-sync.js';
import { formatReport } from './format-report.js';
import { promptSecret } from './prompt.js';

const USAGE = `usage: npm run sync -- --url <site> --user <name> [--app-password <pw>] [--json]

  --url           the WordPress site, e.g. https://example.com
  --user          a WordPress user allowed to read drafts (editor or admin)
  --app-password  one of that user's application passwords; or set
                  WP_APP_PASSWORD, or be asked for it
  --json          print only the report, as one JSON object
  --timeout       seconds to wait for the sync (default 1800)

exit: 0 completed, 3 completed_with_errors, 4 failed, 2 bad usage`;

runCommand(USAGE, async () => {
  const flags = parseFlags(process.argv.slice(2), {
    url: { type: 'string' },
    user: { type: 'string' },
    'app-password': { type: 'string' },
    json: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '1800' },
    help: { type: 'boolean', default: false },
  });
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.completed;
  }
  if (!flags.url || !flags.user) {
    throw new UsageError('--url and --user are required');
  }
  const timeoutMs = Number(flags.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new UsageError('--timeout must be a positive number of seconds');
  }
  const appPassword =
    flags['app-password'] ||
    process.env.WP_APP_PASSWORD ||
    (await promptSecret(`Application password for ${flags.user}: `));
  if (!appPassword) {
    throw new UsageError('The application password is empty');
  }

  const dir = dataDir();
  const runtime = await connectRuntime(dir);
  try {
    const token = await issueToken(
      await tokenKey(dataPaths(dir).tokenKey),
      LOCAL_TENANT,
    );
    const api = new WpSyncApi(runtime.info.apiUrl, token);
    const report = await syncSite(api, {
      url: flags.url,
      username: flags.user,
      appPassword,
      timeoutMs,
      quiet: flags.json,
    });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      process.stdout.write(`${formatReport(report)}\n`);
    }
    return EXIT[report.status as keyof typeof EXIT] ?? EXIT.failed;
  } catch (error) {
    if (error instanceof ApiAnswerError) {
      const issues = Array.isArray(error.body.issues)
        ? error.body.issues
            .map(
              (issue: { path?: string; message?: string }) =>
                `\n  ${issue.path || '(body)'}: ${issue.message}`,
            )
            .join('')
        : '';
      process.stderr.write(`error: ${error.code}: ${error.message}${issues}\n`);
      return EXIT.failed;
    }
    throw error;
  } finally {
    await runtime.release();
  }
});
