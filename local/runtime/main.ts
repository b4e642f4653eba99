/**
 * `npm run local [-- --wipe] [--port N]`: runs the local runtime in the
 * foreground until interrupted. Commands such as `npm run sync` use it when
 * it runs on their data folder, and start one of their own otherwise.
 */
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { dataDir, dataPaths } from './paths.js';
import { startLocalRuntime } from './runtime.js';
import {
  findRunningRuntime,
  removeRuntimeInfo,
  writeRuntimeInfo,
} from './runtime-file.js';

const { values: flags } = parseArgs({
  options: {
    wipe: { type: 'boolean', default: false },
    port: { type: 'string' },
  },
});

const dir = dataDir();
const paths = dataPaths(dir);
await mkdir(dir, { recursive: true });
const other = await findRunningRuntime(paths.runtimeFile);
if (other) {
  process.stderr.write(
    `A runtime (pid ${other.pid}) already serves ${dir} at ${other.apiUrl}\n`,
  );
  process.exit(1);
}

const runtime = await startLocalRuntime({
  dataDir: dir,
  wipe: flags.wipe,
  ...(flags.port !== undefined && { port: Number(flags.port) }),
});
await writeRuntimeInfo(paths.runtimeFile, {
  pid: process.pid,
  apiUrl: runtime.apiUrl,
  dynamoDbEndpoint: runtime.dynamoDbEndpoint,
  sqsEndpoint: runtime.sqsEndpoint,
  env: runtime.env,
  startedAt: new Date().toISOString(),
});
process.stderr.write(
  `wp-sync local runtime: ${runtime.apiUrl} (data: ${dir})\n`,
);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`stopping on ${signal}\n`);
  await removeRuntimeInfo(paths.runtimeFile, process.pid);
  await runtime.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
