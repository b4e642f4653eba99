// Runs one bundled handler once, in its own Node process, the way the
// Lambda runtime would: import the ESM bundle, call `handler` with the
// event and a context, print the answer on a marked line.
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const RESULT_MARK = '@@handler-result ';

const [bundle, eventFile] = process.argv.slice(2);
const event = JSON.parse(await readFile(eventFile, 'utf8'));
const { handler } = await import(pathToFileURL(bundle).href);
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  memoryLimitInMB: '512',
  awsRequestId: 'bundle-test-request',
  logGroupName: `/aws/lambda/${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  logStreamName: 'bundle-test',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
};
const result = await handler(event, context);
process.stdout.write(`\n${RESULT_MARK}${JSON.stringify(result)}\n`, () =>
  // Lambda freezes the process after the answer; here it must end, even
  // if an SDK socket or timer would keep it alive.
  process.exit(0),
);
