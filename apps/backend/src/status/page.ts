/**
 * The status page: one self-contained HTML document (inline CSS and JS, no external assets) that
 * renders the snapshots of `GET /status/events`. Values are inserted with `textContent` only.
 */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shoal status</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; background: #fafafa; }
h1 { font-size: 1.4em; margin: 0 0 .2em; } h2 { font-size: 1.1em; margin: 1.4em 0 .4em; }
table { border-collapse: collapse; background: #fff; } th, td { padding: .3em .8em; border: 1px solid #ddd; text-align: left; }
th { background: #f0f0f0; } code { font-size: 12px; }
.up { color: #0a7a2f; font-weight: 600; } .unreachable, .down { color: #b36b00; font-weight: 600; }
.removed { color: #b00020; font-weight: 600; } .muted { color: #777; }
#conn { padding: .1em .5em; border-radius: 3px; background: #eee; } #conn.live { background: #d4f5dc; } #conn.lost { background: #fbd5d5; }
</style>
</head>
<body>
<h1>Shoal cluster status</h1>
<div><span id="conn">connecting</span> <span class="muted">last update: <span id="at">never</span> (<span id="reason">-</span>)</span></div>
<p>Node <code id="node-id">-</code> <span id="alias"></span> on <span id="network">-</span>; leader: <code id="leader">-</code></p>
<h2>Members</h2>
<table id="members"><thead><tr><th>address</th><th>roles</th><th>status</th><th>protocol</th><th>leader</th><th>peers</th></tr></thead><tbody></tbody></table>
<h2>Peers per frontend</h2>
<table id="peers"><thead><tr><th>frontend</th><th>node id</th><th>state</th><th>address</th></tr></thead><tbody></tbody></table>
<h2>Chain, gossip, channels</h2>
<table><tbody>
<tr><th>chain tip height</th><td id="height">-</td></tr>
<tr><th>gossip graph</th><td id="gossip">-</td></tr>
<tr><th>gossip sync progress</th><td id="sync">-</td></tr>
<tr><th>channels</th><td id="channels">-</td></tr>
</tbody></table>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
function cell(tr, text, cls) { const td = document.createElement("td"); td.textContent = String(text); if (cls) td.className = cls; tr.appendChild(td); return td; }
function fill(id, rows) { const body = $(id).tBodies[0]; body.replaceChildren(...rows); }
function render(s) {
  $("at").textContent = s.at; $("reason").textContent = s.reason;
  $("node-id").textContent = s.node.nodeId; $("alias").textContent = s.node.alias ? "(" + s.node.alias + ")" : "";
  $("network").textContent = s.node.network;
  const leader = s.members.find((m) => m.leader === true);
  $("leader").textContent = leader ? leader.address + (leader.address === s.self ? " (this backend)" : "") : "none";
  fill("members", s.members.map((m) => {
    const tr = document.createElement("tr"); tr.dataset.address = m.address; tr.dataset.status = m.status;
    cell(tr, m.address); cell(tr, m.roles.join(", ")); cell(tr, m.status, m.status).className += " status";
    cell(tr, m.protocolVersion); cell(tr, m.leader === undefined ? "" : m.leader ? "yes" : "no");
    cell(tr, m.peers === undefined ? "" : m.peers); return tr;
  }));
  const peers = s.peers.slice().sort((a, b) => (a.frontend || "~").localeCompare(b.frontend || "~"));
  fill("peers", peers.length === 0 ? [(() => { const tr = document.createElement("tr"); const td = cell(tr, "no peers", "muted"); td.colSpan = 4; return tr; })()]
    : peers.map((p) => { const tr = document.createElement("tr"); cell(tr, p.frontend || "(none)"); cell(tr, p.nodeId); cell(tr, p.state); cell(tr, p.address || ""); return tr; }));
  $("height").textContent = String(s.chain.height);
  $("gossip").textContent = s.gossip ? s.gossip.nodes + " nodes, " + s.gossip.channels + " channels" : "not available yet";
  $("sync").textContent = s.gossip ? Math.round(s.gossip.syncProgress * 100) + "%" : "not available yet";
  $("channels").textContent = s.channels.supported ? String(s.channels.count) : s.channels.count + " (not supported yet)";
}
const es = new EventSource("/status/events");
es.addEventListener("snapshot", (e) => { $("conn").textContent = "live"; $("conn").className = "live"; render(JSON.parse(e.data)); });
es.onerror = () => { $("conn").textContent = "reconnecting"; $("conn").className = "lost"; };
</script>
</body>
</html>
`;
