import { createService } from '../shared/service.js';
import { pageWorkerHandler } from '../shared/sync/worker-handler.js';

/** Works pages of the terms queue. */
export const handler = pageWorkerHandler('terms', createService());
