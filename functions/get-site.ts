import { apiHandler } from '../shared/api/handler.js';
import {
  expectNoBody,
  json,
  parsePath,
  parseQuery,
} from '../shared/api/http.js';
import {
  noQuerySchema,
  siteNotFound,
  sitePathSchema,
} from '../shared/api/schemas.js';
import { createTelemetry } from '../shared/observability/telemetry.js';
import { createService } from '../shared/service.js';
import { publicSite } from '../shared/sites/register-site.js';

const service = createService();
const telemetry = createTelemetry('wp-sync-api');

/** `GET /api/wordpress/sites/{siteId}`: one of the caller's sites. */
export const handler = apiHandler(telemetry, async (event, context) => {
  const { siteId } = parsePath(event, sitePathSchema, siteNotFound());
  parseQuery(event, noQuerySchema);
  expectNoBody(event);

  const site = await service.sites.get(context.tenantId, siteId);
  if (!site) {
    throw siteNotFound();
  }

  return json(200, publicSite(site), context.correlationId);
});
