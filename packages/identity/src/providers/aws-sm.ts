import type { GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import { IdentityError, type IdentityErrorCode } from '../errors.js';
import { NodeKey } from '../node-key.js';
import { privateKeyFromSecret } from './secret-format.js';

/** Static AWS credentials (tests, or operators who do not use the SDK's default chain). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Options of the `aws-sm` provider. */
export interface AwsSmKeyOptions {
  /** Secret name or ARN (`front.aws-sm.secret-id`). */
  secretId: string;
  /** AWS region; unset uses the SDK's resolution (`AWS_REGION`, profile...). */
  region?: string;
  /** Endpoint override (VPC endpoint, or a local fake in tests). */
  endpoint?: string;
  /** Static credentials; unset uses the SDK's default provider chain (env, profile, IMDS...). */
  credentials?: AwsCredentials;
  /** Attempts including the first (SDK retry strategy); default 3. */
  maxAttempts?: number;
  /** Socket connection timeout in ms; default 5000. */
  connectionTimeoutMs?: number;
  /** Whole-request timeout in ms; default 10000. */
  requestTimeoutMs?: number;
}

const DENIED = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignature',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'DecryptionFailure',
  'CredentialsProviderError',
]);
const UNREACHABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

function classify(err: unknown): IdentityErrorCode {
  if (!(err instanceof Error)) return 'IDENTITY_PROVIDER_FAILED';
  // The SDK reports region problems as plain Errors, before any request.
  if (/^Region (is missing|not accepted)/.test(err.message)) return 'IDENTITY_BAD_OPTIONS';
  if (err.name === 'ResourceNotFoundException') return 'IDENTITY_SECRET_NOT_FOUND';
  if (DENIED.has(err.name)) return 'IDENTITY_SECRET_ACCESS_DENIED';
  const errno = (err as NodeJS.ErrnoException).code;
  if ((errno && UNREACHABLE_ERRNO.has(errno)) || err.name === 'TimeoutError')
    return 'IDENTITY_PROVIDER_UNREACHABLE';
  return 'IDENTITY_PROVIDER_FAILED';
}

const HINTS: Partial<Record<IdentityErrorCode, string>> = {
  IDENTITY_BAD_OPTIONS: 'set front.aws-sm.region or AWS_REGION to a valid region',
  IDENTITY_SECRET_NOT_FOUND: 'check front.aws-sm.secret-id and the region',
  IDENTITY_SECRET_ACCESS_DENIED:
    'check the credentials and that their policy allows secretsmanager:GetSecretValue',
  IDENTITY_PROVIDER_UNREACHABLE: 'check front.aws-sm.endpoint / region and the network path',
};

/**
 * Fetches the node private key from AWS Secrets Manager (`GetSecretValue`, JSON 1.1 protocol,
 * SigV4-signed by the official SDK). SDK failures become `IDENTITY_SECRET_NOT_FOUND`,
 * `IDENTITY_SECRET_ACCESS_DENIED`, `IDENTITY_PROVIDER_UNREACHABLE` or `IDENTITY_PROVIDER_FAILED`;
 * a malformed secret is `IDENTITY_BAD_KEY`. See {@link privateKeyFromSecret} for the formats.
 */
export async function loadAwsSmKey(options: AwsSmKeyOptions): Promise<NodeKey> {
  if (!options.secretId) {
    throw new IdentityError(
      'IDENTITY_BAD_OPTIONS',
      'aws-sm provider needs a secret id (front.aws-sm.secret-id)',
    );
  }
  // Loaded on demand: the SDK is large and only frontends with this provider need it.
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const where = {
    secretId: options.secretId,
    region: options.region ?? '',
    endpoint: options.endpoint ?? '',
  };
  const client = new SecretsManagerClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 5_000,
      requestTimeout: options.requestTimeoutMs ?? 10_000,
      // Without this the SDK only logs a warning and a black-holed endpoint stalls the start.
      throwOnRequestTimeout: true,
      socketTimeout: options.requestTimeoutMs ?? 10_000,
    },
  });
  try {
    let output: GetSecretValueCommandOutput;
    try {
      output = await client.send(new GetSecretValueCommand({ SecretId: options.secretId }));
    } catch (err) {
      const code = classify(err);
      const name = err instanceof Error ? err.name : 'Error';
      const reason = err instanceof Error ? err.message : String(err);
      throw new IdentityError(
        code,
        `cannot read AWS Secrets Manager secret "${options.secretId}"${options.endpoint ? ` at ${options.endpoint}` : ''}: ${name}: ${reason} (${HINTS[code] ?? 'see the cause'})`,
        { ...where, awsError: name },
        { cause: err },
      );
    }
    const priv = privateKeyFromSecret(options.secretId, output.SecretString, output.SecretBinary);
    return NodeKey.fromPrivateKey(priv, 'aws-sm');
  } finally {
    client.destroy();
  }
}
