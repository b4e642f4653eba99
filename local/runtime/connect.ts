/**
 * Gives a command the local runtime of its data folder: the one already
 * running, or one started for the command and stopped after it.
 */
import { spawn } from 'node:child_process';
import { mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { dataPaths, PROJECT_DIR } from './paths.js';
import { findRunningRuntime, type RuntimeInfo } from './runtime-file.js';

/** A runtime a command may use; `release` stops it if the command started it. */
export interface RuntimeLease {
  readonly info: RuntimeInfo;
  readonly startedHere: boolean;
  release(): Promise<void>;
}

const START_TIMEOUT_MS = 90_000;

/**
 * Connects to the data folder's runtime, starting one when none runs.
 *
 * A runtime started here writes its logs to the data folder's log file,
 * never to this process's stdout.
 */
export async function connectRuntime(
  dir: string,
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<RuntimeLease> {
  const paths = dataPaths(dir);
  const running = await findRunningRuntime(paths.runtimeFile);
  if (running) {
    return { info: running, startedHere: false, release: async () => {} };
  }
  await mkdir(dirname(paths.logFile), { recursive: true });
  const log = await open(paths.logFile, 'a');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(PROJECT_DIR, 'local', 'runtime', 'main.ts')],
    {
      cwd: PROJECT_DIR,
      env: {
        ...process.env,
        ...options.env,
        WP_SYNC_DATA_DIR: dir,
        // The runtime runs on Node 20 here; the Lambdas run on 22.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      stdio: ['ignore', log.fd, log.fd],
    },
  );
  await log.close();
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const info = await findRunningRuntime(paths.runtimeFile);
    if (info && info.pid === child.pid) {
      return {
        info,
        startedHere: true,
        release: () => stopChild(child.pid ?? 0, () => exited !== undefined),
      };
    }
    if (exited !== undefined) {
      throw new Error(
        `The local runtime exited (code ${exited}) before it was ready; ` +
          `see ${paths.logFile}`,
      );
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(
        `The local runtime was not ready within ${START_TIMEOUT_MS / 1000} s; ` +
          `see ${paths.logFile}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function stopChild(pid: number, hasExited: () => boolean) {
  if (hasExited()) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 20_000;
  while (!hasExited() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!hasExited()) {
    process.kill(pid, 'SIGKILL');
  }
}
