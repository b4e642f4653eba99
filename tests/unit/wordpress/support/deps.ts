/**
 * Client deps for tests: no real waiting, a fixed clock, fixed jitter and
 * a logger that keeps every line for inspection.
 */
import type {
  WpClientDeps,
  WpConnection,
} from '../../../../shared/wordpress/client.js';

/** A logged line. */
export interface LoggedLine {
  level: 'debug' | 'info' | 'warn';
  message: string;
  fields: Record<string, unknown>;
}

/** Deps plus what they recorded. */
export interface RecordingDeps {
  deps: WpClientDeps;
  /** Every wait asked for, in milliseconds. */
  sleeps: number[];
  logged: LoggedLine[];
}

/** The clock of these deps: 2026-01-01T00:00:00Z. */
export const NOW_MS = Date.UTC(2026, 0, 1);

export function recordingDeps(extra: WpClientDeps = {}): RecordingDeps {
  const sleeps: number[] = [];
  const logged: LoggedLine[] = [];
  const log =
    (level: LoggedLine['level']) =>
    (message: string, fields: Record<string, unknown>) =>
      logged.push({ level, message, fields });
  return {
    sleeps,
    logged,
    deps: {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      now: () => NOW_MS,
      random: () => 0.5,
      logger: { debug: log('debug'), info: log('info'), warn: log('warn') },
      ...extra,
    },
  };
}

export const USERNAME = 'sync-bot';
export const APP_PASSWORD = 'abcd EFGH 1234 ijkl MNOP 5678';

/** A pretty-mode connection to a test server. */
export function prettyConnection(origin: string): WpConnection {
  return {
    restRoot: `${origin}/wp-json/`,
    restMode: 'pretty',
    username: USERNAME,
    appPassword: APP_PASSWORD,
  };
}

/** Query parameters of a request target, for assertions. */
export function queryOf(target: string): Record<string, string> {
  return Object.fromEntries(new URL(target, 'http://x').searchParams);
}
