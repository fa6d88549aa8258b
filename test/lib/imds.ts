import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake instance metadata service saw. */
export interface ImdsRequest {
  method: string;
  path: string;
  /** The IMDSv2 session token it carried (`x-aws-ec2-metadata-token`), if any. */
  token: string | undefined;
}

export interface FakeImds {
  /** Base URL, e.g. `http://127.0.0.1:41234` (what `AWS_EC2_METADATA_SERVICE_ENDPOINT` takes). */
  endpoint: string;
  requests: ImdsRequest[];
  close(): Promise<void>;
}

/**
 * An EC2 instance metadata service (v2 only) on 127.0.0.1: `PUT /latest/api/token` with a TTL
 * header issues a token; `GET /latest/meta-data/local-ipv4` answers `localIpv4` only with that
 * token (401 without, as IMDSv2-only instances do). Anything else is 404.
 */
export async function startFakeImds(localIpv4: string): Promise<FakeImds> {
  const token = `fake-imds-token-${process.pid}-${Date.now()}`;
  const requests: ImdsRequest[] = [];
  const server: Server = createServer((req, res) => {
    const given = req.headers['x-aws-ec2-metadata-token'];
    requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      token: typeof given === 'string' ? given : undefined,
    });
    req.resume();
    if (req.method === 'PUT' && req.url === '/latest/api/token') {
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (!(ttl >= 1 && ttl <= 21600)) return void res.writeHead(400).end();
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end(token);
    }
    if (req.method === 'GET' && req.url === '/latest/meta-data/local-ipv4') {
      if (given !== token) return void res.writeHead(401).end();
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end(localIpv4);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
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
