import { z } from 'zod';
import { apiHandler } from '../shared/api/handler.js';
import { expectNoBody, json, parseQuery } from '../shared/api/http.js';
import { siteIdSchema } from '../shared/api/schemas.js';
import { createTelemetry } from '../shared/observability/telemetry.js';
import { createService } from '../shared/service.js';
import { publicSite } from '../shared/sites/register-site.js';

const service = createService();
const telemetry = createTelemetry('wp-sync-api');

const querySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  /** The `next` of the previous page. */
  after: siteIdSchema.optional(),
});

/** `GET /api/wordpress/sites`: the caller's sites, a page at a time. */
export const handler = apiHandler(telemetry, async (event, context) => {
  const query = parseQuery(event, querySchema);
  expectNoBody(event);

  const { sites, next } = await service.sites.listPage(context.tenantId, query);

  return json(
    200,
    { sites: sites.map(publicSite), ...(next && { next }) },
    context.correlationId,
  );
});
