import { afterEach, describe, expect, it } from 'vitest';
import { WordPressError } from '../../../shared/errors.js';
import { checkCredentials } from '../../../shared/wordpress/client.js';
import {
  type Handler,
  messageBytes,
  type ReplayServer,
  startReplayServer,
} from '../http/support/replay-server.js';
import { AUTH_STRIPPED_401, REST_DISABLED_403 } from './support/cases.js';
import {
  APP_PASSWORD,
  prettyConnection,
  recordingDeps,
  USERNAME,
} from './support/deps.js';

const servers: ReplayServer[] = [];

async function serve(handler: Handler): Promise<ReplayServer> {
  const server = await startReplayServer(handler);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function failure(work: Promise<unknown>): Promise<WordPressError> {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(WordPressError);
  return error as WordPressError;
}

const ME = { id: 4, name: 'Sync Bot', slug: 'sync-bot' };

/** WordPress 6.1: only the right password logs in; anything else is anonymous. */
const wordpress61: Handler = (req) => {
  const expected = `Basic ${Buffer.from(`${USERNAME}:${APP_PASSWORD}`).toString('base64')}`;
  if (req.headers.authorization === expected) {
    return {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(ME),
    };
  }
  return { raw: messageBytes(AUTH_STRIPPED_401) };
};

function wpError(status: number, code: string, message: string) {
  return {
    status,
    headers: { 'Content-Type': 'application/json; charset=UTF-8' },
    body: JSON.stringify({ code, message, data: { status } }),
  };
}

describe('checkCredentials', () => {
  it('returns the user and asks users/me in edit context', async () => {
    // Prepare
    const server = await serve(wordpress61);

    // Act
    const user = await checkCredentials(prettyConnection(server.origin));

    // Assess
    expect(user).toEqual({ userId: ME.id, name: ME.name });
    expect(server.requests[0]?.target).toBe(
      '/wp-json/wp/v2/users/me?context=edit',
    );
  });

  it('names both causes when the header never reaches PHP', async () => {
    // Prepare: the case — a server that drops Authorization.
    const server = await serve(() => ({
      raw: messageBytes(AUTH_STRIPPED_401),
    }));
    const { deps, sleeps } = recordingDeps();

    // Act
    const error = await failure(
      checkCredentials(prettyConnection(server.origin), deps),
    );

    // Assess
    expect(server.requests[0]?.headers.authorization).toMatch(/^Basic /);
    expect(error.code).toBe('WP_AUTH_NOT_RECEIVED_OR_INVALID');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/application password is wrong/);
    expect(error.message).toMatch(/CGIPassAuth On/);
    expect(sleeps).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('gives the same error for a wrong password on WordPress 6.1', async () => {
    // Prepare: the variant — the header arrives, the password is wrong.
    const server = await serve(wordpress61);
    const conn = { ...prettyConnection(server.origin), appPassword: 'wrong' };

    // Act
    const error = await failure(checkCredentials(conn));

    // Assess
    expect(error.code).toBe('WP_AUTH_NOT_RECEIVED_OR_INVALID');
  });

  it('maps incorrect_password and invalid_username to WP_AUTH_INVALID', async () => {
    // Prepare
    let call = 0;
    const server = await serve(() => {
      call += 1;
      return call === 1
        ? wpError(
            401,
            'incorrect_password',
            'The provided password is an invalid application password.',
          )
        : wpError(401, 'invalid_username', 'Unknown username.');
    });
    const conn = prettyConnection(server.origin);

    // Act
    const errors = [
      await failure(checkCredentials(conn)),
      await failure(checkCredentials(conn)),
    ];

    // Assess
    expect(errors.map((error) => [error.code, error.retryable])).toEqual([
      ['WP_AUTH_INVALID', false],
      ['WP_AUTH_INVALID', false],
    ]);
  });

  it('reports a REST API switched off with the plugin message', async () => {
    // Prepare: the case's 403 rest_disabled.
    const server = await serve(() => ({
      raw: messageBytes(REST_DISABLED_403),
    }));

    // Act
    const error = await failure(
      checkCredentials(prettyConnection(server.origin)),
    );

    // Assess
    expect(error.code).toBe('WP_REST_DISABLED');
    expect(error.message).toContain('REST API disabled.');
    expect(error.retryable).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it('reports rest_login_required in query mode the same way', async () => {
    // Prepare: the variant — another plugin's code, on a ?rest_route= site.
    const server = await serve(() =>
      wpError(
        401,
        'rest_login_required',
        'REST API restricted to authenticated users.',
      ),
    );
    const conn = {
      ...prettyConnection(server.origin),
      restRoot: `${server.origin}/?rest_route=/`,
      restMode: 'query' as const,
    };

    // Act
    const error = await failure(checkCredentials(conn));

    // Assess
    expect(error.code).toBe('WP_REST_DISABLED');
    expect(error.message).toContain(
      'REST API restricted to authenticated users.',
    );
    expect(server.requests[0]?.target).toBe(
      '/?rest_route=/wp/v2/users/me&context=edit',
    );
  });

  it('reports a user without edit rights as WP_AUTH_FORBIDDEN', async () => {
    // Prepare: logged in, so WordPress answers 403.
    const server = await serve(() =>
      wpError(
        403,
        'rest_forbidden_context',
        'Sorry, you are not allowed to edit this user.',
      ),
    );

    // Act
    const error = await failure(
      checkCredentials(prettyConnection(server.origin)),
    );

    // Assess
    expect(error.code).toBe('WP_AUTH_FORBIDDEN');
  });

  it('refuses empty credentials without asking the site', async () => {
    // Prepare
    const server = await serve(wordpress61);
    const conn = { ...prettyConnection(server.origin), appPassword: '' };

    // Act
    const error = await failure(checkCredentials(conn));

    // Assess
    expect(error.code).toBe('WP_AUTH_INVALID');
    expect(server.requests).toHaveLength(0);
  });
});
