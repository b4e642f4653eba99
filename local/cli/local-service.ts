import { readSettings } from '../../shared/config.js';
import { createService, type Service } from '../../shared/service.js';
import type { RuntimeInfo } from '../runtime/runtime-file.js';

/** The service wired to a running local runtime's stores and queues. */
export function serviceFor(runtime: RuntimeInfo): Service {
  return createService(readSettings({ ...process.env, ...runtime.env }));
}
