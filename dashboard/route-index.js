// Pages of the route index: Ethernet segments (members, mode, DF per EVI) and IP-VRFs with their type-5 prefixes.
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const yes = (b) => (b ? 'yes' : '<span class="muted">no</span>');
const table = (head, rows) =>
  `<table class="locations"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;

/** One page of a paged list at a time (opaque cursor), Previous / Next. */
async function paged(view, api, title, path, render) {
  const stack = [null];
  const draw = async () => {
    const cursor = stack[stack.length - 1];
    view.innerHTML = `<h1>${esc(title)}</h1><p class="muted">loading…</p>`;
    try {
      const sep = path.includes('?') ? '&' : '?';
      const page = await api(`${path}${sep}limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      view.innerHTML = `<h1>${esc(title)}</h1>${render(page)}
        <div class="pager"><button id="prev" ${stack.length > 1 ? '' : 'disabled'}>Previous</button><span class="muted">page ${stack.length}</span><button id="next" ${page.nextCursor ? '' : 'disabled'}>Next</button></div>`;
      document.getElementById('prev').onclick = () => {
        stack.pop();
        draw();
      };
      document.getElementById('next').onclick = () => {
        stack.push(page.nextCursor);
        draw();
      };
    } catch (err) {
      view.innerHTML = `<h1>${esc(title)}</h1><p class="error">${esc(err.message)}</p>`;
    }
  };
  await draw();
}

export const showSegments = (view, api) =>
  paged(view, api, 'Ethernet segments', '/v1/segments', (page) =>
    page.segments.length
      ? table(
          ['ESI', 'Fabrics', 'Mode', 'ESI label', 'Members', 'EVIs', 'DF algorithm', 'Flags'],
          page.segments.map(
            (s) =>
              `<tr class="segment" data-esi="${esc(s.esi)}"><td><a href="#/segment/${esc(s.esi)}">${esc(s.esi)}</a></td><td>${esc(s.fabrics.join(', '))}</td><td>${esc(s.mode)}</td><td>${s.esiLabel ?? '—'}</td><td>${s.members.map((v) => `<a href="#/vtep/${esc(v)}">${esc(v)}</a>`).join(', ')}</td><td>${s.evis}</td><td>${esc(s.dfAlgorithm)}</td><td>${s.flags ? `<strong class="error">${s.flags}</strong>` : '0'}</td></tr>`,
          ),
        )
      : '<p class="muted">No Ethernet segment has a live route.</p>',
  );

export async function showSegment(view, api, esi) {
  view.innerHTML = `<h1>Segment ${esc(esi)}</h1><p class="muted">loading…</p>`;
  try {
    const s = await api(`/v1/segments/${encodeURIComponent(esi)}`);
    const flags = s.flags.length
      ? `<ul class="reasons">${s.flags.map((f) => `<li class="error">${esc(f.kind)}${f.vtep ? ` (${esc(f.vtep)})` : ''}</li>`).join('')}</ul>`
      : '';
    view.innerHTML = `<h1>Segment ${esc(s.esi)}</h1>
      <p><strong class="mode">${esc(s.mode)}</strong>${s.esiLabel === null ? '' : ` · ESI label ${s.esiLabel}`} · ${esc(s.fabrics.join(', '))} · DF ${esc(s.dfAlgorithm)}${s.dfUnsupported ? ` <span class="muted">(${esc(s.dfUnsupported)})</span>` : ''}</p>
      <p class="muted">DF candidates, RFC 7432 §8.5 order: ${esc(s.dfCandidates.join(', ') || '—')}</p>${flags}
      <h2>Members</h2>${table(
        ['VTEP', 'Fabric', 'ES route', 'A-D per ES', 'A-D per EVI', 'Single-active'],
        s.members.map(
          (m) =>
            `<tr><td><a href="#/vtep/${esc(m.vtep)}">${esc(m.vtep)}</a></td><td>${esc(m.fabric)}</td><td>${yes(m.esRoute)}</td><td>${yes(m.adPerEs)}</td><td>${m.evis}</td><td>${m.singleActive === undefined ? '—' : yes(m.singleActive)}</td></tr>`,
        ),
      )}
      <h2>Designated forwarder per EVI</h2>${table(
        ['EVI', 'V', 'DF', 'Members'],
        s.evis.map(
          (e) =>
            `<tr class="evi"><td>${e.vni ? `<a href="#/vni/${e.vni}">${esc(e.id)}</a>` : esc(e.id)}</td><td>${e.serviceValue ?? '—'}</td><td class="df">${e.df ? `<strong>${esc(e.df)}</strong>` : '—'}</td><td>${esc(e.members.join(', '))}</td></tr>`,
        ),
      )}`;
  } catch (err) {
    view.innerHTML = `<h1>Segment ${esc(esi)}</h1><p class="error">${esc(err.message)}</p>`;
  }
}

export async function showVrfs(view, api) {
  view.innerHTML = '<h1>IP-VRFs</h1><p class="muted">loading…</p>';
  try {
    const { vrfs } = await api('/v1/vrfs');
    view.innerHTML = `<h1>IP-VRFs</h1>${
      vrfs.length
        ? table(
            ['VRF', 'L3 VNI / route target', 'IPv4 lengths', 'IPv6 lengths'],
            vrfs.map(
              (v) =>
                `<tr class="vrf"><td><a href="#/vrf/${esc(v.id)}">${esc(v.id)}</a></td><td>${esc(v.l3Vni ?? v.routeTarget ?? '')}</td><td>${esc(v.lengths.ipv4.map((l) => `/${l}`).join(' '))}</td><td>${esc(v.lengths.ipv6.map((l) => `/${l}`).join(' '))}</td></tr>`,
            ),
          )
        : '<p class="muted">No type-5 route seen yet.</p>'
    }`;
  } catch (err) {
    view.innerHTML = `<h1>IP-VRFs</h1><p class="error">${esc(err.message)}</p>`;
  }
}

const nextHopCells = (hops) => [
  hops.map((n) => `<a href="#/vtep/${esc(n.vtep)}">${esc(n.vtep)}</a>`).join(', '),
  esc([...new Set(hops.map((n) => n.gatewayIp ?? '—'))].join(', ')),
  esc([...new Set(hops.map((n) => n.routerMac ?? '—'))].join(', ')),
];

export const showVrf = (view, api, id) =>
  paged(view, api, `VRF ${id}`, `/v1/vrfs/${encodeURIComponent(id)}/prefixes`, (page) =>
    page.prefixes.length
      ? table(
          ['Prefix', 'Fabric', 'VTEP(s)', 'Gateway', 'Router MAC'],
          page.prefixes.flatMap((p) =>
            p.fabrics.map((f) => {
              const [vteps, gws, rmacs] = nextHopCells(p.nextHops.filter((n) => n.fabric === f));
              return `<tr class="prefix"><td>${esc(p.prefix)}</td><td>${esc(f)}</td><td>${vteps}</td><td>${gws}</td><td>${rmacs}</td></tr>`;
            }),
          ),
        )
      : '<p class="muted">No live prefix on this page.</p>',
  );

/** The covering prefixes of an address no MAC/IP route knows (`/v1/hosts?ip=` with match: prefix). */
export const prefixMatchTable = (matches) =>
  table(
    ['VRF', 'Fabric', 'Prefix', 'VTEP(s)', 'Gateway', 'Router MAC'],
    matches.map((m) => {
      const [vteps, gws, rmacs] = nextHopCells(m.nextHops);
      return `<tr class="prefix-match"><td><a href="#/vrf/${esc(m.vrf)}">${esc(m.vrf)}</a></td><td>${esc(m.fabric)}</td><td>${esc(m.prefix)}</td><td>${vteps}</td><td>${gws}</td><td>${rmacs}</td></tr>`;
    }),
  );
