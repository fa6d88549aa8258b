#!/usr/bin/env node
import { join, resolve } from 'node:path';
import { createLogger } from '@shoal/log';
import { demoPorts, startDemoCluster, waitUntilReady } from './cluster-demo.js';
import { type DemoBalance, formatBtc, fundDemoWallet } from './funding.js';

// `bin/demo`: a whole Shoal node on the embedded defaults (SQLite, embedded regtest chain), as
// one backend and two frontends on localhost, in the foreground until Ctrl-C or SIGTERM. The
// wallet is funded on the regtest chain at start (one mature coinbase).
const logger = createLogger({ format: 'pretty', level: 'info', fields: { app: 'demo' } });
const datadir = resolve(process.env.DEMO_DATADIR ?? join(process.cwd(), '.data', 'demo'));

async function main(): Promise<number> {
  const ports = demoPorts(process.env);
  const cluster = await startDemoCluster({ logger }, { datadir, ports });
  let stopping = false;
  const stop = async (why: string, code: number): Promise<number> => {
    if (stopping) return code;
    stopping = true;
    logger.info('stopping every process the demo started', { why });
    await cluster.stop();
    return code;
  };
  const signalled = new Promise<number>((done) => {
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => done(stop(s, 0)));
  });
  const died = cluster.died.then((why) => {
    logger.error('a process of the demo died', { why });
    return stop(why, 1);
  });
  try {
    await Promise.race([
      waitUntilReady(cluster, 60_000),
      died.then((code) => Promise.reject(new Error(`exit ${code}`))),
    ]);
  } catch (err) {
    logger.error('the node did not come up', { err, logs: datadir });
    return stop('start failed', 1);
  }
  let balance: DemoBalance;
  try {
    const funding = await fundDemoWallet({ port: ports.api, password: cluster.apiPassword });
    balance = funding.balance;
    logger.info(funding.funded ? 'wallet funded on the regtest chain' : 'wallet already funded', {
      confirmedSat: balance.confirmed,
    });
  } catch (err) {
    logger.error('funding the wallet failed', { err, logs: datadir });
    return stop('funding failed', 1);
  }
  const [a, b] = ports.fronts;
  console.log(`
Shoal is running: one backend and two frontends on localhost (embedded regtest chain, SQLite).
  node id:      ${cluster.nodeId}
  connect to:   ${cluster.nodeId}@127.0.0.1:${a?.peer}  (or :${b?.peer}, the second frontend)
  API:          http://127.0.0.1:${ports.api}  password: ${cluster.apiPassword}
                e.g. curl -s -u :${cluster.apiPassword} -X POST http://127.0.0.1:${ports.api}/getinfo
                or   node apps/cli/dist/src/main.js --url http://127.0.0.1:${ports.api} --password ${cluster.apiPassword} getinfo
  wallet:       ${formatBtc(balance.confirmed)} confirmed, ${formatBtc(balance.unconfirmed)} unconfirmed (regtest)
                e.g. curl -s -u :${cluster.apiPassword} -X POST -d blocks=1 http://127.0.0.1:${ports.api}/generate
  health:       http://127.0.0.1:${a?.http}/ready  http://127.0.0.1:${b?.http}/ready
  data, logs:   ${datadir}
  stop:         Ctrl-C (stops the backend and both frontends)
`);
  return Promise.race([signalled, died]);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    logger.error('demo failed', { err });
    process.exit(1);
  },
);
