/**
 * A fault-injecting HTTP proxy for tests: it stands in front of a WordPress
 * origin on 127.0.0.1 and fails a seeded, repeatable share of the requests
 * the way real sites and networks fail, passing everything else through.
 */
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request as originRequest,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** The faults the proxy can inject. */
export const FAULT_KINDS = [
  'serverError',
  'internalError',
  'rateLimited',
  'timeout',
  'reset',
  'truncated',
] as const;

/**
 * One kind of fault:
 * - `serverError`: 502, 503 or 504 with an HTML body, as a gateway answers;
 * - `internalError`: 500, as PHP answers when rendering fatals (the client
 *   then splits a collection page to look for a broken item);
 * - `rateLimited`: 429 with `Retry-After`;
 * - `timeout`: no answer at all for `holdMs`, then the connection drops;
 * - `reset`: the connection is reset before any answer;
 * - `truncated`: the origin's answer with its full `Content-Length` but
 *   only half of its body, then the connection ends.
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Share of requests to fail with each kind, 0 to 1; absent means 0. */
export type FaultRates = Partial<Record<FaultKind, number>>;

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** Origin to forward to, `http://127.0.0.1:PORT`; loopback only. */
  readonly origin: string;
  /** Seed of every choice, so the same requests meet the same faults. */
  readonly seed: number;
  /**
   * Rates to start with; {@link FaultProxy.setRates} changes them.
   * @default {} (no faults: a plain proxy)
   */
  readonly rates?: FaultRates;
  /**
   * `Retry-After` of a `rateLimited` answer, in seconds.
   * @default 1
   */
  readonly retryAfterSeconds?: number;
  /**
   * How long a `timeout` holds the request before dropping it.
   * @default 2000
   */
  readonly holdMs?: number;
  /**
   * Answers in a row that a request path gets once it drew a 500: WordPress
   * fails the same way every time an item cannot render, and the client
   * tells that from a blip by asking again.
   * @default 1
   */
  readonly internalErrorRepeats?: number;
}

/** One request the proxy saw. */
export interface ProxiedRequest {
  /** Method, path and query, as the client sent them. */
  readonly target: string;
  /** How many times this target had been asked for, this one included. */
  readonly attempt: number;
  /** The fault it met, if any. */
  readonly fault?: FaultKind;
  /** The status sent, if an answer was sent at all. */
  readonly status?: number;
}

/** A running fault proxy. */
export interface FaultProxy {
  /** Its origin: give it to the client as the site URL. */
  readonly url: string;
  /** Changes the rates from the next request on; `{}` stops the faults. */
  setRates(rates: FaultRates): void;
  /** How many faults of each kind were injected so far. */
  injected(): Record<FaultKind, number>;
  /** Every request so far, in arrival order. */
  requests(): readonly ProxiedRequest[];
  /** Stops listening and drops open connections, held ones included. */
  close(): Promise<void>;
}

/** Hop-by-hop headers, and those the proxy sets itself after rewriting. */
const UNFORWARDED_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'content-encoding',
]);

const GATEWAY_STATUSES = [502, 503, 504] as const;

/**
 * Starts a proxy on 127.0.0.1 in front of `origin`.
 *
 * Faults are spread evenly: with a total rate r, one request in each run
 * of 1/r requests fails, at a seeded place within the run, and the kinds
 * take turns in proportion to their rates (smooth weighted round robin).
 * So the counts after n requests depend on n alone, whatever order
 * concurrent requests arrive in, and every kind with a rate shows up once
 * enough requests came. Answers that pass have the origin's URL replaced
 * by the proxy's, in headers and bodies (JSON escapes its slashes), so the
 * client discovers and follows the proxy, never the origin.
 *
 * @throws when the origin is not an http URL on 127.0.0.1.
 * @example
 * const proxy = await startFaultProxy({ origin: wp.url, seed: 7 });
 * proxy.setRates({ serverError: 0.1, reset: 0.1 });
 * // ... point the client at proxy.url ...
 * console.info(proxy.injected());
 * await proxy.close();
 */
export async function startFaultProxy(
  options: FaultProxyOptions,
): Promise<FaultProxy> {
  const origin = new URL(options.origin);
  if (origin.protocol !== 'http:' || origin.hostname !== '127.0.0.1') {
    throw new Error(`The origin must be http://127.0.0.1:…, not ${origin}`);
  }
  const random = mulberry32(options.seed);
  const schedule = new FaultSchedule(random, options.rates ?? {});
  const injected = Object.fromEntries(
    FAULT_KINDS.map((kind) => [kind, 0]),
  ) as Record<FaultKind, number>;
  const seen: ProxiedRequest[] = [];
  const attempts = new Map<string, number>();
  // Paths that drew a 500 and owe more of them, with how many.
  const owedInternalErrors = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let proxyOrigin = '';

  const note = (entry: ProxiedRequest) => {
    seen.push(entry);
    if (entry.fault) injected[entry.fault] += 1;
  };

  const server = createServer((incoming, outgoing) => {
    const target = `${incoming.method ?? 'GET'} ${incoming.url ?? '/'}`;
    const attempt = (attempts.get(target) ?? 0) + 1;
    attempts.set(target, attempt);
    const owed = owedInternalErrors.get(target) ?? 0;
    let fault: FaultKind | undefined;
    if (owed > 0) {
      owedInternalErrors.set(target, owed - 1);
      fault = 'internalError';
    } else {
      fault = schedule.next();
      const repeats = (options.internalErrorRepeats ?? 1) - 1;
      if (fault === 'internalError' && repeats > 0) {
        owedInternalErrors.set(target, repeats);
      }
    }
    const context = { target, attempt, incoming, outgoing };
    switch (fault) {
      case 'serverError': {
        const index = Math.floor(random() * GATEWAY_STATUSES.length);
        const status = GATEWAY_STATUSES[index] ?? 502;
        sendHtml(outgoing, status, `<h1>${status} Bad Gateway</h1>`);
        note({ target, attempt, fault, status });
        return;
      }
      case 'internalError':
        sendHtml(
          outgoing,
          500,
          '<p>There has been a critical error on this website.</p>',
        );
        note({ target, attempt, fault, status: 500 });
        return;
      case 'rateLimited': {
        const seconds = options.retryAfterSeconds ?? 1;
        outgoing.writeHead(429, {
          'content-type': 'application/json; charset=UTF-8',
          'retry-after': String(seconds),
          connection: 'close',
        });
        outgoing.end(
          JSON.stringify({
            code: 'too_many_requests',
            message: 'Slow down.',
            data: { status: 429 },
          }),
        );
        note({ target, attempt, fault, status: 429 });
        return;
      }
      case 'timeout': {
        incoming.resume();
        const timer = setTimeout(() => {
          timers.delete(timer);
          incoming.socket.destroy();
        }, options.holdMs ?? 2000);
        timers.add(timer);
        note({ target, attempt, fault });
        return;
      }
      case 'reset':
        incoming.socket.resetAndDestroy();
        note({ target, attempt, fault });
        return;
      default:
        forward(context, fault === 'truncated');
    }
  });

  const forward = (
    context: {
      target: string;
      attempt: number;
      incoming: IncomingMessage;
      outgoing: ServerResponse;
    },
    truncate: boolean,
  ) => {
    const { target, attempt, incoming, outgoing } = context;
    const failUpstream = (error: Error) => {
      // The origin itself failed: say so, as a gateway would.
      if (!outgoing.headersSent) {
        sendHtml(outgoing, 502, `<p>origin failed: ${error.message}</p>`);
      }
      note({ target, attempt, status: 502 });
    };
    const answer = (upstream: IncomingMessage, raw: Buffer) => {
      const body = rewriteBody(upstream.headers, raw, origin, proxyOrigin);
      const status = upstream.statusCode ?? 502;
      outgoing.writeHead(status, {
        ...rewriteHeaders(upstream.headers, origin.origin, proxyOrigin),
        'content-length': String(body.length),
        ...(truncate && { connection: 'close' }),
      });
      if (!truncate) {
        outgoing.end(body);
        note({ target, attempt, status });
        return;
      }
      // Less than the declared length, then the end of the stream.
      const half = body.subarray(0, Math.floor(body.length / 2));
      outgoing.write(half, () => incoming.socket.end());
      note({ target, attempt, fault: 'truncated', status });
    };
    const upstream = originRequest(
      {
        host: origin.hostname,
        port: origin.port,
        method: incoming.method,
        path: incoming.url,
        // Identity, so bodies can be rewritten; the client decodes either.
        headers: {
          ...incoming.headers,
          host: origin.host,
          'accept-encoding': 'identity',
        },
        agent: false,
      },
      (response) => {
        readAll(response).then((raw) => answer(response, raw), failUpstream);
      },
    );
    upstream.on('error', failUpstream);
    incoming.pipe(upstream);
  };

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((listening, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => listening());
  });
  const { port } = server.address() as AddressInfo;
  proxyOrigin = `http://127.0.0.1:${port}`;

  return {
    url: proxyOrigin,
    setRates: (rates) => schedule.setRates(rates),
    injected: () => ({ ...injected }),
    requests: () => [...seen],
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((closed) => server.close(() => closed()));
    },
  };
}

/**
 * Decides, request by request, which ones fail and how. One fault falls in
 * each run of `1 / total rate` requests; which request of the run is drawn
 * from the seed when the run starts.
 */
class FaultSchedule {
  private weights: [FaultKind, number][] = [];
  private readonly current = new Map<FaultKind, number>();
  private runLength = 0;
  private position = 0;
  private faultAt = -1;

  constructor(
    private readonly random: () => number,
    rates: FaultRates,
  ) {
    this.setRates(rates);
  }

  setRates(rates: FaultRates): void {
    this.weights = FAULT_KINDS.flatMap((kind): [FaultKind, number][] => {
      const rate = rates[kind] ?? 0;
      if (!(rate >= 0 && rate <= 1)) {
        throw new Error(`The rate of ${kind} must be in [0, 1], not ${rate}`);
      }
      return rate > 0 ? [[kind, rate]] : [];
    });
    const total = this.weights.reduce((sum, [, rate]) => sum + rate, 0);
    if (total > 1) {
      throw new Error(`The rates add up to ${total}, more than 1`);
    }
    this.runLength = total > 0 ? Math.max(1, Math.round(1 / total)) : 0;
    this.position = 0;
    this.faultAt = -1;
  }

  next(): FaultKind | undefined {
    if (this.runLength === 0) return undefined;
    if (this.position === 0) {
      this.faultAt = Math.floor(this.random() * this.runLength);
    }
    const fails = this.position === this.faultAt;
    this.position = (this.position + 1) % this.runLength;
    return fails ? this.nextKind() : undefined;
  }

  /** Smooth weighted round robin: each kind's turns follow its weight. */
  private nextKind(): FaultKind | undefined {
    const total = this.weights.reduce((sum, [, rate]) => sum + rate, 0);
    let best: FaultKind | undefined;
    let bestWeight = Number.NEGATIVE_INFINITY;
    for (const [kind, rate] of this.weights) {
      const weight = (this.current.get(kind) ?? 0) + rate;
      this.current.set(kind, weight);
      if (weight > bestWeight) {
        best = kind;
        bestWeight = weight;
      }
    }
    if (best !== undefined) {
      this.current.set(best, bestWeight - total);
    }
    return best;
  }
}

/** Mulberry32: a tiny seeded generator of numbers in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

function sendHtml(outgoing: ServerResponse, status: number, html: string) {
  outgoing.writeHead(status, {
    'content-type': 'text/html; charset=UTF-8',
    connection: 'close',
  });
  outgoing.end(`<!DOCTYPE html><html><body>${html}</body></html>`);
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => done(Buffer.concat(chunks)));
    stream.once('error', fail);
  });
}

function rewriteHeaders(
  headers: IncomingHttpHeaders,
  from: string,
  to: string,
): Record<string, string | string[]> {
  const rewritten: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || UNFORWARDED_HEADERS.has(name)) continue;
    rewritten[name] = Array.isArray(value)
      ? value.map((entry) => entry.replaceAll(from, to))
      : value.replaceAll(from, to);
  }
  return rewritten;
}

/** Replaces the origin in a textual body: plain, JSON-escaped, encoded. */
function rewriteBody(
  headers: IncomingHttpHeaders,
  body: Buffer,
  origin: URL,
  to: string,
): Buffer {
  const type = headers['content-type'] ?? '';
  if (!/json|text|xml|javascript/i.test(type)) return body;
  const jsonEscaped = (text: string) => text.replaceAll('/', '\\/');
  const text = body
    .toString('utf8')
    .replaceAll(jsonEscaped(origin.origin), jsonEscaped(to))
    .replaceAll(origin.origin, to)
    .replaceAll(encodeURIComponent(origin.origin), encodeURIComponent(to));
  return Buffer.from(text, 'utf8');
}
