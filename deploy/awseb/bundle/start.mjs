// Beanstalk start script of a Shoal frontend (run by the Procfile: `web: node start.mjs`).
// It finds this instance's private address, sets the defaults of a Beanstalk frontend, and runs the
// frontend in this process. Plain JavaScript and Node built-ins only: nothing here needs npm.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
/** EC2 instance metadata service; `AWS_EC2_METADATA_SERVICE_ENDPOINT` (the AWS SDKs' own name) overrides it. */
const IMDS = (process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT || 'http://169.254.169.254').replace(/\/+$/, '');
const IMDS_TIMEOUT_MS = 1000;
const IMDS_ATTEMPTS = 3;
const EXIT_CONFIG = 2;

function fail(message) {
  process.stderr.write(`shoal-awseb: cannot start: ${message}\n`);
  process.exit(EXIT_CONFIG);
}

/** One IMDSv2 exchange: a session token (PUT), then the instance's private IPv4 (GET). */
async function imdsLocalIpv4() {
  const tokenRes = await fetch(`${IMDS}/latest/api/token`, {
    method: 'PUT',
    headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
    signal: AbortSignal.timeout(IMDS_TIMEOUT_MS),
  });
  if (!tokenRes.ok) throw new Error(`token request answered ${tokenRes.status}`);
  const token = (await tokenRes.text()).trim();
  const ipRes = await fetch(`${IMDS}/latest/meta-data/local-ipv4`, {
    headers: { 'x-aws-ec2-metadata-token': token },
    signal: AbortSignal.timeout(IMDS_TIMEOUT_MS),
  });
  if (!ipRes.ok) throw new Error(`local-ipv4 request answered ${ipRes.status}`);
  const ip = (await ipRes.text()).trim();
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) throw new Error(`local-ipv4 is not an IPv4 address: ${ip}`);
  return ip;
}

/** `LOCAL_IP` when set, else the metadata service's answer (a few short attempts). */
async function localIp() {
  if (process.env.LOCAL_IP) return { ip: process.env.LOCAL_IP, source: 'LOCAL_IP' };
  const errors = [];
  for (let i = 0; i < IMDS_ATTEMPTS; i++) {
    try {
      return { ip: await imdsLocalIpv4(), source: `instance metadata ${IMDS}` };
    } catch (err) {
      errors.push(err instanceof Error ? err.message : String(err));
    }
  }
  fail(`no instance address: LOCAL_IP is unset and ${IMDS} failed (${errors.join('; ')})`);
}

const missing = ['BACKEND_IP', 'NODE_PUB_KEY', 'CLUSTER_TLS_PASSWORD'].filter((n) => !process.env[n]);
if (missing.length > 0) fail(`set ${missing.join(', ')} in the environment properties`);

const { ip, source } = await localIp();
process.env.LOCAL_IP = ip;

// Defaults of a Beanstalk frontend, placed before the operator's SHOAL_CONF: within SHOAL_CONF the
// later entry wins, so `SHOAL_CONF="front.priv-key-provider=env"` still overrides them.
const defaults = ['front.priv-key-provider=aws-sm'];
const bundledCert = join(HERE, 'cluster.p12');
if (existsSync(bundledCert)) defaults.push(`cluster.tls.file=${bundledCert}`);
process.env.SHOAL_CONF = [...defaults, process.env.SHOAL_CONF ?? ''].filter((s) => s !== '').join(';');
if (!process.env.SHOAL_DATADIR) process.env.SHOAL_DATADIR = HERE;

process.stderr.write(
  `shoal-awseb: cluster address ${ip} (from ${source}), backend ${process.env.BACKEND_IP}\n`,
);
await import('./node_modules/@shoal/frontend/dist/src/main.js');
