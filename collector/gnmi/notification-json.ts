/**
 * gNMI responses as plain JSON for people (the CLI): paths in the specification's string form, 64-bit integers as
 * strings (never rounded), JSON values parsed exactly, bytes as base64.
 */
import type { INotification, ISubscribeResponse, ITypedValue } from '../../schemas/gnmi.js';
import { parseJsonExact } from './normalize/json-value.js';
import { formatElems, formatPath, type GnmiPath, type PathElem } from './path.js';

function restoreDigits(v: unknown): unknown {
  if (typeof v === 'string') return v.charCodeAt(0) === 1 ? v.slice(1) : v;
  if (Array.isArray(v)) return v.map(restoreDigits);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, restoreDigits(x)]));
  return v;
}

export function typedValueJson(v: ITypedValue | null | undefined): unknown {
  if (!v) return null;
  if (v.jsonIetfVal != null) return restoreDigits(parseJsonExact(v.jsonIetfVal));
  if (v.jsonVal != null) return restoreDigits(parseJsonExact(v.jsonVal));
  if (v.uintVal != null) return v.uintVal.toString();
  if (v.intVal != null) return v.intVal.toString();
  if (v.stringVal != null) return v.stringVal;
  if (v.asciiVal != null) return v.asciiVal;
  if (v.boolVal != null) return v.boolVal;
  if (v.doubleVal != null) return v.doubleVal;
  if (v.floatVal != null) return v.floatVal;
  if (v.leaflistVal != null) return (v.leaflistVal.element ?? []).map(typedValueJson);
  if (v.bytesVal != null) return Buffer.from(v.bytesVal).toString('base64');
  if (v.protoBytes != null) return Buffer.from(v.protoBytes).toString('base64');
  if (v.decimalVal != null) return { digits: String(v.decimalVal.digits ?? 0), precision: v.decimalVal.precision ?? 0 };
  if (v.anyVal != null) return { typeUrl: v.anyVal.type_url ?? '', value: Buffer.from(v.anyVal.value ?? []).toString('base64') };
  return null;
}

export function notificationJson(n: INotification): Record<string, unknown> {
  const prefix = formatPath(n.prefix as GnmiPath | null | undefined);
  return {
    timestamp: n.timestamp ? n.timestamp.toString() : '0',
    ...(n.prefix?.target ? { target: n.prefix.target } : {}),
    prefix,
    ...(n.atomic ? { atomic: true } : {}),
    updates: (n.update ?? []).map((u) => ({
      path: formatElems((u.path?.elem ?? []) as PathElem[]),
      value: typedValueJson(u.val),
      ...(u.duplicates ? { duplicates: u.duplicates } : {}),
    })),
    ...(n.delete?.length ? { deletes: n.delete.map((d) => formatElems((d.elem ?? []) as PathElem[])) } : {}),
  };
}

export function subscribeResponseJson(r: ISubscribeResponse): Record<string, unknown> {
  if (r.update) return { update: notificationJson(r.update) };
  if (r.syncResponse) return { syncResponse: true };
  if (r.error) return { error: { code: r.error.code, message: r.error.message } };
  return {};
}
