/** `onchainbalance` as the backend answers it, in satoshis. */
export interface DemoBalance {
  confirmed: number;
  unconfirmed: number;
}

/** Blocks mined after the wallet's coinbase so that it can be spent (consensus coinbase maturity). */
const MATURITY = 100;

/** One call of the backend's HTTP API (form-encoded, basic auth), failing on any non-200 answer. */
export async function apiCall(
  api: { port: number; password: string },
  call: string,
  form: Record<string, string> = {},
): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${api.port}/${call}`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`:${api.password}`).toString('base64')}` },
    body: new URLSearchParams(form),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${call} answered ${res.status}: ${text}`);
  return JSON.parse(text) as unknown;
}

/**
 * Funds the demo node's wallet on its embedded regtest chain, as `@shoal/wallet`'s
 * `fundOnRegtest` does in process but through the backend's API (the chain and the wallet live in
 * the backend process): `blocks` coinbases to fresh wallet addresses, then {@link MATURITY}
 * blocks so they can be spent. A wallet that already holds coins (a demo restarted on the same
 * datadir) is left as it is. Resolves with the balance.
 */
export async function fundDemoWallet(
  api: { port: number; password: string },
  blocks = 1,
): Promise<{ balance: DemoBalance; funded: boolean }> {
  const before = (await apiCall(api, 'onchainbalance')) as DemoBalance;
  if (before.confirmed + before.unconfirmed > 0) return { balance: before, funded: false };
  for (let i = 0; i < blocks; i++) {
    const address = String(await apiCall(api, 'getnewaddress'));
    await apiCall(api, 'generate', { blocks: '1', address });
  }
  await apiCall(api, 'generate', { blocks: String(MATURITY) });
  return { balance: (await apiCall(api, 'onchainbalance')) as DemoBalance, funded: true };
}

/** Satoshis as BTC text: `50.00000000 BTC`. */
export function formatBtc(sat: number): string {
  const whole = Math.floor(sat / 1e8);
  return `${whole}.${String(sat % 1e8).padStart(8, '0')} BTC`;
}
