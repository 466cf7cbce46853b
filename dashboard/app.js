// evpn-lens NOC dashboard: plain ES module, no build step. Talks only to the query API (same origin, or ?api=URL).
import { authHeaders, signInAgain } from './auth.js';
import { showFabric, statusBadge } from './fabric.js';
import { prefixMatchTable, showSegment, showSegments, showVrf, showVrfs } from './route-index.js';

const API = new URLSearchParams(location.search).get('api') ?? '';
const view = document.getElementById('view');
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const ZERO_ESI = '00:00:00:00:00:00:00:00:00:00';

// When the API wants a bearer token (api.auth.tokenEnv), the page asks for it once and keeps it for this browser
// session only (sessionStorage: gone when the tab closes, never sent anywhere but the API).
const TOKEN_KEY = 'evpn-lens-api-token';
let asking;
function askToken(rejected) {
  asking ??= new Promise((resolve) => {
    const dialog = document.getElementById('token-dialog');
    document.getElementById('token-error').hidden = !rejected;
    dialog.querySelector('form').onsubmit = (e) => {
      e.preventDefault();
      const input = document.getElementById('token');
      sessionStorage.setItem(TOKEN_KEY, input.value.trim());
      input.value = '';
      dialog.close();
      asking = undefined;
      resolve();
    };
    dialog.showModal();
  });
  return asking;
}

async function api(path) {
  for (;;) {
    // The AWS deployment: an ID token from the JWT issuer of config.json (auth.js). Else a bearer token asked once.
    const signedIn = await authHeaders();
    const token = sessionStorage.getItem(TOKEN_KEY);
    const headers = signedIn.authorization ? signedIn : token ? { authorization: `Bearer ${token}` } : {};
    const res = await fetch(`${API}${path}`, { headers });
    if (res.status === 401) {
      if (signedIn.authorization) await signInAgain();
      else await askToken(token !== null);
      continue;
    }
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw Object.assign(new Error(body.detail ?? res.statusText), { status: res.status });
    return body;
  }
}

const isIp = (q) => /^\d{1,3}(\.\d{1,3}){3}$/.test(q) || (q.includes(':') && !/^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(q));

const locationRow = (mac, vni, l, time, state, cls) =>
  `<tr class="${cls}"><td><a href="#/host/${esc(mac)}">${esc(mac)}</a></td><td>${esc(l.fabric)}</td><td><a href="#/vni/${vni}">${vni}</a></td>
      <td>${l.vteps.map((v) => `<a href="#/vtep/${esc(v)}">${esc(v)}</a>`).join(', ')}</td><td>${l.esi === ZERO_ESI ? '<span class="muted">single-homed</span>' : `<a href="#/segment/${esc(l.esi)}">${esc(l.esi)}</a>`}</td>
      <td>${esc(l.ips.join(', ') || '—')}</td><td>${l.sequence}</td><td>${esc(time)}</td><td>${state}</td></tr>`;

// The chosen location, then (on a host's page) the MAC's other advertisements in that VNI: conflicting (equal
// sequence: two hosts may share the MAC) or an older sequence. Lists keep one row per host.
function locationRows(mac, locations, competing = false) {
  return locations
    .map(
      (l) =>
        locationRow(mac, l.vni, l, l.since, 'chosen', 'chosen') +
        (competing ? (l.competing ?? []) : [])
          .map((c) =>
            locationRow(
              mac,
              l.vni,
              c,
              c.lastSeen,
              c.conflicting ? '<strong>conflicting</strong>' : 'older seq',
              c.conflicting ? 'competing conflicting' : 'competing',
            ),
          )
          .join(''),
    )
    .join('');
}
const locationTable = (rows) =>
  `<table class="locations"><thead><tr><th>MAC</th><th>Fabric</th><th>VNI</th><th>VTEP(s)</th><th>ESI</th><th>IPs</th><th>Seq</th><th>Since</th><th>State</th></tr></thead><tbody>${rows}</tbody></table>`;

async function showHome() {
  view.innerHTML =
    '<h1>Fabrics</h1><div class="cards" id="fabrics"><span class="muted">loading…</span></div><p class="muted">Search a MAC or an IP above to see where a host is and where it was.</p>';
  const { fabrics } = await api('/v1/fabrics');
  document.getElementById('fabrics').innerHTML = fabrics.length
    ? fabrics
        .map(
          (f) =>
            `<a class="card fabric status-${esc(f.status ?? 'unknown')}" data-fabric="${esc(f.name)}" href="#/fabric/${esc(f.name)}"><div>${esc(f.name)} ${statusBadge(f.status)}</div><div class="n">${f.macs}</div><div class="muted">MACs · ${f.vnis} VNIs · ${f.vteps} VTEPs · ${f.movesPerMinute} moves/min</div>${(f.reasons ?? []).length ? `<div class="muted reason">${esc(f.reasons[0])}${f.reasons.length > 1 ? ` (+${f.reasons.length - 1})` : ''}</div>` : ''}</a>`,
        )
        .join('')
    : '<span class="muted">No fabric configured or seen yet.</span>';
}

async function showHost(mac) {
  view.innerHTML = `<h1>Host ${esc(mac)}</h1><p class="muted">loading…</p>`;
  try {
    const h = await api(`/v1/hosts/${encodeURIComponent(mac)}`);
    const timeline = h.history.length
      ? `<ul class="timeline">${h.history.map((e) => `<li><span class="muted">${esc(e.at)}</span> ${esc(e.kind)}: ${e.from ? `${esc(e.from.fabric)} / ${esc(e.from.vtep)}` : '—'} → ${e.to ? `${esc(e.to.fabric)} / ${esc(e.to.vtep)}` : '—'}</li>`).join('')}</ul>`
      : '<p class="muted">No moves recorded.</p>';
    view.innerHTML = `<h1>Host ${esc(h.mac)}</h1>${h.locations.length ? locationTable(locationRows(h.mac, h.locations, true)) : '<p class="muted">Not present now.</p>'}<h2 style="margin-top:20px">Moves</h2>${timeline}`;
  } catch (err) {
    view.innerHTML = `<h1>Host ${esc(mac)}</h1><p class="error">${esc(err.message)}</p>`;
  }
}

async function showIp(ip) {
  view.innerHTML = `<h1>Hosts with IP ${esc(ip)}</h1><p class="muted">loading…</p>`;
  try {
    const { hosts, match, prefixes } = await api(`/v1/hosts?ip=${encodeURIComponent(ip)}`);
    // No MAC/IP route knows the address: the type-5 prefixes that cover it (match: prefix).
    const fallback =
      match === 'prefix'
        ? `<p class="muted">No host route; covered by these prefixes (match: prefix):</p>${prefixMatchTable(prefixes)}`
        : '<p class="muted">No host has this IP now.</p>';
    view.innerHTML = `<h1>Hosts with IP ${esc(ip)}</h1>${hosts.length ? locationTable(hosts.map((h) => locationRows(h.mac, h.locations)).join('')) : fallback}`;
  } catch (err) {
    view.innerHTML = `<h1>Hosts with IP ${esc(ip)}</h1><p class="error">${esc(err.message)}</p>`;
  }
}

/** A paged host list (VNI or VTEP): one page at a time, never the whole table. */
async function showPaged(title, path) {
  const stack = [null];
  const render = async () => {
    const cursor = stack[stack.length - 1];
    view.innerHTML = `<h1>${esc(title)}</h1><p class="muted">loading…</p>`;
    try {
      const page = await api(`${path}?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      view.innerHTML = `<h1>${esc(title)}</h1>${locationTable(page.hosts.map((h) => locationRows(h.mac, h.locations)).join(''))}
        <div class="pager"><button id="prev" ${stack.length > 1 ? '' : 'disabled'}>Previous</button><span class="muted">page ${stack.length}</span><button id="next" ${page.nextCursor ? '' : 'disabled'}>Next</button></div>`;
      document.getElementById('prev').onclick = () => {
        stack.pop();
        render();
      };
      document.getElementById('next').onclick = () => {
        stack.push(page.nextCursor);
        render();
      };
    } catch (err) {
      view.innerHTML = `<h1>${esc(title)}</h1><p class="error">${esc(err.message)}</p>`;
    }
  };
  await render();
}

function route() {
  const hash = decodeURIComponent(location.hash);
  if (hash === '#/segments') return showSegments(view, api);
  if (hash === '#/vrfs') return showVrfs(view, api);
  const [, kind, arg] = hash.match(/^#\/(host|ip|vni|vtep|fabric|segment|vrf)\/(.+)$/) ?? [];
  if (kind === 'segment') return showSegment(view, api, arg);
  if (kind === 'vrf') return showVrf(view, api, arg);
  if (kind === 'fabric') return showFabric(view, api, arg);
  if (kind === 'host') return showHost(arg);
  if (kind === 'ip') return showIp(arg);
  if (kind === 'vni') return showPaged(`VNI ${arg}`, `/v1/vnis/${encodeURIComponent(arg)}/hosts`);
  if (kind === 'vtep') return showPaged(`VTEP ${arg}`, `/v1/vteps/${encodeURIComponent(arg)}/hosts`);
  return showHome();
}

document.getElementById('search').addEventListener('submit', (e) => {
  e.preventDefault();
  const q = document.getElementById('q').value.trim();
  if (q) location.hash = `#/${isIp(q) ? 'ip' : 'host'}/${q}`;
});
window.addEventListener('hashchange', route);

const macAlert = (
  a,
) => `<li class="alert ${esc(a.type)} ${a.clearedAt ? 'cleared' : 'active'}${a.crossFabric ? ' cross-fabric' : ''}" data-mac="${esc(a.mac)}"><div><strong>${esc(a.type)}</strong> <span class="state">${a.clearedAt ? 'cleared' : 'ACTIVE'}</span>${a.raisedBeforeRestart ? ' <span class="badge before-restart" title="raised before the stack restarted; cleared by the same rules">before restart</span>' : ''}${a.crossFabric ? ` <span class="badge cross-fabric">across ${esc((a.fabrics ?? []).join(' + '))}</span>` : ''}</div>
          <div><a href="#/host/${esc(a.mac)}">${esc(a.mac)}</a> VNI ${a.vni} · ${esc(a.fabric)}</div>${(a.locations ?? []).length ? `<div class="locations">${a.locations.map((l) => `<span class="where">${esc(l.fabric)} / ${esc(l.vtep)}</span>`).join(' ')}</div>` : ''}<div class="muted">${esc(a.raisedAt)} — ${esc(a.detail)}</div></li>`;

// A fabric-status alert is about a fabric (no MAC): its status, its reasons, a link to the fabric page.
const fabricAlert = (
  a,
) => `<li class="alert fabric-status status-${esc(a.status)} ${a.clearedAt ? 'cleared' : 'active'}" data-fabric="${esc(a.fabric)}"><div><strong>fabric ${esc(a.fabric)}</strong> ${statusBadge(a.status)} <span class="state">${a.clearedAt ? 'cleared' : 'ACTIVE'}</span></div>
          <div><a href="#/fabric/${esc(a.fabric)}">fabric ${esc(a.fabric)}</a></div>${(a.reasons ?? []).length ? `<ul class="reasons">${a.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : ''}<div class="muted">${esc(a.raisedAt)}${a.clearedAt ? ` — cleared ${esc(a.clearedAt)}` : ''}</div></li>`;

// Live alert feed: polling keeps it working behind API Gateway (no long-lived connections there).
async function pollAlerts() {
  try {
    const { alerts } = await api('/v1/alerts');
    document.getElementById('alert-count').textContent = String(alerts.filter((a) => !a.clearedAt).length);
    document.getElementById('alerts').innerHTML = alerts.length
      ? alerts
          .slice(0, 50)
          .map((a) => (a.type === 'fabric-status' ? fabricAlert(a) : macAlert(a)))
          .join('')
      : '<li class="muted">No alerts.</li>';
  } catch {
    /* the next poll retries */
  }
}
route();
pollAlerts();
setInterval(pollAlerts, 2000);
