import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { apiHandler } from '../shared/api/handler.js';
import { json, parseBody, parseQuery } from '../shared/api/http.js';
import { idempotencyStore } from '../shared/api/idempotency.js';
import { noQuerySchema, siteIdSchema } from '../shared/api/schemas.js';
import { withinApiBudget } from '../shared/api/wordpress-budget.js';
import { METRICS } from '../shared/observability/metric-names.js';
import { createTelemetry } from '../shared/observability/telemetry.js';
import { createService } from '../shared/service.js';
import { startSync } from '../shared/sync/start-sync.js';

const service = createService();
const telemetry = createTelemetry('wp-sync-api');
const idempotency = idempotencyStore(service.settings);

const bodySchema = z.strictObject({ siteId: siteIdSchema });

/** `POST /api/wordpress/sync-all`: starts a full sync of a tenant's site. */
export const handler = apiHandler(
  telemetry,
  async (event, context) => {
    parseQuery(event, noQuerySchema);
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
        wordpress: withinApiBudget(service.wordpress),
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
  },
  { idempotency },
);
