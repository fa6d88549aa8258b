#!/usr/bin/env node
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ClusterError } from '../errors.js';
import { tlsPasswordFromEnv, writeClusterKeystore } from './certificate.js';

const USAGE = `usage: shoal-certs --datadir DIR [--force] [--cn NAME] [--days N]
Generates the one cluster certificate and key into DIR/cluster.p12 (PKCS#12, AES-256, mode 0600),
protected by the password in CLUSTER_TLS_PASSWORD (alias AKKA_TLS_PASSWORD).`;

/** Entry point of `bin/shoal-certs`; returns the process exit code. */
export function main(argv: string[], env: Record<string, string | undefined>): number {
  let values: { datadir?: string; force?: boolean; cn?: string; days?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        datadir: { type: 'string' },
        force: { type: 'boolean' },
        cn: { type: 'string' },
        days: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  if (values.datadir === undefined) {
    console.error(`--datadir is required\n${USAGE}`);
    return 2;
  }
  const days = values.days === undefined ? 3650 : Number(values.days);
  if (!Number.isInteger(days) || days <= 0) {
    console.error('--days must be a positive integer');
    return 2;
  }
  try {
    const password = tlsPasswordFromEnv(env);
    const path = writeClusterKeystore({
      datadir: resolve(values.datadir),
      password,
      force: values.force === true,
    });
    console.log(`wrote ${path}; copy this file and the password to every cluster member`);
    return 0;
  } catch (err) {
    if (err instanceof ClusterError) {
      console.error(`shoal-certs: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = main(process.argv.slice(2), process.env);
