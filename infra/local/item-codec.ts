/**
 * How the embedded store encodes an item in LMDB: JSON. Items are DynamoDB-shaped (strings, numbers, booleans, lists,
 * maps: JSON's types), and V8 parses JSON about four times as fast as msgpackr decodes these items without shared
 * structures (a MAC item's `paths` map is keyed by path keys unique to the MAC, so every item carried its own record
 * definition: ~140 µs a read against ~34 µs; measured in this change's notes). Shared msgpack structures would be as
 * fast to read but keep a structure table that keys unique to each item would grow without bound.
 *
 * Values written before this codec are msgpack (msgpackr's defaults, which lmdb used): they start with a record
 * definition (0xd4/0xd5 0x72) or a map header (0x80–0x8f, 0xde, 0xdf), never with `{` (0x7b), which every JSON
 * object does. So they are still read, and rewritten as JSON the next time they are written.
 */
const OPEN_BRACE = 0x7b;
const utf8 = new TextDecoder();

/** An item encoded when its write was staged: what the commit stores, whatever the caller does to the object since. */
export class EncodedItem {
  constructor(readonly json: string) {}
}

export interface ItemCodec {
  encode(value: unknown): string;
  decode(bytes: Uint8Array, size?: unknown): unknown;
}

/** `legacy`: decodes a value written as msgpack (a handle of the same database with lmdb's msgpack encoding). */
export function itemCodec(legacy: (bytes: Uint8Array) => unknown): ItemCodec {
  return {
    encode: (value) => (value instanceof EncodedItem ? value.json : JSON.stringify(value)),
    /** `size`: lmdb passes the value's length when `bytes` is a reused, larger buffer (a cursor's). */
    decode(bytes, size) {
      const end = typeof size === 'number' ? size : bytes.length;
      const view = end === bytes.byteLength ? bytes : bytes.subarray(0, end);
      return view[0] === OPEN_BRACE ? JSON.parse(utf8.decode(view)) : legacy(view);
    },
  };
}
