/** A call of the backend API as the CLI knows it (for `help` and for its API path). */
export interface CliCommand {
  readonly name: string;
  /** API path without the leading slash; defaults to `name`. */
  readonly path?: string;
  readonly summary: string;
  /** Parameters, `?` marking optional ones. */
  readonly params: readonly string[];
  readonly example?: string;
}

/**
 * Commands listed by `help`. Other names are still sent to the API as `POST /<name>`, so calls
 * the backend gains later work before this list learns them.
 */
export const COMMANDS: readonly CliCommand[] = [
  { name: 'getinfo', summary: 'node id, alias, features, chain, block height, public addresses', params: [] },
  { name: 'peers', summary: 'known peers, connected or not', params: [] },
  {
    name: 'connect',
    summary: 'connect to a node (no channel is opened)',
    params: ['uri=<nodeId@host:port> | nodeId=<hex> [host=<host>] [port=<port>]'],
    example: 'shoal-cli connect --uri 03864e...8f@10.0.0.7:9735',
  },
  { name: 'disconnect', summary: 'disconnect from a peer', params: ['nodeId=<hex>'] },
  { name: 'cluster', summary: 'cluster members, roles, status, peers per frontend (Shoal)', params: [] },
  { name: 'allnodes', summary: 'every node_announcement of the routing graph', params: [] },
  { name: 'allchannels', summary: 'every public channel: shortChannelId and its two nodes', params: [] },
  {
    name: 'allupdates',
    summary: 'latest channel_update of each channel direction',
    params: ['[nodeId=<hex>]'],
  },
  { name: 'node', summary: "a node's announcement, active channels, capacity", params: ['nodeId=<hex>'] },
  { name: 'networkstats', summary: 'routing graph counts, capacity and fee percentiles', params: [] },
  {
    name: 'state',
    path: 'v1/state',
    summary: 'WAITING_TO_START on a standby backend, else the node state',
    params: [],
  },
];

export function findCommand(name: string): CliCommand | undefined {
  return COMMANDS.find((c) => c.name === name);
}
