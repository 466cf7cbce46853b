/**
 * Normalization rules compiled for matching: each rule's path pattern as per-element name and key tests. Matching
 * runs once per distinct leaf path of a target (the normalizer caches the result), so it favours clarity.
 */
import { isVtepSampleName, VTEP_SAMPLE_NAMES } from '../../../schemas/vtep-telemetry.js';
import { GnmiError } from '../errors.js';
import { type PathElem, parsePath } from '../path.js';
import { CAPTURE_FIELDS, type CaptureField, type NormalizationRule, type RuleKind } from './rule.js';

export class RuleError extends GnmiError {
  override readonly name: string = 'RuleError';
}

interface KeyTest {
  key: string;
  capture: CaptureField | undefined;
  /** undefined: any value */
  literal: string | undefined;
}

interface ElemTest {
  /** undefined: any name */
  name: string | undefined;
  keys: KeyTest[];
}

/** The parts of a sample's scope a path can name. */
export interface Captures {
  peer: string;
  vni: number;
  vtep: string;
  networkInstance: string;
  interface: string;
  endpoint: string;
}

export const NO_CAPTURES: Readonly<Captures> = Object.freeze({ peer: '', vni: 0, vtep: '', networkInstance: '', interface: '', endpoint: '' });

export interface CompiledRule {
  readonly source: NormalizationRule;
  readonly index: number;
  readonly kind: RuleKind;
  readonly elems: readonly ElemTest[];
  /** The last element is `*`: any leaf name. */
  readonly anyLeaf: boolean;
  readonly leaves: ReadonlyMap<string, string> | undefined;
  readonly states: ReadonlyMap<string, string> | undefined;
  /** What a delete above the leaf removes (DELETED_OBJECT_NAMES), from the deepest capture. */
  readonly object: 'peer' | 'vni' | 'interface' | 'mac-table' | undefined;
}

export interface LeafMatch {
  rule: CompiledRule;
  /** Canonical name (for count rules: the count's name). */
  name: string;
  captures: Captures;
}

function compileRule(rule: NormalizationRule, index: number): CompiledRule {
  let parsed: ReturnType<typeof parsePath>;
  try {
    parsed = parsePath(rule.path);
  } catch (err) {
    throw new RuleError(`normalization rule ${index}: ${(err as Error).message}`, { cause: err });
  }
  if (parsed.elem.length === 0) throw new RuleError(`normalization rule ${index}: empty path`);
  const captured = new Set<CaptureField>();
  const elems: ElemTest[] = parsed.elem.map((e) => ({
    name: e.name === '*' ? undefined : localName(e.name),
    keys: Object.entries(e.key ?? {}).map(([key, v]) => {
      const m = /^\{(\w+)\}$/.exec(v);
      if (m) {
        const field = m[1] as CaptureField;
        if (!CAPTURE_FIELDS.includes(field))
          throw new RuleError(`normalization rule ${index}: unknown capture {${m[1]}} (one of ${CAPTURE_FIELDS.join(', ')})`);
        captured.add(field);
        return { key, capture: field, literal: undefined };
      }
      return { key, capture: undefined, literal: v === '*' ? undefined : v };
    }),
  }));
  const anyLeaf = elems[elems.length - 1]!.name === undefined;
  if (rule.kind === 'scope' && !['vtep', 'vni', 'vtep-interface', 'interface-address'].includes(rule.name ?? ''))
    throw new RuleError(`normalization rule ${index} (${rule.path}): a scope rule names "vtep", "vni", "vtep-interface" or "interface-address"`);
  if ((rule.aggregate || rule.sums) && rule.kind !== 'counter')
    throw new RuleError(`normalization rule ${index} (${rule.path}): aggregate and sums are for counters`);
  if (rule.kind !== 'count' && !anyLeaf && !rule.name) throw new RuleError(`normalization rule ${index} (${rule.path}): a rule for one leaf needs a name`);
  if (rule.kind === 'count' && !rule.name) throw new RuleError(`normalization rule ${index} (${rule.path}): a count rule needs a name`);
  const object =
    rule.kind === 'count' ? 'mac-table' : captured.has('peer') ? 'peer' : captured.has('vni') ? 'vni' : captured.has('interface') ? 'interface' : undefined;
  return {
    source: rule,
    index,
    kind: rule.kind,
    elems,
    anyLeaf,
    leaves: rule.leaves ? new Map(Object.entries(rule.leaves)) : undefined,
    states: rule.states ? new Map(Object.entries(rule.states)) : undefined,
    object,
  };
}

function setCapture(c: Captures, field: CaptureField, value: string): void {
  if (field === 'vni') {
    const n = Number(value);
    c.vni = Number.isInteger(n) && n >= 0 && n <= 0xffffff ? n : 0;
  } else {
    c[field] = c[field] ? `${c[field]}.${value}` : value;
  }
}

/** An element name without its module prefix (`srl_nokia-tunnel:tunnel` → `tunnel`). */
export function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon >= 0 ? name.slice(colon + 1) : name;
}

/** Whether `elems[0..n)` satisfy the rule's first n element tests; fills captures. `wild` lets `*` in the path match anything. */
function matchElems(tests: readonly ElemTest[], elems: readonly PathElem[], n: number, c: Captures, wild: boolean): boolean {
  for (let i = 0; i < n; i++) {
    const t = tests[i]!;
    const e = elems[i]!;
    if (wild && e.name === '*') continue;
    if (t.name !== undefined && t.name !== e.name && t.name !== localName(e.name)) return false;
    for (const k of t.keys) {
      const v = e.key?.[k.key];
      if (v === undefined || (wild && v === '*')) {
        if (wild) continue;
        return false;
      }
      if (k.literal !== undefined && v !== k.literal) return false;
      if (k.capture) setCapture(c, k.capture, v);
    }
  }
  return true;
}

export class RuleTable {
  readonly rules: readonly CompiledRule[];
  /** List name → key names, for flattening JSON lists into keyed path elements. */
  readonly listKeys: ReadonlyMap<string, readonly string[]>;

  constructor(rules: readonly NormalizationRule[]) {
    this.rules = rules.map(compileRule);
    const listKeys = new Map<string, string[]>([
      ['interface', ['name']],
      ['network-instance', ['name']],
      ['entry', ['mac-address', 'vlan']],
    ]);
    for (const r of this.rules)
      for (const e of r.elems)
        if (e.name && e.keys.length)
          listKeys.set(
            e.name,
            e.keys.map((k) => k.key),
          );
    this.listKeys = listKeys;
  }

  /** The first rule mapping this leaf path, with the canonical name and the captured scope; undefined when none does. */
  matchLeaf(elems: readonly PathElem[]): LeafMatch | undefined {
    for (const rule of this.rules) {
      const n = rule.elems.length;
      if (rule.kind === 'count' ? elems.length < n : elems.length !== n) continue;
      const c: Captures = { ...NO_CAPTURES };
      if (!matchElems(rule.elems, elems, n, c, false)) continue;
      let name = rule.source.name;
      if (rule.kind !== 'count' && rule.anyLeaf) {
        const leaf = localName(elems[n - 1]!.name);
        name = rule.leaves?.get(leaf) ?? (isVtepSampleName(leaf) && VTEP_SAMPLE_NAMES[leaf].kind === rule.kind ? leaf : undefined);
        if (!name) continue;
      }
      return { rule, name: name!, captures: c };
    }
    return undefined;
  }

  /**
   * The rules a delete of `elems` (a leaf, or everything below a node; `*` as a wildcard) touches, each with what the
   * delete names of its scope, and whether it deletes a single leaf of the rule.
   */
  matchDelete(elems: readonly PathElem[]): { rule: CompiledRule; captures: Captures; leafName: string | undefined }[] {
    const out: { rule: CompiledRule; captures: Captures; leafName: string | undefined }[] = [];
    for (const rule of this.rules) {
      if (rule.kind === 'scope') continue; // not a sample: nothing to delete
      const n = rule.elems.length;
      if (elems.length > n && rule.kind !== 'count') continue;
      const c: Captures = { ...NO_CAPTURES };
      if (!matchElems(rule.elems, elems, Math.min(n, elems.length), c, true)) continue;
      let leafName: string | undefined;
      if (elems.length === n && rule.kind !== 'count') {
        const leaf = localName(elems[n - 1]!.name);
        leafName = rule.anyLeaf ? (rule.leaves?.get(leaf) ?? (isVtepSampleName(leaf) ? leaf : undefined)) : rule.source.name;
        if (leafName === undefined && leaf !== '*') continue;
      }
      out.push({ rule, captures: c, leafName });
    }
    return out;
  }
}
