/**
 * "Identical index": every MAC (per VNI) has the same current location (fabric, VTEP, VTEPs, ESI), IPs and competing
 * locations in two indexes; times may differ. Read through the stack's HTTP API (`/v1/vnis/{vni}/hosts`, every page),
 * so a drill checks what a user would see, whatever store is behind it. A MAC without a location counts as absent (a
 * withdrawn host).
 */

export interface MacState {
  fabric: string;
  vtep: string;
  vteps: string[];
  esi: string;
  ips: string[];
  /** VTEPs of other locations still advertised (a withdrawal that never took effect leaves one here). */
  competing: string[];
}

export type IndexSnapshot = Map<string, MacState>;

interface HostsPage {
  hosts: {
    mac: string;
    locations: { fabric: string; vni: number; vtep: string; vteps: string[]; esi: string; ips: string[]; competing?: { vtep: string }[] }[];
  }[];
  nextCursor: string | null;
}

/** Every MAC of the given VNIs, page by page (500 a page), keyed `mac|VNI#vni`. */
export async function snapshotIndex(apiUrl: string, vnis: Iterable<number>): Promise<IndexSnapshot> {
  const out: IndexSnapshot = new Map();
  for (const vni of new Set(vnis)) {
    let cursor: string | null = null;
    do {
      const url = `${apiUrl}/v1/vnis/${vni}/hosts?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await fetch(url);
      if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
      const page = (await res.json()) as HostsPage;
      for (const h of page.hosts)
        for (const l of h.locations)
          out.set(`${h.mac}|VNI#${l.vni}`, {
            fabric: l.fabric,
            vtep: l.vtep,
            vteps: [...l.vteps].sort(),
            esi: l.esi,
            ips: [...l.ips].sort(),
            competing: (l.competing ?? []).map((c) => c.vtep).sort(),
          });
      cursor = page.nextCursor;
    } while (cursor);
  }
  return out;
}

export interface IndexDifference {
  key: string;
  expected: MacState | undefined;
  actual: MacState | undefined;
}

const canonical = (m: MacState | undefined) => (m ? JSON.stringify([m.fabric, m.vtep, m.vteps, m.esi, m.ips, m.competing]) : '');

export function diffSnapshots(expected: IndexSnapshot, actual: IndexSnapshot): IndexDifference[] {
  const out: IndexDifference[] = [];
  for (const key of new Set([...expected.keys(), ...actual.keys()])) {
    const e = expected.get(key);
    const a = actual.get(key);
    if (canonical(e) !== canonical(a)) out.push({ key, expected: e, actual: a });
  }
  return out.sort((x, y) => x.key.localeCompare(y.key));
}

/** Differences by kind: expected MACs absent (lost), MACs indexed but not expected (ghosts), and the rest (wrong). */
export function classify(diffs: IndexDifference[]): { lost: string[]; ghosts: string[]; wrong: IndexDifference[] } {
  return {
    lost: diffs.filter((d) => d.expected && !d.actual).map((d) => d.key),
    ghosts: diffs.filter((d) => !d.expected && d.actual).map((d) => d.key),
    wrong: diffs.filter((d) => d.expected && d.actual),
  };
}

/** A short account of differences for logs and failures: every kind, naming up to `max` MACs of each. */
export function describeDifferences(diffs: IndexDifference[], max = 5): string {
  const c = classify(diffs);
  const names = (keys: string[]) => `${keys.slice(0, max).join(', ')}${keys.length > max ? ', …' : ''}`;
  return [
    c.lost.length ? `${c.lost.length} lost (${names(c.lost)})` : '',
    c.ghosts.length ? `${c.ghosts.length} ghosts (${names(c.ghosts)})` : '',
    c.wrong.length
      ? `${c.wrong.length} wrong (${c.wrong
          .slice(0, max)
          .map((d) => `${d.key}: expected ${JSON.stringify(d.expected)} got ${JSON.stringify(d.actual)}`)
          .join('; ')})`
      : '',
  ]
    .filter(Boolean)
    .join('; ');
}
