import { apiHandler } from '../shared/api/handler.js';
import { ApiError, json } from '../shared/api/http.js';
import { createTelemetry } from '../shared/observability/telemetry.js';
import { createService } from '../shared/service.js';
import { buildReport } from '../shared/sync/report.js';

const service = createService();
const telemetry = createTelemetry('wp-sync-api');

const SYNC_ID = /^sync_[a-f0-9]{32}$/;

/** `GET /api/wordpress/sync/{syncId}`: the consolidated report of a sync. */
export const handler = apiHandler(telemetry, async (event, context) => {
  const syncId = event.pathParameters?.syncId ?? '';
  // A malformed id, a random one and another tenant's all get the same
  // answer, so the answer says nothing about which syncs exist.
  const notFound = new ApiError(404, 'SYNC_NOT_FOUND', 'No such sync');
  if (!SYNC_ID.test(syncId)) {
    throw notFound;
  }

  const bundle = await service.syncs.getBundle(syncId);
  if (!bundle || bundle.sync.tenantId !== context.tenantId) {
    throw notFound;
  }

  return json(200, buildReport(bundle), context.correlationId);
});
