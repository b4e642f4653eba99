/**
 * Runs a bundled handler from a cloud assembly in a child Node process,
 * with its template environment made concrete and every AWS endpoint on
 * a closed port of 127.0.0.1, so nothing leaves the machine.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const RUNNER = fileURLToPath(new URL('./invoke-handler.mjs', import.meta.url));
const RESULT_MARK = '@@handler-result ';

/** What one invocation printed and answered. */
export interface Invocation {
  readonly result: unknown;
  /** Every JSON line the handler wrote: Powertools logs and EMF metrics. */
  readonly records: Record<string, unknown>[];
  readonly stderr: string;
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (typeof address !== 'object' || address === null) {
    throw new Error('No port');
  }
  return address.port;
}

/**
 * The environment of a function's template made concrete: references to
 * tables become dummy names and references to queues dummy URLs on the
 * closed port; AWS credentials are fake and every endpoint is local.
 *
 * @param dynamoDbEndpoint a local stand-in for DynamoDB.
 * @default dynamoDbEndpoint - the closed port
 */
export function localEnvironment(
  variables: Readonly<Record<string, unknown>>,
  port: number,
  dynamoDbEndpoint?: string,
): Record<string, string> {
  const endpoint = `http://127.0.0.1:${port}`;
  const concrete = Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [
      name,
      typeof value === 'string'
        ? value
        : name.endsWith('_URL')
          ? `${endpoint}/000000000000/${name.toLowerCase()}`
          : `bundle-test-${name.toLowerCase()}`,
    ]),
  );
  return {
    PATH: process.env.PATH ?? '',
    ...concrete,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'bundle-test',
    AWS_SECRET_ACCESS_KEY: 'bundle-test',
    AWS_ENDPOINT_URL: endpoint,
    DYNAMODB_ENDPOINT: dynamoDbEndpoint ?? endpoint,
    SQS_ENDPOINT: endpoint,
    // No instance metadata lookups, no profiles from this machine.
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_LAMBDA_FUNCTION_NAME: 'bundle-test',
  };
}

/** Invokes `index.mjs` of an asset folder with one event. */
export async function invokeBundle(
  bundle: string,
  event: unknown,
  env: Record<string, string>,
): Promise<Invocation> {
  const eventFile = join(mkdtempSync(join(tmpdir(), 'wp-sync-event-')), 'e');
  writeFileSync(eventFile, JSON.stringify(event));
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [RUNNER, bundle, eventFile],
    { env, timeout: 25_000, maxBuffer: 16 * 1024 * 1024 },
  );
  const lines = stdout.split('\n');
  const marked = lines.find((line) => line.startsWith(RESULT_MARK));
  if (!marked) {
    throw new Error(`The handler gave no answer:\n${stdout}\n${stderr}`);
  }
  const records = lines.flatMap((line) => {
    try {
      const parsed: unknown = JSON.parse(line);
      return typeof parsed === 'object' && parsed !== null
        ? [parsed as Record<string, unknown>]
        : [];
    } catch {
      return [];
    }
  });
  return {
    result: JSON.parse(marked.slice(RESULT_MARK.length)),
    records,
    stderr,
  };
}
