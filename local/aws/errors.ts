import {
  type ErrorContext,
  type SyncErrorCode,
  WpSyncError,
} from '../../shared/errors.js';

/**
 * A local stand-in for an AWS service failed to start, stop or provision.
 *
 * `code` is `INTERNAL` when the stand-in itself misbehaves (it exited, never
 * answered) and `CONFIG_INVALID` when what it was asked to do cannot work
 * (a bad prefix, an existing table whose keys differ from `TABLES`).
 */
export class LocalAwsError extends WpSyncError {
  constructor(
    code: Extract<SyncErrorCode, 'INTERNAL' | 'CONFIG_INVALID'>,
    message: string,
    options: { context?: ErrorContext; cause?: unknown } = {},
  ) {
    super(code, message, { ...options, retryable: false });
    this.name = 'LocalAwsError';
  }
}
