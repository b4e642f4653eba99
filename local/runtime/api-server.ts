/**
 * Serves the API handlers over HTTP on 127.0.0.1, handing each the event
 * API Gateway's HTTP API (payload 2.0, JWT authorizer) would.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { WpSyncError } from '../../shared/errors.js';
import type { RouteDefinition } from '../../shared/routes.js';
import { lambdaContext } from './lambda-context.js';

type ApiHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** A route with its loaded handler. */
export interface LoadedRoute extends RouteDefinition {
  readonly invoke: ApiHandler;
}

/** API Gateway refuses larger payloads; so do we. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/**
 * Starts the API server.
 *
 * @param verify turns the Authorization header into the token's claims,
 *   as the JWT authorizer does; it throws for a bad token.
 */
export async function startApiServer(options: {
  routes: readonly LoadedRoute[];
  verify: (
    authorization: string | undefined,
  ) => Promise<Record<string, string>>;
  port?: number;
  timeoutMs?: number;
}): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  // One invocation per handler at a time, as one Lambda instance runs one:
  // handlers keep per-request log keys at module scope.
  const matchers = options.routes.map((route) => ({
    route: { ...route, invoke: oneAtATime(route.invoke) },
    pattern: new RegExp(
      `^${route.path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`,
    ),
  }));
  const server = createServer((request, response) => {
    serve(request, response).catch((error) => {
      send(response, 500, { code: 'INTERNAL', message: String(error) });
    });
  });

  async function serve(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/health') {
      return send(response, 200, { ok: true });
    }
    const found = matchers
      .map(({ route, pattern }) => ({
        route,
        match: pattern.exec(url.pathname),
      }))
      .filter(({ match }) => match);
    const hit = found.find(({ route }) => route.method === request.method);
    if (!hit?.match) {
      return found.length > 0
        ? send(response, 405, {
            code: 'METHOD_NOT_ALLOWED',
            message: 'Method not allowed',
          })
        : send(response, 404, { code: 'NOT_FOUND', message: 'No such route' });
    }
    let claims: Record<string, string>;
    try {
      claims = await options.verify(request.headers.authorization);
    } catch (error) {
      // API Gateway answers 401 itself; the handler never runs.
      const message =
        error instanceof WpSyncError ? error.message : 'Unauthorized';
      return send(response, 401, { code: 'UNAUTHENTICATED', message });
    }
    const body = await readBody(request);
    if (body === undefined) {
      return send(response, 413, {
        code: 'BODY_TOO_LARGE',
        message: 'Request body too large',
      });
    }
    const event = toEvent(
      request,
      url,
      hit.route,
      hit.match.groups ?? {},
      claims,
      body,
    );
    const result = await hit.route.invoke(
      event,
      lambdaContext(hit.route.handler, options.timeoutMs ?? 29_000),
    );
    response.writeHead(result.statusCode ?? 200, {
      ...(result.headers as Record<string, string>),
    });
    response.end(result.body ?? '');
  }

  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function toEvent(
  request: IncomingMessage,
  url: URL,
  route: RouteDefinition,
  pathParameters: Record<string, string>,
  claims: Record<string, string>,
  body: string,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) {
      headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
  }
  const query = Object.fromEntries(url.searchParams);
  const routeKey = `${route.method} ${route.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
    ...(Object.keys(pathParameters).length > 0 && {
      pathParameters: Object.fromEntries(
        Object.entries(pathParameters).map(([k, v]) => [
          k,
          decodeURIComponent(v),
        ]),
      ),
    }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: {
        principalId: claims.sub ?? '',
        integrationLatency: 0,
        jwt: { claims, scopes: [] },
      },
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body !== '' && { body }),
    isBase64Encoded: false,
  };
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) {
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
  });
  response.end(JSON.stringify(body));
}

function oneAtATime<A extends unknown[], R>(
  work: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  let tail: Promise<unknown> = Promise.resolve();
  return (...args: A) => {
    const run = tail.then(() => work(...args));
    tail = run.catch(() => undefined);
    return run;
  };
}
