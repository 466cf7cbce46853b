/**
 * One target's normalizer: gNMI notifications in, telemetry.vtep.v1 samples out (see docs/telemetry-vtep.md).
 *
 * - Each leaf path is matched against the rule table once; the result (canonical name, kind, scope) is cached per
 *   target by the path's string form, so a counter streamed every 10 s costs a map look-up after the first sample.
 * - Deletes (spec §2.1, §3.5.2.3) become DELETED samples: of one leaf, or of an object (a VTEP peer, a VNI) when a
 *   node above its leaves is deleted.
 * - `atomic` notifications (spec §2.1, field 6) replace everything under their prefix: leaves sent before and missing
 *   now are deleted.
 * - Count rules (the MAC table) count distinct list entries per scope. After a (re)connect the entries are
 *   re-learned from the initial updates; at sync_response the ones not seen again are dropped and the counts published,
 *   so a reconnect never publishes a count that dips to zero and back (spec §3.5.2.3: the initial state is complete
 *   at sync_response).
 * - Scope rules (rule.ts) bind part of the scope from the device: its own VTEP address, an interface's VNI. A binding
 *   that changes re-scopes the samples of the same notification (a leaf sent before the binding in it included) and
 *   empties the cache, so later samples carry it.
 * - Aggregated counters and derived totals (rule.ts `aggregate`, `sums`) are published once per notification, after
 *   its leaves: the sum of the latest value of every contributing leaf.
 * A malformed update is counted and skipped; the notification's other updates still count.
 */
import Long from 'long';
import { SampleKind } from '../../../schemas/events.js';
import type { INotification, IPath, ITypedValue } from '../../../schemas/gnmi.js';
import { MalformedNotificationError } from '../errors.js';
import { formatElems, type PathElem, parsePath } from '../path.js';
import { flattenJson, parseJsonExact } from './json-value.js';
import { type LeafValue, toJsonText, toStateText, toU64 } from './leaf-value.js';
import type { Captures, CompiledRule, RuleTable } from './rule-table.js';
import { NO_CAPTURES } from './rule-table.js';

/** What a sample is about: fixed per leaf path, shared by every sample of that leaf. */
export interface SampleLeaf {
  readonly kind: SampleKind;
  readonly name: string;
  readonly path: string;
  readonly scope: Readonly<Captures>;
  readonly states?: ReadonlyMap<string, string> | undefined;
  /** STATE: the value as sent, not upper-cased. */
  readonly verbatim?: boolean | undefined;
  /** COUNTER: the sums this leaf contributes to, and whether it is also published itself. */
  readonly derive?: { into: readonly Accumulator[]; publish: boolean } | undefined;
  /** A scope rule's leaf: not published, its value binds the device's VTEP or an interface's VNI. */
  readonly bind?: { field: ScopeBinding; interface: string } | undefined;
  /** The encoder's cache of this leaf's constant fields. */
  encoded?: Uint8Array;
}

/** What a scope rule's leaf says (rule.ts): the VTEP address, an interface's VNI, the VTEP's source interface, an interface's address. */
type ScopeBinding = 'vtep' | 'vni' | 'vtep-interface' | 'interface-address';

/** One published sum: an aggregated counter or a derived total. */
interface Accumulator {
  leaf: SampleLeaf;
  /** contributing leaf path → its canonical name and latest value */
  parts: Map<string, { name: string; value: Long }>;
  /** derived totals: every part name must have been seen */
  needs: readonly string[] | undefined;
  /** derived totals: not published once the device sent this total itself (`name|scope`) */
  directKey: string | undefined;
}

export interface NormalizedSample {
  leaf: SampleLeaf;
  value: Long | undefined;
  state: string | undefined;
  rawJson: string | undefined;
  timestampNs: Long;
}

export interface NormalizerOptions {
  /** Publish leaves no rule maps, as RAW samples. */
  publishUnmapped: boolean;
  /** The target's local VTEP address, when the configuration names it. */
  vtep: string;
  /** Distinct leaf paths remembered per target before the cache starts over. */
  maxCachedPaths?: number;
}

interface CountTable {
  rule: CompiledRule;
  leaf: SampleLeaf;
  /** entry path → generation it was last seen in */
  entries: Map<string, number>;
}

const ZERO_TS = Long.UZERO;

function elemsOf(p: IPath | null | undefined): PathElem[] {
  if (!p) return [];
  if (p.elem && p.elem.length > 0) return p.elem as PathElem[];
  // Deprecated string elements (spec §2.2.2.1): each may carry keys in the string form.
  if (p.element && p.element.length > 0) return p.element.flatMap((s) => parsePath(s).elem);
  return [];
}

export class TargetNormalizer {
  /** prefix (origin|path) → path below it → leaf (null: unmapped and not published) */
  private readonly cache = new Map<string, Map<string, SampleLeaf | null>>();
  private cached = 0;
  private readonly counts = new Map<string, CountTable>();
  private readonly atomicLeaves = new Map<string, Set<string>>();
  private readonly maxCached: number;
  private generation = 0;
  private synced = false;
  private readonly accs = new Map<string, Accumulator>();
  private readonly direct = new Set<string>();
  private readonly dirty = new Set<Accumulator>();
  /** The device's own VTEP address, from a scope rule (NX-OS primaryIp), when the configuration names none. */
  deviceVtep = '';
  /** interface (as captured) → VNI, from scope rules (SR Linux ingress/vni). */
  private readonly vniOf = new Map<string, number>();
  /** The VTEP's source interface (OpenConfig vxlan/state/source-interface) and interface → address, to resolve it. */
  private vtepInterface = '';
  private readonly addressOf = new Map<string, string>();
  private rebound = false;
  /** Updates (gNMI Update messages) and malformed ones skipped, since the target's start. */
  updates = 0;
  malformed = 0;
  lastMalformed: MalformedNotificationError | undefined;

  constructor(
    private readonly table: RuleTable,
    private readonly opts: NormalizerOptions,
  ) {
    this.maxCached = opts.maxCachedPaths ?? 50_000;
  }

  /** A new stream starts sending its initial state. */
  connected(): void {
    this.generation++;
    this.synced = false;
  }

  /** sync_response: the initial state is complete; counts of entries not sent again are dropped and published. */
  sync(out: NormalizedSample[], timestampNs: Long): void {
    this.synced = true;
    for (const t of this.counts.values()) {
      for (const [k, gen] of t.entries) if (gen < this.generation) t.entries.delete(k);
      this.pushCount(t, out, timestampNs);
    }
  }

  /** Normalizes one notification into `out`. */
  notification(n: INotification, out: NormalizedSample[]): void {
    const ts = n.timestamp && !(n.timestamp as Long).isNegative() ? (n.timestamp as Long).toUnsigned() : ZERO_TS;
    const prefixElems = elemsOf(n.prefix);
    const origin = n.prefix?.origin ?? '';
    const prefixText = prefixElems.length > 0 ? formatElems(prefixElems) : '';
    const changed = new Set<CountTable>();
    const outStart = out.length;
    let atomicSeen: Set<string> | undefined;
    let atomicKey = '';
    let sizesBefore: Map<CountTable, number> | undefined;
    if (n.atomic) {
      atomicKey = `${origin}:${prefixText}`;
      atomicSeen = new Set();
      sizesBefore = new Map();
      for (const t of this.counts.values()) {
        sizesBefore.set(t, t.entries.size);
        for (const k of t.entries.keys()) if (prefixText === '' || k === prefixText || k.startsWith(`${prefixText}/`)) t.entries.delete(k);
      }
    }

    // Leaves are cached per prefix, then by the path below it: the look-up hashes the short relative path, not the
    // whole path (a notification's leaves share its prefix).
    const prefixKey = `${origin}|${prefixText}`;
    let byPath = this.cache.get(prefixKey);
    if (!byPath) this.cache.set(prefixKey, (byPath = new Map()));
    for (const u of n.update ?? []) {
      this.updates++;
      const pathElems = elemsOf(u.path);
      const pathOrigin = origin ? '' : (u.path?.origin ?? '');
      const relText = pathElems.length > 0 ? formatElems(pathElems) : '';
      const fullKey = () => {
        const o = origin || pathOrigin;
        return (o ? `${o}:` : '') + (prefixText + relText || '/');
      };
      try {
        const rel = pathOrigin ? `${pathOrigin}:${relText}` : relText;
        const val = u.val ?? legacyValue(u.value);
        if (!val) throw new MalformedNotificationError(`update of ${fullKey()} has no value`);
        const json = val.jsonIetfVal ?? val.jsonVal;
        const simple = json != null ? jsonScalar(json) : undefined;
        if (simple || json == null) {
          const v = simple ?? scalarOf(val, fullKey);
          this.leafUpdate(byPath, rel, fullKey, () => [...prefixElems, ...pathElems], v, ts, out, changed);
          atomicSeen?.add(fullKey());
        } else {
          const parsed = parseJsonExact(json);
          flattenJson(parsed, this.table.listKeys, (inner, v) => {
            const innerText = inner.length ? formatElems(inner) : '';
            const key = () => (innerText ? `${fullKey().replace(/^([^/]*:)?\/$/, '$1')}${innerText}` : fullKey());
            this.leafUpdate(byPath, rel + innerText, key, () => [...prefixElems, ...pathElems, ...inner], v, ts, out, changed);
            atomicSeen?.add(key());
          });
        }
      } catch (err) {
        if (!(err instanceof MalformedNotificationError)) throw err;
        this.malformed++;
        this.lastMalformed = err;
      }
    }

    if (atomicSeen) {
      const before = this.atomicLeaves.get(atomicKey);
      this.atomicLeaves.set(atomicKey, atomicSeen);
      if (before) for (const k of before) if (!atomicSeen.has(k)) this.deletePath(parsePath(k).elem, k, ts, out, changed);
      for (const [t, size] of sizesBefore!) if (t.entries.size !== size) changed.add(t);
    }

    for (const d of n.delete ?? []) {
      try {
        const elems = [...prefixElems, ...elemsOf(d)];
        const o = origin || d.origin || '';
        this.deletePath(elems, (o ? `${o}:` : '') + formatElems(elems), ts, out, changed);
      } catch (err) {
        if (!(err instanceof MalformedNotificationError)) throw err;
        this.malformed++;
        this.lastMalformed = err;
      }
    }

    if (this.synced) for (const t of changed) this.pushCount(t, out, ts);
    if (this.dirty.size > 0) this.pushSums(out, ts);
    if (this.rebound) {
      this.rebound = false;
      for (let i = outStart; i < out.length; i++) {
        const s = out[i]!;
        const scope = this.scope(s.leaf.scope);
        if (scope.vtep !== s.leaf.scope.vtep || scope.vni !== s.leaf.scope.vni) s.leaf = { ...s.leaf, scope, encoded: undefined };
      }
    }
  }

  private pushSums(out: NormalizedSample[], ts: Long): void {
    for (const acc of this.dirty) {
      if (acc.directKey && this.direct.has(acc.directKey)) continue;
      if (acc.needs && !acc.needs.every((n) => [...acc.parts.values()].some((p) => p.name === n))) continue;
      let sum = Long.UZERO;
      for (const p of acc.parts.values()) sum = sum.add(p.value); // unsigned: wraps at 2^64 as the parts do
      out.push({ leaf: acc.leaf, value: sum, state: undefined, rawJson: undefined, timestampNs: ts });
    }
    this.dirty.clear();
  }

  /** The accumulators a counter leaf of `rule` named `name` feeds; marks totals the device sends itself. */
  private accumulatorsOf(rule: CompiledRule, name: string, captures: Captures, scope: Captures): Accumulator[] {
    const scopeId = `${scope.vtep}|${scope.peer}|${scope.vni}|${scope.networkInstance}|${scope.interface}|${scope.endpoint}`;
    const base = formatElems(tablePath(rule, captures));
    const into: Accumulator[] = [];
    const acc = (key: string, total: string, needs: readonly string[] | undefined, directKey: string | undefined) => {
      let a = this.accs.get(key);
      if (!a) {
        const leaf: SampleLeaf = { kind: SampleKind.SAMPLE_KIND_COUNTER, name: total, path: `${base}/${total}`, scope };
        this.accs.set(key, (a = { leaf, parts: new Map(), needs, directKey }));
      }
      into.push(a);
    };
    if (rule.source.aggregate) acc(`a|${name}|${scopeId}`, name, undefined, undefined);
    const sums = rule.source.sums;
    if (sums) {
      if (Object.hasOwn(sums, name)) this.direct.add(`${name}|${scopeId}`);
      for (const [total, parts] of Object.entries(sums)) if (parts.includes(name)) acc(`s|${total}|${scopeId}`, total, parts, `${total}|${scopeId}`);
    }
    return into;
  }

  private bindScope(bind: NonNullable<SampleLeaf['bind']>, value: LeafValue): void {
    const text = (value.t === 'str' ? value.v : toStateText(value)).trim(); // an IPv6 address is not an identityref
    if (bind.field === 'vtep-interface' || bind.field === 'interface-address') {
      if (bind.field === 'vtep-interface') this.vtepInterface = text;
      else if (this.addressOf.get(bind.interface) !== text) this.addressOf.set(bind.interface, text);
      const address = this.addressOf.get(this.vtepInterface);
      if (!address || address === this.deviceVtep || this.opts.vtep) return;
      this.deviceVtep = address;
    } else if (bind.field === 'vtep') {
      if (text === this.deviceVtep || this.opts.vtep) return;
      this.deviceVtep = text;
    } else {
      const vni = Number(text);
      if (!Number.isInteger(vni) || vni <= 0 || vni > 0xffffff) throw new MalformedNotificationError(`VNI "${text.slice(0, 20)}" is not one`);
      if (this.vniOf.get(bind.interface) === vni) return;
      this.vniOf.set(bind.interface, vni);
    }
    // Cached leaves carry the old scope: start over (bindings change rarely), and re-scope this notification's samples.
    this.rebound = true;
    this.cache.clear();
    this.cached = 0;
    for (const t of this.counts.values()) t.leaf = { ...t.leaf, scope: this.scope(t.leaf.scope), encoded: undefined };
  }

  private leafUpdate(
    byPath: Map<string, SampleLeaf | null>,
    rel: string,
    fullKey: () => string,
    fullElems: () => PathElem[],
    value: LeafValue,
    ts: Long,
    out: NormalizedSample[],
    changed: Set<CountTable>,
  ): void {
    let leaf = byPath.get(rel);
    if (leaf === undefined) {
      const elems = fullElems();
      const key = fullKey();
      const m = this.table.matchLeaf(elems);
      if (m?.rule.kind === 'count') {
        this.countEntry(m.rule, m.name, m.captures, elems, changed);
        return; // not cached: one path per MAC table leaf would fill the cache
      }
      if (m?.rule.kind === 'scope') {
        leaf = {
          kind: SampleKind.SAMPLE_KIND_RAW,
          name: m.name,
          path: key,
          scope: m.captures,
          bind: { field: m.name as ScopeBinding, interface: m.captures.interface },
        };
      } else if (m) {
        const kind =
          m.rule.kind === 'counter' ? SampleKind.SAMPLE_KIND_COUNTER : m.rule.kind === 'gauge' ? SampleKind.SAMPLE_KIND_GAUGE : SampleKind.SAMPLE_KIND_STATE;
        const scope = this.scope(m.captures);
        const derive =
          m.rule.kind === 'counter' && (m.rule.source.aggregate || m.rule.source.sums)
            ? { into: this.accumulatorsOf(m.rule, m.name, m.captures, scope), publish: !m.rule.source.aggregate }
            : undefined;
        leaf = { kind, name: m.name, path: key, scope, states: m.rule.states, verbatim: m.rule.source.verbatim, derive };
      } else if (this.opts.publishUnmapped) {
        leaf = { kind: SampleKind.SAMPLE_KIND_RAW, name: elems[elems.length - 1]?.name ?? '', path: key, scope: this.scope(NO_CAPTURES) };
      } else {
        leaf = null;
      }
      if (++this.cached > this.maxCached) {
        this.cache.clear(); // start over; this notification's map lives on until it is done
        this.cached = 0;
      }
      byPath.set(rel, leaf);
    }
    if (leaf === null) return;
    if (leaf.bind) {
      this.bindScope(leaf.bind, value);
      return;
    }
    switch (leaf.kind) {
      case SampleKind.SAMPLE_KIND_COUNTER: {
        const v = toU64(value);
        if (leaf.derive) {
          for (const acc of leaf.derive.into) {
            acc.parts.set(leaf.path, { name: leaf.name, value: v });
            this.dirty.add(acc);
          }
          if (!leaf.derive.publish) return;
        }
        out.push({ leaf, value: v, state: undefined, rawJson: undefined, timestampNs: ts });
        return;
      }
      case SampleKind.SAMPLE_KIND_GAUGE:
        out.push({ leaf, value: toU64(value), state: undefined, rawJson: undefined, timestampNs: ts });
        return;
      case SampleKind.SAMPLE_KIND_STATE: {
        if (leaf.verbatim) {
          // as sent: a timestamp's "10:00:00" is no identityref prefix
          out.push({ leaf, value: undefined, state: value.t === 'str' ? value.v : toStateText(value), rawJson: undefined, timestampNs: ts });
          return;
        }
        const text = toStateText(value);
        const state = leaf.states?.get(text) ?? leaf.states?.get('*') ?? text.toUpperCase();
        out.push({ leaf, value: undefined, state, rawJson: undefined, timestampNs: ts });
        return;
      }
      default:
        out.push({ leaf, value: undefined, state: undefined, rawJson: toJsonText(value), timestampNs: ts });
    }
  }

  private scope(c: Readonly<Captures>): Captures {
    const vtep = c.vtep || this.opts.vtep || this.deviceVtep;
    const vni = c.vni || (c.interface ? (this.vniOf.get(c.interface) ?? 0) : 0);
    return { ...c, vtep, vni };
  }

  private countTable(rule: CompiledRule, name: string, captures: Captures): CountTable {
    const scope = this.scope(captures);
    const id = `${rule.index}|${scope.networkInstance}|${scope.vni}|${scope.interface}|${scope.endpoint}|${scope.peer}`;
    let t = this.counts.get(id);
    if (!t) {
      const leaf: SampleLeaf = { kind: SampleKind.SAMPLE_KIND_GAUGE, name, path: formatElems(tablePath(rule, captures)), scope };
      this.counts.set(id, (t = { rule, leaf, entries: new Map() }));
    }
    return t;
  }

  private countEntry(rule: CompiledRule, name: string, captures: Captures, elems: readonly PathElem[], changed: Set<CountTable>): void {
    const t = this.countTable(rule, name, captures);
    const entry = formatElems(elems.slice(0, rule.elems.length));
    const had = t.entries.has(entry);
    t.entries.set(entry, this.generation);
    if (!had) changed.add(t);
  }

  private pushCount(t: CountTable, out: NormalizedSample[], ts: Long): void {
    out.push({ leaf: t.leaf, value: longOf(t.entries.size), state: undefined, rawJson: undefined, timestampNs: ts });
  }

  private deletePath(elems: readonly PathElem[], key: string, ts: Long, out: NormalizedSample[], changed: Set<CountTable>): void {
    const seen = new Set<string>();
    const matches = this.table.matchDelete(elems);
    for (const { rule, captures, leafName } of matches) {
      if (rule.kind === 'count') {
        if (elems.length > rule.elems.length) continue; // a leaf of an entry, not the entry
        const prefix = formatElems(elems);
        const wild = elems.some((e) => e.name === '*' || Object.values(e.key ?? {}).includes('*'));
        const re = wild ? wildcardRegExp(elems) : undefined;
        for (const t of this.counts.values()) {
          if (t.rule !== rule) continue;
          for (const k of t.entries.keys()) {
            if (re ? re.test(k) : k === prefix || k.startsWith(`${prefix}/`) || k.startsWith(`${prefix}[`)) {
              t.entries.delete(k);
              changed.add(t);
            }
          }
        }
        continue;
      }
      const name = leafName ?? rule.object;
      if (!name) continue;
      const scope = this.scope(captures);
      const id = `${name}|${scope.peer}|${scope.vni}|${scope.interface}|${scope.networkInstance}|${scope.endpoint}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const leaf: SampleLeaf = { kind: SampleKind.SAMPLE_KIND_DELETED, name, path: key, scope };
      out.push({ leaf, value: undefined, state: undefined, rawJson: undefined, timestampNs: ts });
    }
    if (matches.length === 0 && this.opts.publishUnmapped) {
      const leaf: SampleLeaf = { kind: SampleKind.SAMPLE_KIND_DELETED, name: elems[elems.length - 1]?.name ?? '', path: key, scope: this.scope(NO_CAPTURES) };
      out.push({ leaf, value: undefined, state: undefined, rawJson: undefined, timestampNs: ts });
    }
  }
}

/** The path of a count's table: the rule's path up to the list, with the captured keys filled in. */
function tablePath(rule: CompiledRule, c: Captures): PathElem[] {
  return rule.elems.slice(0, -1).map((e) => {
    const key: Record<string, string> = {};
    for (const k of e.keys) key[k.key] = k.capture ? String(c[k.capture]) : (k.literal ?? '*');
    return { name: e.name ?? '*', key };
  });
}

function wildcardRegExp(elems: readonly PathElem[]): RegExp {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  let src = '^';
  for (const e of elems) {
    src += e.name === '*' ? '/[^/]*?' : `/${esc(e.name)}`;
    for (const [k, v] of Object.entries(e.key ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)))
      src += v === '*' ? `(?:\\[${esc(k)}=[^\\]]*\\])?` : `\\[${esc(k)}=${esc(v)}\\]`;
    if (!e.key || Object.keys(e.key).length === 0) src += '(?:\\[[^/]*?\\])*';
  }
  return new RegExp(`${src}(?:$|/|\\[)`);
}

const longOf = (n: number): Long => Long.fromNumber(n, true);

/** A TypedValue that is not JSON as a leaf value (spec §2.2.3). */
function scalarOf(v: ITypedValue, key: () => string): LeafValue {
  switch (oneofOf(v)) {
    case 'uintVal':
      return { t: 'uint', v: v.uintVal as Long };
    case 'intVal':
      return { t: 'int', v: v.intVal as Long };
    case 'stringVal':
      return { t: 'str', v: v.stringVal! };
    case 'asciiVal':
      return { t: 'str', v: v.asciiVal! };
    case 'boolVal':
      return { t: 'bool', v: v.boolVal! };
    case 'doubleVal':
      return { t: 'num', v: v.doubleVal! };
    case 'floatVal':
      return { t: 'num', v: v.floatVal! };
    case 'decimalVal': {
      const d = v.decimalVal!;
      const digits = String(d.digits ?? 0);
      const p = d.precision ?? 0;
      return p === 0 ? { t: 'digits', v: digits } : { t: 'num', v: Number(digits) / 10 ** p };
    }
    case 'leaflistVal':
      return { t: 'json', v: JSON.stringify((v.leaflistVal?.element ?? []).map((e) => JSON.parse(toJsonText(scalarOf(e, key))))) };
    case 'bytesVal':
      return { t: 'json', v: JSON.stringify(Buffer.from(v.bytesVal!).toString('base64')) };
    case 'protoBytes':
      return { t: 'json', v: JSON.stringify(Buffer.from(v.protoBytes!).toString('base64')) };
    case 'anyVal':
      return { t: 'json', v: JSON.stringify({ typeUrl: v.anyVal?.type_url ?? '' }) };
    default:
      throw new MalformedNotificationError(`update of ${key()} has an empty value`);
  }
}

/**
 * The common JSON value of one leaf without JSON.parse: a string without escapes (RFC 7951 64-bit integers and
 * enumerations are such strings) or an integer literal. Anything else: undefined (the general parser handles it).
 */
function jsonScalar(bytes: Uint8Array): LeafValue | undefined {
  const n = bytes.length;
  if (n >= 2 && bytes[0] === 0x22 && bytes[n - 1] === 0x22) {
    for (let i = 1; i < n - 1; i++) if (bytes[i] === 0x5c || bytes[i] === 0x22 || bytes[i]! < 0x20) return undefined;
    return { t: 'str', v: Buffer.from(bytes.buffer, bytes.byteOffset + 1, n - 2).toString('utf8') };
  }
  if (n > 0 && n <= 20) {
    for (let i = 0; i < n; i++) if (bytes[i]! < 0x30 || bytes[i]! > 0x39) return undefined;
    return { t: 'digits', v: Buffer.from(bytes.buffer, bytes.byteOffset, n).toString('latin1') };
  }
  return undefined;
}

const TYPED_VALUE_FIELDS = [
  'uintVal',
  'stringVal',
  'intVal',
  'boolVal',
  'doubleVal',
  'asciiVal',
  'floatVal',
  'decimalVal',
  'leaflistVal',
  'bytesVal',
  'protoBytes',
  'anyVal',
] as const;

/** Which member of TypedValue's oneof is set (decoded messages and plain objects alike). */
function oneofOf(v: ITypedValue): (typeof TYPED_VALUE_FIELDS)[number] | undefined {
  for (const f of TYPED_VALUE_FIELDS) if (v[f] != null) return f;
  return undefined;
}

/** The deprecated Value (spec §2.2.3.1 before TypedValue) carried JSON bytes. */
function legacyValue(v: { value?: Uint8Array | null; type?: number | null } | null | undefined): ITypedValue | undefined {
  if (!v?.value) return undefined;
  return { jsonVal: v.value };
}
