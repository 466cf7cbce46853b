/**
 * gNMI paths in the specification's string form (openconfig/reference rpc/gnmi/gnmi-path-strings.md, spec §2.2.2):
 * `origin:/elem/elem[key=value][key2=value2]/leaf` (the origin only when followed by `:/`). In a key value, `]` and `\` are escaped with `\`; in an element
 * name `/`, `[` and `\` are. A `/` inside brackets belongs to the value (`interface[name=Ethernet1/1]`).
 * Keys are written sorted by name, so one path has one string.
 */
import { PathSyntaxError } from './errors.js';

export interface PathElem {
  name: string;
  key?: Record<string, string> | null | undefined;
}

export interface GnmiPath {
  origin?: string | null | undefined;
  elem?: PathElem[] | null | undefined;
  target?: string | null | undefined;
}

/** Parses `origin:/a/b[k=v]/c` (a leading `/` optional; "" or "/" is the root). */
export function parsePath(text: string): { origin: string; elem: PathElem[] } {
  let origin = '';
  let i = 0;
  // An origin is written `origin:/path`: a module-qualified first element (`openconfig-interfaces:interfaces`) is not one.
  const m = /^([^/[\]\\:]+):\//.exec(text);
  if (m) {
    origin = m[1]!;
    i = origin.length + 1;
  }
  const elem: PathElem[] = [];
  if (text[i] === '/') i++;
  while (i < text.length) {
    let name = '';
    while (i < text.length && text[i] !== '/' && text[i] !== '[') {
      if (text[i] === ']') throw new PathSyntaxError('"]" outside a key', text, i);
      if (text[i] === '\\') {
        if (i + 1 >= text.length) throw new PathSyntaxError('dangling escape', text, i);
        i++;
      }
      name += text[i++];
    }
    if (name === '') throw new PathSyntaxError('empty element name', text, i);
    const e: PathElem = { name };
    while (text[i] === '[') {
      i++;
      const eq = text.indexOf('=', i);
      if (eq < 0) throw new PathSyntaxError('key without "="', text, i);
      const k = text.slice(i, eq);
      if (k === '' || /[\]/[]/.test(k)) throw new PathSyntaxError('bad key name', text, i);
      i = eq + 1;
      let v = '';
      for (;;) {
        if (i >= text.length) throw new PathSyntaxError('unterminated key value', text, i);
        const ch = text[i]!;
        if (ch === '\\') {
          if (i + 1 >= text.length) throw new PathSyntaxError('dangling escape', text, i);
          v += text[i + 1];
          i += 2;
          continue;
        }
        if (ch === ']') break;
        v += ch;
        i++;
      }
      i++; // ]
      e.key ??= {};
      if (Object.hasOwn(e.key, k)) throw new PathSyntaxError(`duplicate key "${k}"`, text, i);
      e.key[k] = v;
    }
    elem.push(e);
    if (i < text.length) {
      if (text[i] !== '/') throw new PathSyntaxError('expected "/"', text, i);
      i++;
      if (i === text.length) break; // a trailing "/"
    }
  }
  return { origin, elem };
}

const escName = (s: string) => (/[/[\\]/.test(s) ? s.replace(/[/[\\]/g, (c) => `\\${c}`) : s);
const escValue = (s: string) => (/[\]\\]/.test(s) ? s.replace(/[\]\\]/g, (c) => `\\${c}`) : s);

/** One element as text: `name[k=v]...`, keys sorted. */
export function formatElem(e: PathElem): string {
  let s = escName(e.name);
  const key = e.key;
  if (key) {
    const names = Object.keys(key);
    if (names.length > 1) names.sort();
    for (const k of names) s += `[${k}=${escValue(key[k]!)}]`;
  }
  return s;
}

/** Elements as `/a/b[k=v]` ("/" for none). */
export function formatElems(elems: readonly PathElem[] | null | undefined): string {
  if (!elems || elems.length === 0) return '/';
  let s = '';
  for (const e of elems) s += `/${formatElem(e)}`;
  return s;
}

/** A path as text, with its origin (`origin:/a/b`) when it has one. */
export function formatPath(p: GnmiPath | null | undefined): string {
  if (!p) return '/';
  const body = formatElems(p.elem);
  return p.origin ? `${p.origin}:${body}` : body;
}
