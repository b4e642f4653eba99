/**
 * `npm run token -- [--tenant <id>] [--ttl <seconds>]`: prints a token the
 * local runtime accepts, for calling its API with curl or your own code.
 */
import { dataDir, dataPaths } from '../runtime/paths.js';
import { issueToken, LOCAL_TENANT, tokenKey } from '../runtime/tokens.js';
import { EXIT, parseFlags, runCommand, UsageError } from './args.js';

const USAGE = 'usage: npm run token -- [--tenant <id>] [--ttl <seconds>]';

runCommand(USAGE, async () => {
  const flags = parseFlags(process.argv.slice(2), {
    tenant: { type: 'string', default: LOCAL_TENANT },
    ttl: { type: 'string', default: '3600' },
  });
  const ttl = Number(flags.ttl);
  if (!Number.isInteger(ttl) || ttl <= 0) {
    throw new UsageError('--ttl must be a positive whole number of seconds');
  }
  const key = await tokenKey(dataPaths(dataDir()).tokenKey);
  process.stdout.write(`${await issueToken(key, flags.tenant, ttl)}\n`);
  return EXIT.completed;
});
