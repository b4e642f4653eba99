import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { apiHandler } from '../shared/api/handler.js';
import { json, parseBody } from '../shared/api/http.js';
import { METRICS } from '../shared/observability/metric-names.js';
import { createTelemetry } from '../shared/observability/telemetry.js';
import { createService } from '../shared/service.js';
import { startSync } from '../shared/sync/start-sync.js';

const service = createService();
const telemetry = createTelemetry('wp-sync-api');

const bodySchema = z.strictObject({
  siteId: z.string().regex(/^site_[a-f0-9]{24}$/, 'not a site id'),
});

/** `POST /api/wordpress/sync-all`: starts a full sync of a tenant's site. */
export const handler = apiHandler(telemetry, async (event, context) => {
  const { siteId } = parseBody(event, bodySchema);

  const { syncId, startedAt } = await startSync(
    {
      tenantId: context.tenantId,
      siteId,
      correlationId: context.correlationId,
    },
    {
      sites: service.siteAccess,
      syncs: service.syncs,
      dispatcher: service.dispatcher,
      log: telemetry.logger,
      wordpress: service.wordpress,
    },
  );
  telemetry.metrics.addMetric(METRICS.syncsStarted, MetricUnit.Count, 1);

  return json(
    202,
    {
      syncId,
      status: 'queued',
      startedAt,
      report: `/api/wordpress/sync/${syncId}`,
    },
    context.correlationId,
  );
});
