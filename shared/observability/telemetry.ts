import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE } from './metric-names.js';

/**
 * The smallest logger the domain code needs; Powertools' Logger fits it and
 * tests can pass a recorder.
 */
export interface Log {
  debug(message: string, ...fields: Record<string, unknown>[]): void;
  info(message: string, ...fields: Record<string, unknown>[]): void;
  warn(message: string, ...fields: Record<string, unknown>[]): void;
  error(message: string, ...fields: Record<string, unknown>[]): void;
}

/** Builds the Logger and Metrics a handler shares across invocations. */
export function createTelemetry(serviceName: string): {
  logger: Logger;
  metrics: Metrics;
} {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: METRIC_NAMESPACE, serviceName }),
  };
}
