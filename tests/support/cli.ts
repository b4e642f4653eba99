import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_DIR } from '../../local/runtime/paths.js';

/** What a CLI command printed and how it exited. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs one of the CLI's commands (`local/cli/<name>.ts`) as a user would,
 * in its own process, on the given data folder.
 */
export function runCli(
  name: 'sync' | 'export' | 'policy' | 'token' | 'demo' | 'redrive',
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 900_000,
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        '--import',
        'tsx',
        join(PROJECT_DIR, 'local', 'cli', `${name}.ts`),
        ...args,
      ],
      {
        cwd: PROJECT_DIR,
        env: { ...process.env, ...env },
        timeout: timeoutMs,
        maxBuffer: 256 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code =
          error && typeof error.code === 'number' ? error.code : error ? 1 : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
