/**
 * `runtime.json` in the data folder: how a command finds the local runtime
 * that serves that folder.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { z } from 'zod';

const runtimeInfoSchema = z.object({
  pid: z.number().int().positive(),
  apiUrl: z.url(),
  dynamoDbEndpoint: z.url(),
  sqsEndpoint: z.url(),
  /** Physical names of the tables and URLs of the queues, by env variable. */
  env: z.record(z.string(), z.string()),
  startedAt: z.string(),
});

export type RuntimeInfo = z.infer<typeof runtimeInfoSchema>;

/** Writes the runtime's address; only the runtime calls this. */
export async function writeRuntimeInfo(
  file: string,
  info: RuntimeInfo,
): Promise<void> {
  await writeFile(file, JSON.stringify(info, null, 2), { mode: 0o600 });
}

/** The runtime serving a data folder, if one is alive. */
export async function findRunningRuntime(
  file: string,
): Promise<RuntimeInfo | undefined> {
  let info: RuntimeInfo;
  try {
    info = runtimeInfoSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    return undefined;
  }
  if (!isAlive(info.pid)) {
    return undefined;
  }
  try {
    const answer = await fetch(`${info.apiUrl}/health`, {
      signal: AbortSignal.timeout(2000),
    });
    return answer.ok ? info : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the runtime file if it still names this process. */
export async function removeRuntimeInfo(file: string, pid: number) {
  try {
    const info = JSON.parse(await readFile(file, 'utf8'));
    if (info.pid === pid) {
      await rm(file, { force: true });
    }
  } catch {
    // Nothing to remove.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
