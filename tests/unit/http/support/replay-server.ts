/**
 * A raw TCP server on 127.0.0.1 that answers with exactly the bytes a test
 * gives it, so responses can be malformed the way real sites are (BOMs,
 * cut-off bodies, resets) without an HTTP library tidying them up.
 */
import net from 'node:net';

/** A request as the server saw it. */
export interface SeenRequest {
  method: string;
  /** Path and query, as sent. */
  target: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The request line and headers, verbatim. */
  raw: string;
}

/** What the server does with a request. */
export type Reply =
  | {
      status: number;
      reason?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
      /** Declare this Content-Length, whatever the body length. */
      contentLength?: number;
    }
  /** These exact bytes, then close. */
  | { raw: string | Buffer }
  /** Close the connection without answering. */
  | { reset: true }
  /** Never answer. */
  | { hang: true };

export type Handler = (request: SeenRequest) => Reply | Promise<Reply>;

/** A running server. */
export interface ReplayServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** Starts a server; close it in `afterEach`. */
export async function startReplayServer(
  handler: Handler,
): Promise<ReplayServer> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = '';
    socket.on('data', async (chunk) => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0 || buffered === '') return;
      const head = buffered.slice(0, end);
      buffered = '';
      const request = parseRequest(head);
      requests.push(request);
      const reply = await handler(request);
      send(socket, reply);
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve()),
  );
  const { port } = server.address() as net.AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parseRequest(head: string): SeenRequest {
  const [line = '', ...headerLines] = head.split('\r\n');
  const [method = '', target = ''] = line.split(' ');
  const headers: Record<string, string> = {};
  for (const header of headerLines) {
    const colon = header.indexOf(':');
    headers[header.slice(0, colon).trim().toLowerCase()] = header
      .slice(colon + 1)
      .trim();
  }
  return { method, target, headers, raw: head };
}

function send(socket: net.Socket, reply: Reply): void {
  if ('hang' in reply) return;
  if ('reset' in reply) {
    socket.resetAndDestroy();
    return;
  }
  if ('raw' in reply) {
    socket.end(reply.raw);
    return;
  }
  const body =
    typeof reply.body === 'string'
      ? Buffer.from(reply.body, 'utf8')
      : (reply.body ?? Buffer.alloc(0));
  const lines = [`HTTP/1.1 ${reply.status} ${reply.reason ?? 'Status'}`];
  for (const [name, value] of Object.entries(reply.headers ?? {})) {
    lines.push(`${name}: ${value}`);
  }
  lines.push(`Content-Length: ${reply.contentLength ?? body.length}`);
  lines.push('Connection: close', '', '');
  socket.write(lines.join('\r\n'));
  if (reply.contentLength !== undefined && reply.contentLength > body.length) {
    // A body shorter than declared: the server dies mid-response.
    socket.write(body, () => socket.destroy());
    return;
  }
  socket.end(body);
}

/**
 * Turns an HTTP message written as in the case files (status line,
 * headers, blank line, body; `\n` line ends) into the bytes a server
 * sends, adding Content-Length and Connection: close.
 */
export function messageBytes(message: string): Buffer {
  const split = message.indexOf('\n\n');
  const head = split < 0 ? message : message.slice(0, split);
  const body = Buffer.from(split < 0 ? '' : message.slice(split + 2), 'utf8');
  const lines = head.split('\n').filter((line) => line !== '');
  lines.push(`Content-Length: ${body.length}`, 'Connection: close', '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body]);
}
