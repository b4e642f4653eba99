import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { WpSyncError } from '../errors.js';
import type { SecretStore } from './secret-store.js';

/**
 * Application passwords in AWS Secrets Manager. Reads go through
 * Powertools Parameters, which caches them across invocations of a warm
 * Lambda instead of calling Secrets Manager for every page.
 */
export class SecretsManagerSecretStore implements SecretStore {
  private readonly provider: SecretsProvider;

  constructor(
    private readonly client: SecretsManagerClient = new SecretsManagerClient(
      {},
    ),
    private readonly maxAgeSeconds = 60,
  ) {
    this.provider = new SecretsProvider({ awsSdkV3Client: client });
  }

  async put(ref: string, value: string): Promise<void> {
    try {
      await this.client.send(
        new CreateSecretCommand({ Name: ref, SecretString: value }),
      );
    } catch (error) {
      if (!isNamed(error, ResourceExistsException)) {
        throw error;
      }
      await this.client.send(
        new PutSecretValueCommand({ SecretId: ref, SecretString: value }),
      );
    }
  }

  async get(ref: string): Promise<string> {
    try {
      const value = await this.provider.get(ref, {
        maxAge: this.maxAgeSeconds,
      });
      if (typeof value !== 'string') {
        throw new WpSyncError('SECRET_NOT_FOUND', `Secret ${ref} has no text`);
      }
      return value;
    } catch (error) {
      if (error instanceof WpSyncError) {
        throw error;
      }
      const cause = (error as { cause?: unknown }).cause ?? error;
      if (isNamed(cause, ResourceNotFoundException)) {
        throw new WpSyncError(
          'SECRET_NOT_FOUND',
          `No secret stored for ${ref}`,
        );
      }
      throw error;
    }
  }

  async delete(ref: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteSecretCommand({
          SecretId: ref,
          ForceDeleteWithoutRecovery: true,
        }),
      );
    } catch (error) {
      if (!isNamed(error, ResourceNotFoundException)) {
        throw error;
      }
    }
  }
}

function isNamed(
  error: unknown,
  type: abstract new (...args: never[]) => Error,
): boolean {
  return (
    error instanceof type ||
    (error instanceof Error && error.name === type.name)
  );
}
