import type { AddressInfo } from 'node:net';
import { buildApp } from 'fauxqs';
import { LocalAwsError } from './errors.js';

/** Options of {@link startSqsLocal}. */
export interface SqsLocalOptions {
  /**
   * Port to listen on, on 127.0.0.1.
   * @default 0 (a free port chosen by the system)
   */
  readonly port?: number;
}

/** A running SQS emulator. */
export interface SqsLocal {
  /** `http://127.0.0.1:PORT`, for a client's `endpoint`. */
  readonly endpoint: string;
  /** Stops the server; every queue and message is gone. Safe to call twice. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * Serves the fauxqs SQS emulator in this process on 127.0.0.1.
 *
 * fauxqs's own `startFauxqs` binds every interface, so this builds its app
 * and listens on loopback itself. Queue URLs it hands out have the form
 * `http://sqs.us-east-1.localhost:PORT/000000000000/NAME`; that host does not
 * resolve here, and it need not: a client built with `endpoint` set (see
 * `createLocalSqsClient`) sends every request to the endpoint and fauxqs
 * finds the queue by the URL in the request. State lives in memory only:
 * queues and messages are gone after {@link SqsLocal.stop}.
 *
 * @throws {LocalAwsError} when the port cannot be bound.
 * @example
 * const sqs = await startSqsLocal();
 * const client = createLocalSqsClient(sqs.endpoint);
 * // ...
 * await sqs.stop();
 */
export async function startSqsLocal(
  options: SqsLocalOptions = {},
): Promise<SqsLocal> {
  const { port = 0 } = options;
  const app = buildApp({ logger: false });
  try {
    await app.listen({ host: HOST, port });
  } catch (error) {
    await app.close();
    throw new LocalAwsError(
      'INTERNAL',
      `The SQS emulator could not listen on ${HOST}:${port}`,
      { cause: error },
    );
  }
  const { port: boundPort } = app.server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://${HOST}:${boundPort}`,
    stop: () => {
      stopped ??= app.close();
      return stopped;
    },
  };
}
