/**
 * A stand-in for DynamoDB's JSON protocol on 127.0.0.1, answering each
 * request as a test decides, and keeping the requests for assertions.
 */
import { createServer, type Server } from 'node:http';

/** One request as the SDK sent it. */
export interface DynamoRequest {
  /** The operation, e.g. `UpdateItem`. */
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

/** An answer: a JSON body, or a DynamoDB error by its short name. */
export type DynamoAnswer =
  | { readonly ok: Record<string, unknown> }
  | { readonly error: string; readonly status?: number };

/** A running fake. */
export interface FakeDynamo {
  readonly endpoint: string;
  readonly requests: DynamoRequest[];
  close(): Promise<void>;
}

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeDynamo(
  answer: (request: DynamoRequest) => DynamoAnswer,
): Promise<FakeDynamo> {
  const requests: DynamoRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const request: DynamoRequest = {
        operation: target.split('.').at(-1) ?? '',
        body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'),
      };
      requests.push(request);
      const reply = answer(request);
      const [status, body] =
        'ok' in reply
          ? [200, reply.ok]
          : [
              reply.status ?? 400,
              {
                __type: `com.amazonaws.dynamodb.v20120810#${reply.error}`,
                message: `${reply.error} from the test's stand-in`,
              },
            ];
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.0',
      });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (typeof address !== 'object' || address === null) {
    throw new Error('The fake DynamoDB has no port');
  }
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
