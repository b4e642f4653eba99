import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Settings } from '../config.js';

/** The AWS clients a handler needs, built once per cold start. */
export interface AwsClients {
  readonly dynamo: DynamoDBDocumentClient;
  readonly sqs: SQSClient;
}

/**
 * Builds the DynamoDB and SQS clients for the settings' endpoints.
 *
 * Explicit endpoints point the same code at the local stand-ins; without
 * them the SDK resolves the regional AWS endpoints.
 */
export function createAwsClients(settings: Settings): AwsClients {
  const credentials = settings.localCredentials && {
    credentials: settings.localCredentials,
  };
  const dynamo = new DynamoDBClient({
    region: settings.region,
    ...credentials,
    ...(settings.dynamoDbEndpoint && { endpoint: settings.dynamoDbEndpoint }),
    // The SDK retries throttling with backoff; a page is worth a few more
    // tries than the default before its task gives up.
    maxAttempts: 6,
  });
  const sqs = new SQSClient({
    region: settings.region,
    ...credentials,
    ...(settings.sqsEndpoint && { endpoint: settings.sqsEndpoint }),
    maxAttempts: 6,
  });
  return {
    dynamo: DynamoDBDocumentClient.from(dynamo, {
      marshallOptions: { removeUndefinedValues: true },
    }),
    sqs,
  };
}
