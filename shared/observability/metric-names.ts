/**
 * Every metric the code emits, by name.
 *
 * The CloudWatch dashboard and alarms are built from this list, so a chart
 * can only show a metric some code really publishes.
 */
export const METRIC_NAMESPACE = 'WpSync';

export const METRICS = {
  syncsStarted: 'SyncsStarted',
  syncsCompleted: 'SyncsCompleted',
  syncsCompletedWithErrors: 'SyncsCompletedWithErrors',
  syncsFailed: 'SyncsFailed',
  itemsCreated: 'ItemsCreated',
  itemsUpdated: 'ItemsUpdated',
  itemsSkipped: 'ItemsSkipped',
  itemsFailed: 'ItemsFailed',
  pagesProcessed: 'PagesProcessed',
  pagesFailed: 'PagesFailed',
  pagesDeferred: 'PagesDeferred',
  wordPressRequestMs: 'WordPressRequestMs',
  upsertMs: 'UpsertMs',
  embeddingsQueued: 'EmbeddingsQueued',
  embeddingsSkipped: 'EmbeddingsSkipped',
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];

/** Dimension that splits item and page metrics by job. */
export const JOB_DIMENSION = 'Job';
