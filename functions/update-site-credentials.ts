import { z } from 'zod';
import { apiHandler } from '../shared/api/handler.js';
import { json, parseBody, parsePath, parseQuery } from '../shared/api/http.js';
import {
  credentialsFields,
  noQuerySchema,
  siteNotFound,
  sitePathSchema,
} from '../shared/api/schemas.js';
import { withinApiBudget } from '../shared/api/wordpress-budget.js';
import { createTelemetry } from '../shared/observability/telemetry.js';
import { createService } from '../shared/service.js';
import { publicSite } from '../shared/sites/register-site.js';
import { updateCredentials } from '../shared/sites/update-credentials.js';

const service = createService();
const telemetry = createTelemetry('wp-sync-api');

const bodySchema = z.strictObject(credentialsFields);

/**
 * `PUT /api/wordpress/sites/{siteId}/credentials`: replaces the username
 * and application password once WordPress accepted them. A PUT repeats
 * safely by itself, so it takes no `Idempotency-Key`.
 */
export const handler = apiHandler(telemetry, async (event, context) => {
  const { siteId } = parsePath(event, sitePathSchema, siteNotFound());
  parseQuery(event, noQuerySchema);
  const body = parseBody(event, bodySchema);

  const site = await updateCredentials(
    { tenantId: context.tenantId, siteId, ...body },
    {
      sites: service.sites,
      siteAccess: service.siteAccess,
      secrets: service.secrets,
      log: telemetry.logger,
      wordpress: withinApiBudget(service.wordpress),
    },
  );

  return json(200, publicSite(site), context.correlationId);
});
