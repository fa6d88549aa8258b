import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { ClusterError, errorMessage } from '../errors.js';

/** The one cluster certificate and its private key, PEM-encoded. */
export interface ClusterCertificate {
  certPem: string;
  keyPem: string;
}

/** What Node's TLS needs: our certificate, our key, and the certificate we trust (the same one). */
export interface ClusterTls {
  cert: string;
  key: string;
  ca: string;
}

/** File name of the keystore inside the data directory. */
export const KEYSTORE_FILE = 'cluster.p12';

/**
 * Builds the self-signed cluster certificate: an RSA-2048 key from Node's crypto (fast, unlike
 * forge's pure-JS generator), an X.509 v3 certificate built by node-forge and signed with SHA-256
 * (forge defaults to SHA-1), a positive random serial.
 */
export function generateClusterCertificate(
  opts: { commonName?: string; days?: number } = {},
): ClusterCertificate {
  const commonName = opts.commonName ?? 'shoal-cluster';
  const days = opts.days ?? 3650;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // positive
  cert.serialNumber = `01${serial.toString('hex')}`;
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + days * 86_400_000);
  const attrs = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'Shoal' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: commonName }] },
  ]);
  const forgeKey = forge.pki.privateKeyFromPem(privateKey);
  cert.sign(forgeKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: privateKey };
}

/** Encrypts the certificate and key into a PKCS#12 keystore (AES-256, SHA-256 MAC). */
export function toPkcs12(cc: ClusterCertificate, password: string): Buffer {
  const key = forge.pki.privateKeyFromPem(cc.keyPem);
  const cert = forge.pki.certificateFromPem(cc.certPem);
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, [cert], password, {
    algorithm: 'aes256',
    friendlyName: 'shoal-cluster',
  });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

/**
 * Writes `cluster.p12` (mode 0600) into `datadir`, refusing to overwrite an existing keystore
 * unless `force`. Returns the file path.
 */
export function writeClusterKeystore(opts: {
  datadir: string;
  password: string;
  force?: boolean;
  certificate?: ClusterCertificate;
}): string {
  const path = join(opts.datadir, KEYSTORE_FILE);
  if (existsSync(path) && opts.force !== true) {
    throw new ClusterError('CLUSTER_TLS_EXISTS', `${path} already exists (use --force to replace it)`, {
      path,
    });
  }
  if (opts.password.length === 0)
    throw new ClusterError('CLUSTER_TLS_NO_PASSWORD', 'the keystore password is empty');
  mkdirSync(opts.datadir, { recursive: true, mode: 0o700 });
  const der = toPkcs12(opts.certificate ?? generateClusterCertificate(), opts.password);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, der, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return path;
}

/**
 * Opens the keystore: `CLUSTER_TLS_MISSING` when the file is absent, `CLUSTER_TLS_BAD_PASSWORD`
 * when it cannot be decrypted or holds no certificate and key.
 */
export function loadClusterTls(opts: { path: string; password: string }): ClusterTls {
  let der: Buffer;
  try {
    der = readFileSync(opts.path);
  } catch (err) {
    throw new ClusterError(
      'CLUSTER_TLS_MISSING',
      `cannot read the cluster keystore ${opts.path}: ${errorMessage(err)} (generate it with bin/shoal-certs)`,
      { path: opts.path },
      { cause: err },
    );
  }
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, true, opts.password);
  } catch (err) {
    throw new ClusterError(
      'CLUSTER_TLS_BAD_PASSWORD',
      `cannot open the cluster keystore ${opts.path}: wrong CLUSTER_TLS_PASSWORD or corrupt file (${errorMessage(err)})`,
      { path: opts.path },
      { cause: err },
    );
  }
  const certBag = p12.getBags({ bagType: forge.pki.oids.certBag ?? '' })[forge.pki.oids.certBag ?? '']?.[0];
  const keyOid = forge.pki.oids.pkcs8ShroudedKeyBag ?? '';
  const keyBag = p12.getBags({ bagType: keyOid })[keyOid]?.[0];
  if (certBag?.cert == null || keyBag?.key == null) {
    throw new ClusterError('CLUSTER_TLS_BAD_PASSWORD', `${opts.path} holds no certificate and key`, {
      path: opts.path,
    });
  }
  const cert = forge.pki.certificateToPem(certBag.cert);
  const key = forge.pki.privateKeyToPem(keyBag.key);
  return { cert, key, ca: cert };
}

/**
 * Reads the keystore password from `CLUSTER_TLS_PASSWORD` (or its alias `AKKA_TLS_PASSWORD`);
 * `CLUSTER_TLS_NO_PASSWORD` when neither is set.
 */
export function tlsPasswordFromEnv(env: Record<string, string | undefined>): string {
  // An empty value counts as unset, so an empty CLUSTER_TLS_PASSWORD falls back to the alias.
  const pw = env.CLUSTER_TLS_PASSWORD || env.AKKA_TLS_PASSWORD;
  if (pw === undefined || pw === '') {
    throw new ClusterError(
      'CLUSTER_TLS_NO_PASSWORD',
      'set CLUSTER_TLS_PASSWORD (or AKKA_TLS_PASSWORD) to the cluster keystore password',
    );
  }
  return pw;
}
