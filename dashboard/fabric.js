// The fabric page of the dashboard: status and reasons, sessions, VTEPs with rates and sparklines, and charts of moves,
// route churn and VXLAN drops per minute (uPlot, served from the installed package at /vendor/uplot/).
import uPlot from './vendor/uplot/uPlot.esm.js';

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const num = (x, digits = 1) => (x === null || x === undefined ? '—' : Number(x).toLocaleString('en', { maximumFractionDigits: digits }));

export const statusBadge = (status) => `<span class="status status-${esc(status ?? 'unknown')}">${esc(status ?? 'not evaluated')}</span>`;

/** The charts drawn on the page, by name (the browser test reads their data). */
window.evpnLensCharts = {};

function sparkline(points) {
  const ys = points.map((p) => (p.encapPps ?? 0) + (p.decapPps ?? 0));
  if (ys.length < 2 || ys.every((y) => y === 0)) return '<span class="muted">—</span>';
  const max = Math.max(...ys) || 1;
  const w = 120;
  const h = 24;
  const pts = ys.map((y, i) => `${((i / (ys.length - 1)) * w).toFixed(1)},${(h - (y / max) * (h - 2) - 1).toFixed(1)}`).join(' ');
  return `<svg class="sparkline" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" aria-label="encap+decap packets/s, last hour"><polyline points="${pts}"/></svg>`;
}

function chart(el, name, title, points, field, color) {
  window.evpnLensCharts[name]?.destroy();
  const xs = points.map((p) => Date.parse(`${p.minute}:00Z`) / 1000);
  const ys = points.map((p) => p[field]);
  const u = new uPlot(
    {
      title,
      width: Math.max(280, el.clientWidth || 360),
      height: 170,
      scales: { x: { time: true } },
      axes: [
        { stroke: '#8a97a6', grid: { stroke: '#2a3440' } },
        { stroke: '#8a97a6', grid: { stroke: '#2a3440' } },
      ],
      series: [{}, { label: title, stroke: color, width: 1.5, fill: `${color}22`, spanGaps: false }],
      legend: { show: false },
    },
    [xs, ys],
    el,
  );
  window.evpnLensCharts[name] = u;
}

async function drawCharts(api, name, range) {
  const since = new Date(Date.now() - (range === '24h' ? 24 * 3600_000 : 3600_000)).toISOString();
  const h = await api(`/v1/fabrics/${encodeURIComponent(name)}/history?since=${encodeURIComponent(since)}&vteps=${range === '1h'}`);
  chart(document.getElementById('chart-moves'), 'moves', 'MAC moves / min', h.points, 'moves', '#f5b942');
  chart(document.getElementById('chart-churn'), 'churn', 'route churn / min', h.points, 'churn', '#4fb3ff');
  chart(document.getElementById('chart-drops'), 'drops', 'VXLAN drops / s', h.points, 'dropsPps', '#ff5c5c');
  return h;
}

export async function showFabric(view, api, name) {
  view.innerHTML = `<h1>Fabric ${esc(name)}</h1><p class="muted">loading…</p>`;
  let f;
  try {
    f = await api(`/v1/fabrics/${encodeURIComponent(name)}/health`);
  } catch (err) {
    view.innerHTML = `<h1>Fabric ${esc(name)}</h1><p class="error">${esc(err.message)}</p>`;
    return;
  }
  const vtepsUp = f.vteps.filter((v) => v.state === 'up').length;
  const routes = Object.entries(f.routesByType)
    .map(([t, n]) => `type ${t}: ${num(n, 0)}`)
    .join(' · ');
  view.innerHTML = `
    <h1>Fabric ${esc(f.fabric)} ${statusBadge(f.status)}</h1>
    <div class="reasons">${
      f.reasons.length
        ? `<ul>${f.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>`
        : '<p class="muted">No rule fires: every session up, every expected VTEP present, sources fresh.</p>'
    }<p class="muted">evaluated ${esc(f.updatedAt ?? 'not yet')}</p></div>
    <div class="cards">
      <div class="card"><div>Sessions up</div><div class="n">${f.sessions.up} / ${f.sessions.total}</div></div>
      <div class="card"><div>VTEPs up</div><div class="n">${vtepsUp} / ${f.vteps.length}</div></div>
      <div class="card"><div>MACs</div><div class="n">${num(f.macs, 0)}</div><div class="muted">${f.vnis.length} VNIs</div></div>
      <div class="card"><div>Routes</div><div class="n">${num(
        Object.values(f.routesByType).reduce((a, b) => a + b, 0),
        0,
      )}</div><div class="muted">${esc(routes || 'none')}</div></div>
      <div class="card"><div>Churn / moves per min</div><div class="n">${num(f.churnPerMinute)} / ${num(f.movesPerMinute)}</div></div>
      <div class="card"><div>Stale sources</div><div class="n">${f.freshness.stale}</div></div>
    </div>
    <h2>Last <span class="range"><button data-range="1h" class="active">hour</button><button data-range="24h">24 hours</button></span></h2>
    <div class="charts"><div id="chart-moves"></div><div id="chart-churn"></div><div id="chart-drops"></div></div>
    <h2>BGP EVPN sessions</h2>
    ${
      f.sessions.down.length
        ? `<table class="sessions"><thead><tr><th>Router</th><th>Peer</th><th>AS</th><th>State</th><th>Since</th><th>Reason</th></tr></thead><tbody>${f.sessions.down
            .map(
              (s) =>
                `<tr class="session-${esc(s.state)}"><td>${esc(s.router)} <span class="muted">${esc(s.sysName)}</span></td><td>${esc(s.peer)}</td><td>${s.peerAsn || ''}</td><td>${esc(s.state)}</td><td>${esc(s.since)}</td><td>${esc(s.reason)}</td></tr>`,
            )
            .join('')}</tbody></table>`
        : `<p class="muted">All ${f.sessions.total} sessions up.</p>`
    }
    <table class="routers"><thead><tr><th>BMP router</th><th>sysName</th><th>Connected</th><th>Since</th></tr></thead><tbody>${f.routers
      .map(
        (r) =>
          `<tr><td>${esc(r.router)}</td><td>${esc(r.sysName)}</td><td>${r.connected ? 'yes' : `<strong>no</strong> ${esc(r.detail)}`}</td><td>${esc(r.since)}</td></tr>`,
      )
      .join('')}</tbody></table>
    <h2>VTEPs</h2>
    <table class="vteps"><thead><tr><th>VTEP</th><th>State</th><th>VNIs</th><th>Routes</th><th>Encap pps</th><th>Decap pps</th><th>BUM pps</th><th>Drops/s</th><th>Last hour</th><th>Last seen</th></tr></thead><tbody>${f.vteps
      .map(
        (v) =>
          `<tr class="vtep-${esc(v.state)}" data-vtep="${esc(v.vtep)}"><td><a href="#/vtep/${esc(v.vtep)}">${esc(v.vtep)}</a>${v.expected ? ' <span class="muted">expected</span>' : ''}${v.device ? ` <span class="muted">${esc(v.device)}</span>` : ''}</td><td>${esc(v.state)}</td><td>${esc(v.vnis.join(', '))}</td><td>${v.routes + v.imet}</td><td>${num(v.rates?.encapPps)}</td><td>${num(v.rates?.decapPps)}</td><td>${num(v.rates?.bumPps)}</td><td>${num(v.rates?.dropsPps)}</td><td class="spark"></td><td>${esc(v.lastSeen ?? '—')}</td></tr>`,
      )
      .join('')}</tbody></table>
    <h2>VNIs</h2>
    <table class="vnis"><thead><tr><th>VNI</th><th>VTEPs</th><th>MACs</th></tr></thead><tbody>${f.vnis
      .map((v) => `<tr><td><a href="#/vni/${v.vni}">${v.vni}</a></td><td>${esc(v.vteps.join(', ') || '—')}</td><td>${num(v.macs, 0)}</td></tr>`)
      .join('')}</tbody></table>
    <h2>Flapping MACs</h2>
    ${
      f.flapping.length
        ? `<ul class="flapping">${f.flapping.map((m) => `<li><a href="#/host/${esc(m.mac)}">${esc(m.mac)}</a> VNI ${m.vni} since ${esc(m.since)} — ${esc(m.detail)}</li>`).join('')}</ul>`
        : '<p class="muted">None.</p>'
    }
    <h2>Sources</h2>
    <table class="freshness"><thead><tr><th>Source</th><th>Name</th><th>State</th><th>Last seen</th><th>Detail</th></tr></thead><tbody>${f.freshness.sources
      .map(
        (s) =>
          `<tr class="source-${esc(s.state)}"><td>${s.kind === 'bmp' ? 'BMP' : 'gNMI'}</td><td>${esc(s.name)}</td><td>${esc(s.state)}</td><td>${esc(s.lastSeen ?? '—')}</td><td>${esc(s.detail)}</td></tr>`,
      )
      .join('')}</tbody></table>`;

  const draw = async (range) => {
    for (const b of view.querySelectorAll('.range button')) b.classList.toggle('active', b.dataset.range === range);
    const h = await drawCharts(api, f.fabric, range).catch(() => undefined);
    if (h?.vteps)
      for (const row of view.querySelectorAll('table.vteps tr[data-vtep]')) row.querySelector('.spark').innerHTML = sparkline(h.vteps[row.dataset.vtep] ?? []);
  };
  for (const b of view.querySelectorAll('.range button')) b.onclick = () => draw(b.dataset.range);
  await draw('1h');
}
