import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project folder, wherever the command was started from. */
export const PROJECT_DIR = resolve(
  fileURLToPath(new URL('.', import.meta.url)),
  '..',
  '..',
);

/**
 * The local runtime's data folder: `WP_SYNC_DATA_DIR`, else `.wp-sync/` in
 * the project. It holds DynamoDB Local's files, the sealed secrets, the
 * token key, the runtime's address and its logs.
 */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.WP_SYNC_DATA_DIR ?? join(PROJECT_DIR, '.wp-sync'));
}

/** Files inside a data folder. */
export function dataPaths(dir: string) {
  return {
    dynamodb: join(dir, 'dynamodb'),
    runtimeFile: join(dir, 'runtime.json'),
    logFile: join(dir, 'logs', 'runtime.log'),
    tokenKey: join(dir, 'token.key'),
    lockFile: join(dir, 'runtime.lock'),
  };
}
