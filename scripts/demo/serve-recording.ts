/**
 * Serves a recording on 127.0.0.1 until stopped, to point a client at it
 * by hand.
 *
 * Usage: npx tsx scripts/demo/serve-recording.ts [--dir demo/recording] [--port 8092]
 */
import { parseArgs } from 'node:util';
import { startReplayServer } from './replay-server.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: 'demo/recording' },
    port: { type: 'string', default: '8092' },
  },
});
const replay = await startReplayServer({
  dir: values.dir,
  port: Number(values.port),
});
process.stderr.write(
  `replaying ${values.dir} at ${replay.url} (any credentials); Ctrl-C to stop\n`,
);
const stop = () => {
  replay.close().catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  });
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
