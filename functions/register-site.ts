import { z } from 'zod';
import { apiHandler } from '../shared/api/handler.js';
import { json, parseBody, parseQuery } from '../shared/api/http.js';
import { idempotencyStore } from '../shared/api/idempotency.js';
import { credentialsFields, noQuerySchema } from '../shared/api/schemas.js';
import { withinApiBudget } from '../shared/api/wordpress-budget.js';
import { createTelemetry } from '../shared/observability/telemetry.js';
import { createService } from '../shared/service.js';
import { publicSite, registerSite } from '../shared/sites/register-site.js';

const service = createService();
const telemetry = createTelemetry('wp-sync-api');
const idempotency = idempotencyStore(service.settings);

const bodySchema = z.strictObject({
  url: z.string().min(1).max(2048),
  ...credentialsFields,
});

/** `POST /api/wordpress/sites`: registers a tenant's WordPress site. */
export const handler = apiHandler(
  telemetry,
  async (event, context) => {
    parseQuery(event, noQuerySchema);
    const body = parseBody(event, bodySchema);

    const { site, created } = await registerSite(
      { tenantId: context.tenantId, ...body },
      {
        sites: service.sites,
        secrets: service.secrets,
        secretPrefix: service.settings.secretPrefix,
        log: telemetry.logger,
        wordpress: withinApiBudget(service.wordpress),
      },
    );

    return json(created ? 201 : 200, publicSite(site), context.correlationId);
  },
  { idempotency },
);
