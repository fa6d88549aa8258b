import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A secret the fake holds: a string, or raw bytes (returned base64 as SecretBinary). */
export type FakeSecret = { string: string } | { binary: Uint8Array };

/** One request the fake saw. */
export interface SeenRequest {
  target: string | undefined;
  contentType: string | undefined;
  accessKeyId: string | undefined;
  signatureValid: boolean;
  secretId: string | undefined;
}

export interface FakeSecretsManager {
  endpoint: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/**
 * Checks an AWS SigV4 `Authorization` header the way the service does: rebuilds the canonical
 * request from the signed headers and body, derives the signing key from the secret key, compares.
 */
function verifySigV4(
  req: IncomingMessage,
  body: Buffer,
  secrets: Map<string, string>,
): SeenRequest['signatureValid'] {
  const auth = req.headers.authorization ?? '';
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  const amzDate = req.headers['x-amz-date'];
  if (!m || typeof amzDate !== 'string') return false;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = m as unknown as string[];
  const secretKey = secrets.get(accessKeyId!);
  if (secretKey === undefined) return false;
  const names = signedHeaders!.split(';');
  const canonicalHeaders = names.map((n) => `${n}:${String(req.headers[n] ?? '').trim()}\n`).join('');
  const canonicalRequest = [req.method, '/', '', canonicalHeaders, signedHeaders, sha256Hex(body)].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretKey}`, date!), region!), service!), 'aws4_request');
  return hmac(key, toSign).toString('hex') === signature;
}

function reply(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1' };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers).end(JSON.stringify(body));
}

/**
 * A Secrets Manager stand-in on 127.0.0.1 that speaks `GetSecretValue` (JSON 1.1 protocol) and
 * rejects requests whose SigV4 signature does not verify against `credentials`.
 */
export async function startFakeSecretsManager(
  secrets: Record<string, FakeSecret>,
  credentials: Record<string, string>,
): Promise<FakeSecretsManager> {
  const keys = new Map(Object.entries(credentials));
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const target = req.headers['x-amz-target'] as string | undefined;
      const accessKeyId = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
      const signatureValid = verifySigV4(req, body, keys);
      let secretId: string | undefined;
      try {
        secretId = (JSON.parse(body.toString('utf8')) as { SecretId?: string }).SecretId;
      } catch {
        secretId = undefined;
      }
      requests.push({
        target,
        contentType: req.headers['content-type'],
        accessKeyId,
        signatureValid,
        secretId,
      });
      if (req.method !== 'POST' || target !== 'secretsmanager.GetSecretValue') {
        reply(
          res,
          400,
          { __type: 'UnknownOperationException', message: 'only GetSecretValue' },
          'UnknownOperationException',
        );
      } else if (accessKeyId === undefined || !keys.has(accessKeyId)) {
        reply(
          res,
          400,
          {
            __type: 'UnrecognizedClientException',
            message: 'The security token included in the request is invalid.',
          },
          'UnrecognizedClientException',
        );
      } else if (!signatureValid) {
        reply(
          res,
          400,
          {
            __type: 'InvalidSignatureException',
            message: 'The request signature we calculated does not match the signature you provided.',
          },
          'InvalidSignatureException',
        );
      } else if (secretId === 'forbidden') {
        reply(
          res,
          400,
          {
            __type: 'AccessDeniedException',
            message: 'User is not authorized to perform: secretsmanager:GetSecretValue',
          },
          'AccessDeniedException',
        );
      } else {
        const secret = secretId === undefined ? undefined : secrets[secretId];
        if (!secret) {
          reply(
            res,
            400,
            {
              __type: 'ResourceNotFoundException',
              message: "Secrets Manager can't find the specified secret.",
            },
            'ResourceNotFoundException',
          );
          return;
        }
        const value =
          'string' in secret
            ? { SecretString: secret.string }
            : { SecretBinary: Buffer.from(secret.binary).toString('base64') };
        reply(res, 200, {
          ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${secretId}-AbCdEf`,
          Name: secretId,
          VersionId: '11111111-2222-3333-4444-555555555555',
          VersionStages: ['AWSCURRENT'],
          CreatedDate: 1700000000,
          ...value,
        });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** A loopback URL where nothing listens (a port bound then released). */
export async function unusedEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  return `http://127.0.0.1:${port}`;
}
