/**
 * Checking that a sync will see what an editor sees, before it starts.
 *
 * WordPress answers public data to anyone, so a wrong application password
 * or an Authorization header dropped by the web server would quietly give
 * a copy without drafts, private posts or raw fields. `users/me` in edit
 * context needs a real, sufficiently privileged login, so it tells.
 */
import { WordPressError } from '../errors.js';
import { getJson, runtimeOf } from './transport.js';
import type { WpClientDeps, WpConnection } from './types.js';
import { routeUrl } from './urls.js';

/** The WordPress user the credentials belong to. */
export interface WpUser {
  userId: number;
  name: string;
}

/**
 * Signs in with the connection's application password and returns the
 * user.
 *
 * @throws WordPressError `WP_AUTH_NOT_RECEIVED_OR_INVALID` when WordPress
 *   saw no login (wrong password, or the server strips the Authorization
 *   header); `WP_AUTH_INVALID` when it named the credentials wrong;
 *   `WP_AUTH_FORBIDDEN` when the user may not use edit context;
 *   `WP_REST_DISABLED` when a plugin closed the REST API. None of these is
 *   retryable; transport faults are, as for every call.
 */
export async function checkCredentials(
  conn: WpConnection,
  deps?: WpClientDeps,
): Promise<WpUser> {
  if (conn.username === '' || conn.appPassword === '') {
    throw new WordPressError(
      'WP_AUTH_INVALID',
      'A user name and an application password are both required.',
    );
  }
  const rt = runtimeOf(deps);
  const url = routeUrl(conn, 'wp/v2/users/me', { context: 'edit' });
  const outcome = await getJson(url, 'object', rt, { auth: conn });
  if (!outcome.ok) throw outcome.error;
  const user = outcome.body as Record<string, unknown>;
  if (!Number.isInteger(user.id) || (user.id as number) < 1) {
    throw new WordPressError(
      'WP_BAD_RESPONSE',
      `${url} answered without a user id; it is not WordPress's users route.`,
      { context: { url } },
    );
  }
  rt.logger.debug('WordPress credentials accepted', { userId: user.id });
  return {
    userId: user.id as number,
    name: typeof user.name === 'string' ? user.name : '',
  };
}
