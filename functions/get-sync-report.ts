import { apiHandler } from '../shared/api/handler.js';
import {
  expectNoBody,
  json,
  parsePath,
  parseQuery,
} from '../shared/api/http.js';
import {
  noQuerySchema,
  syncNotFound,
  syncPathSchema,
} from '../shared/api/schemas.js';
import { createTelemetry } from '../shared/observability/telemetry.js';
import { createService } from '../shared/service.js';
import { errorOf } from '../shared/sync/cancel-sync.js';
import { buildReport } from '../shared/sync/report.js';

const service = createService();
const telemetry = createTelemetry('wp-sync-api');

/** `GET /api/wordpress/sync/{syncId}`: the consolidated report of a sync. */
export const handler = apiHandler(telemetry, async (event, context) => {
  const { syncId } = parsePath(event, syncPathSchema, syncNotFound());
  parseQuery(event, noQuerySchema);
  expectNoBody(event);

  const bundle = await service.syncs.getBundle(syncId);
  if (!bundle || bundle.sync.tenantId !== context.tenantId) {
    throw syncNotFound();
  }

  const error = errorOf(bundle.sync);
  return json(
    200,
    { ...buildReport(bundle), ...(error && { error }) },
    context.correlationId,
  );
});
