import {
  type CipherGCM,
  createCipheriv,
  createDecipheriv,
  randomBytes,
} from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WpSyncError } from '../errors.js';
import type { SecretStore } from './secret-store.js';

interface SealedSecret {
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

/**
 * The local runtime's secret store: one JSON file of AES-256-GCM sealed
 * values, keyed by a random key file readable by its owner only. The data
 * folder therefore never holds a password in plain text.
 */
export class FileSecretStore implements SecretStore {
  private readonly file: string;
  private readonly keyFile: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.file = join(dataDir, 'secrets.enc.json');
    this.keyFile = join(dataDir, 'secrets.key');
  }

  async put(ref: string, value: string): Promise<void> {
    await this.exclusive(async () => {
      const key = await this.key();
      const secrets = await this.read();
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv) as CipherGCM;
      cipher.setAAD(Buffer.from(ref));
      const data = Buffer.concat([
        cipher.update(value, 'utf8'),
        cipher.final(),
      ]);
      secrets[ref] = {
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        data: data.toString('base64'),
      };
      await this.write(secrets);
    });
  }

  async get(ref: string): Promise<string> {
    const sealed = (await this.read())[ref];
    if (!sealed) {
      throw new WpSyncError('SECRET_NOT_FOUND', `No secret stored for ${ref}`);
    }
    const decipher = createDecipheriv(
      'aes-256-gcm',
      await this.key(),
      Buffer.from(sealed.iv, 'base64'),
    );
    decipher.setAAD(Buffer.from(ref));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return Buffer.concat([
      decipher.update(Buffer.from(sealed.data, 'base64')),
      decipher.final(),
    ]).toString('utf8');
  }

  async delete(ref: string): Promise<void> {
    await this.exclusive(async () => {
      const secrets = await this.read();
      delete secrets[ref];
      await this.write(secrets);
    });
  }

  private async key(): Promise<Buffer> {
    try {
      return Buffer.from(await readFile(this.keyFile, 'utf8'), 'base64');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw error;
      }
      await mkdir(dirname(this.keyFile), { recursive: true });
      const key = randomBytes(32);
      // `wx` keeps a key another process just wrote instead of clobbering it.
      await writeFile(this.keyFile, key.toString('base64'), {
        mode: 0o600,
        flag: 'wx',
      }).catch(() => undefined);
      return Buffer.from(await readFile(this.keyFile, 'utf8'), 'base64');
    }
  }

  private async read(): Promise<Record<string, SealedSecret>> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return {};
      }
      throw error;
    }
  }

  private async write(secrets: Record<string, SealedSecret>): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(secrets, null, 2), {
      mode: 0o600,
    });
    await rename(temporary, this.file);
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
