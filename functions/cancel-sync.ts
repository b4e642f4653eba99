import { apiHandler } from '../shared/api/handler.js';
import { json, parseBody, parsePath, parseQuery } from '../shared/api/http.js';
import { idempotencyStore } from '../shared/api/idempotency.js';
import {
  noQuerySchema,
  syncNotFound,
  syncPathSchema,
} from '../shared/api/schemas.js';
import { createTelemetry } from '../shared/observability/telemetry.js';
import { createService } from '../shared/service.js';
import { cancelSync, errorOf } from '../shared/sync/cancel-sync.js';

const service = createService();
const telemetry = createTelemetry('wp-sync-api');
const idempotency = idempotencyStore(service.settings);

/**
 * `POST /api/wordpress/sync/{syncId}/cancel`: ends a running sync as
 * `failed` with `SYNC_CANCELLED` and frees its site for the next sync.
 */
export const handler = apiHandler(
  telemetry,
  async (event, context) => {
    const { syncId } = parsePath(event, syncPathSchema, syncNotFound());
    parseQuery(event, noQuerySchema);
    // An empty body or `{}`: nothing to say but the path.
    parseBody(event, noQuerySchema);

    const sync = await cancelSync(
      { tenantId: context.tenantId, syncId },
      { syncs: service.syncs, log: telemetry.logger },
    );

    return json(
      200,
      {
        syncId: sync.syncId,
        siteId: sync.siteId,
        status: sync.status,
        finishedAt: sync.finishedAt,
        error: errorOf(sync),
        report: `/api/wordpress/sync/${sync.syncId}`,
      },
      context.correlationId,
    );
  },
  { idempotency },
);
