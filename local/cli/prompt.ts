import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { UsageError } from './args.js';

/** Asks for a secret on the terminal without echoing it. */
export async function promptSecret(question: string): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new UsageError(
      'No application password: pass --app-password, set WP_APP_PASSWORD, ' +
        'or run in a terminal to be asked for it',
    );
  }
  process.stderr.write(question);
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const reader = createInterface({
    input: process.stdin,
    output: muted,
    terminal: true,
  });
  const answer = await new Promise<string>((resolve) =>
    reader.question('', resolve),
  );
  reader.close();
  process.stderr.write('\n');
  return answer.trim();
}
