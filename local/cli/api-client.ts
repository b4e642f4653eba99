/**
 * A small client of wp-sync's HTTP API, as a tenant's code would call it.
 */
import { randomUUID } from 'node:crypto';
import type { SyncReport } from '../../shared/sync/report.js';

/** An API answer that was not a success. */
export class ApiAnswerError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiAnswerError';
  }
}

export class WpSyncApi {
  readonly correlationId: string;

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    correlationId: string = randomUUID(),
  ) {
    this.correlationId = correlationId;
  }

  registerSite(site: {
    url: string;
    username: string;
    appPassword: string;
  }): Promise<{ siteId: string; url: string }> {
    return this.call('POST', '/api/wordpress/sites', site);
  }

  startSync(siteId: string): Promise<{ syncId: string }> {
    return this.call('POST', '/api/wordpress/sync-all', { siteId });
  }

  report(syncId: string): Promise<SyncReport> {
    return this.call(
      'GET',
      `/api/wordpress/sync/${encodeURIComponent(syncId)}`,
    );
  }

  private async call<T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
    const answer = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        'x-correlation-id': this.correlationId,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await answer.text();
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text);
    } catch {
      json = { code: 'BAD_ANSWER', message: text.slice(0, 200) };
    }
    if (!answer.ok) {
      throw new ApiAnswerError(
        answer.status,
        String(json.code ?? 'UNKNOWN'),
        String(json.message ?? `HTTP ${answer.status}`),
        json,
      );
    }
    return json as T;
  }
}
