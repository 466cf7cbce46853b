/**
 * gnmic's Kafka output, read back as gNMI notifications so that the collector's own normalizer (the same rules) maps
 * them. Written from gnmic's source (github.com/openconfig/gnmic):
 *
 * - `pkg/outputs/kafka_output/kafka_output.go`: one record per marshalled message, on the configured topic, keyed
 *   `<source>_<subscription-name>` only with `insert-key`; formats `event` (the default), `proto`, `json`, ...
 * - `pkg/outputs/output.go` (Marshal, marshalSplit) and `pkg/formatters/formats.go`: `event` is a JSON array of
 *   EventMsg per SubscribeResponse update, or one EventMsg per record with `split-events`; a sync_response gives no
 *   record. `proto` is the SubscribeResponse itself (`proto.Marshal`), a sync_response too (no target: skipped).
 * - `pkg/formatters/event.go` (EventMsg, ResponseToEventMsgs, updateToEvent, tagsFromGNMIPath, getValueFlat): one
 *   EventMsg per Update: `name` the subscription, `timestamp` the notification's (int64 ns), `tags` the path keys as
 *   `<element name without module>_<key name>` plus `target` (the prefix's) and the output's meta (`source`: gnmic's
 *   target name, `subscription-name`), `values` keyed by the prefix and path joined WITHOUT keys
 *   (`origin:/a/b/leaf`), a JSON value flattened into one value per leaf; deletes as one EventMsg whose `deletes` are
 *   the delete paths alone (GnmiPathToXPath: `origin:` then elements joined by `/`, keys in brackets, no prefix).
 *
 * So the keys are put back from the tags, on the first element of the matching name (gnmic keeps one tag per name);
 * a uint64 value is a bare JSON number (Go's encoding/json) and is read exactly (parseJsonExact), never as a double.
 * Lost in gnmic's format and not recoverable here: the prefix elements of a delete (a delete relative to a prefix
 * matches no rule), and list keys inside a flattened JSON container value (gnmic flattens lists by index).
 */
import Long from 'long';
import { type INotification, type IPath, SubscribeResponse } from '../../../schemas/gnmi.js';
import { MalformedNotificationError } from '../errors.js';
import { parseJsonExact } from '../normalize/json-value.js';
import { type PathElem, parsePath } from '../path.js';

/** One gnmic message as a gNMI notification of one device (gnmic's `source`, or the prefix target). */
export interface GnmicNotification {
  /** gnmic's name of the target (tag `source`, else `target`) */
  source: string;
  /** the subscription's name (EventMsg.name), "" in `proto` */
  subscription: string;
  notification: INotification;
}

export type GnmicFormat = 'event' | 'proto';

/** gnmic's own tags that are not path keys (event.go: prefix target; the Kafka output's meta). */
const META_TAGS = new Set(['source', 'subscription-name', 'target']);

const localName = (name: string) => name.slice(name.lastIndexOf(':') + 1);

/** A big integer kept as "\u0001digits" by parseJsonExact, or a number, as decimal digits. */
function digitsOf(v: unknown): string | undefined {
  if (typeof v === 'string' && v.charCodeAt(0) === 1) return v.slice(1);
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  return undefined;
}

/** A scalar's JSON text as gnmic wrote it: a big integer bare, not quoted. */
function jsonText(v: unknown): string {
  const digits = typeof v === 'string' && v.charCodeAt(0) === 1 ? v.slice(1) : undefined;
  if (digits !== undefined) return digits;
  return JSON.stringify(v, (_k, x) => (typeof x === 'string' && x.charCodeAt(0) === 1 ? x.slice(1) : x));
}

/** `origin:/a/b/c` (a values key) into a path, each list element given its keys from the tags. */
export function pathFromValueKey(key: string, tags: Record<string, string>): IPath {
  const m = /^\/?([^/[\]\\:]+):\//.exec(key);
  const origin = m ? m[1]! : '';
  const rest = m ? key.slice(m[0].length) : key;
  const byElem = new Map<string, Record<string, string>>();
  for (const [tag, value] of Object.entries(tags)) {
    if (META_TAGS.has(tag) || tag.startsWith('meta_')) continue;
    const us = tag.indexOf('_', 1);
    if (us < 0) continue;
    // Element names hold no "_" before the key's in practice (`endpoint-peer_peer-address`); SR Linux module names
    // (`srl_nokia-…`) are stripped by gnmic before the tag is made.
    const elem = tag.slice(0, us);
    const k = tag.slice(us + 1);
    (byElem.get(elem) ?? byElem.set(elem, {}).get(elem)!)[k] = value;
  }
  const used = new Set<string>();
  const elem: PathElem[] = rest
    .split('/')
    .filter(Boolean)
    .map((name) => {
      const keys = byElem.get(localName(name));
      if (!keys || used.has(localName(name))) return { name };
      used.add(localName(name));
      return { name, key: keys };
    });
  return { origin, elem };
}

function timestampOf(v: unknown): Long {
  const d = digitsOf(v);
  if (d === undefined || d.startsWith('-')) return Long.UZERO;
  return Long.fromString(d, true);
}

function eventToNotification(ev: Record<string, unknown>): GnmicNotification {
  const tags: Record<string, string> = {};
  if (ev.tags !== undefined) {
    if (ev.tags === null || typeof ev.tags !== 'object' || Array.isArray(ev.tags)) throw new MalformedNotificationError('gnmic event: tags is not an object');
    for (const [k, v] of Object.entries(ev.tags as Record<string, unknown>)) if (typeof v === 'string') tags[k] = v;
  }
  const source = tags.source || tags.target || '';
  const n: INotification = { timestamp: timestampOf(ev.timestamp), prefix: tags.target ? { target: tags.target } : null, update: [], delete: [] };
  if (ev.values !== undefined && ev.values !== null) {
    if (typeof ev.values !== 'object' || Array.isArray(ev.values)) throw new MalformedNotificationError('gnmic event: values is not an object');
    for (const [k, v] of Object.entries(ev.values as Record<string, unknown>)) {
      n.update!.push({ path: pathFromValueKey(k, tags), val: { jsonVal: Buffer.from(jsonText(v)) } });
    }
  }
  if (ev.deletes !== undefined && ev.deletes !== null) {
    if (!Array.isArray(ev.deletes)) throw new MalformedNotificationError('gnmic event: deletes is not an array');
    for (const d of ev.deletes) {
      if (typeof d !== 'string' || d === '') continue;
      // GnmiPathToXPath writes `origin:` and no leading "/": "openconfig:a/b" parses as a module-qualified first
      // element, whose module the rule matcher ignores anyway.
      const p = parsePath(d.startsWith('/') ? d : `/${d}`);
      n.delete!.push({ origin: p.origin, elem: p.elem });
    }
  }
  return { source, subscription: typeof ev.name === 'string' ? ev.name : '', notification: n };
}

/** A record of gnmic's `event` format: a JSON array of EventMsg, or one EventMsg (`split-events`). */
export function decodeGnmicEvent(value: Uint8Array): GnmicNotification[] {
  const parsed = parseJsonExact(value);
  const events = Array.isArray(parsed) ? parsed : [parsed];
  return events.map((ev) => {
    if (ev === null || typeof ev !== 'object' || Array.isArray(ev)) throw new MalformedNotificationError('gnmic event: not an object');
    return eventToNotification(ev as Record<string, unknown>);
  });
}

/** A record of gnmic's `proto` format: a gnmi.SubscribeResponse. The device is its prefix target (gnmic `add-target`). */
export function decodeGnmicProto(value: Uint8Array): GnmicNotification[] {
  let r: ReturnType<typeof SubscribeResponse.decode>;
  try {
    r = SubscribeResponse.decode(value);
  } catch (err) {
    throw new MalformedNotificationError(`gnmic proto: not a SubscribeResponse (${(err as Error).message})`, { cause: err });
  }
  // A sync_response names no target, so it cannot be told whose it is: the input treats a device as synced from its
  // first message instead.
  return r.update ? [{ source: r.update.prefix?.target ?? '', subscription: '', notification: r.update }] : [];
}

export function decodeGnmicRecord(format: GnmicFormat, value: Uint8Array): GnmicNotification[] {
  return format === 'proto' ? decodeGnmicProto(value) : decodeGnmicEvent(value);
}
