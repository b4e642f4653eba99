/**
 * Signed tokens for the local runtime, standing in for the identity
 * provider whose tokens API Gateway's JWT authorizer verifies on AWS.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errors, jwtVerify, SignJWT } from 'jose';
import { WpSyncError } from '../../shared/errors.js';

export const LOCAL_ISSUER = 'wp-sync-local';
export const LOCAL_AUDIENCE = 'wp-sync';
/** The tenant the CLI acts as on every call. */
export const LOCAL_TENANT = 'local';

/** Reads the data folder's token key, creating it on first use. */
export async function tokenKey(file: string): Promise<Uint8Array> {
  try {
    return Buffer.from(await readFile(file, 'utf8'), 'base64');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, randomBytes(32).toString('base64'), {
      mode: 0o600,
      flag: 'wx',
    }).catch(() => undefined);
    return Buffer.from(await readFile(file, 'utf8'), 'base64');
  }
}

/** Issues a token for a tenant, valid for `ttlSeconds`. */
export async function issueToken(
  key: Uint8Array,
  tenantId: string,
  ttlSeconds = 3600,
): Promise<string> {
  return new SignJWT({ tenantId })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setSubject(tenantId)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(key);
}

/**
 * Verifies a bearer token and returns its claims, the way API Gateway's
 * JWT authorizer hands them to a handler.
 *
 * @throws {WpSyncError} `UNAUTHENTICATED` for a missing, forged, expired or
 *   foreign token.
 */
export async function verifyToken(
  key: Uint8Array,
  authorization: string | undefined,
): Promise<Record<string, string>> {
  const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) {
    throw new WpSyncError('UNAUTHENTICATED', 'A bearer token is required');
  }
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
      algorithms: ['HS256'],
    });
    // API Gateway passes every claim to the handler as a string.
    return Object.fromEntries(
      Object.entries(payload).map(([name, value]) => [
        name,
        typeof value === 'string' ? value : JSON.stringify(value),
      ]),
    );
  } catch (error) {
    const reason =
      error instanceof errors.JWTExpired
        ? 'The token has expired'
        : 'The token is not valid';
    throw new WpSyncError('UNAUTHENTICATED', reason, { cause: error });
  }
}
