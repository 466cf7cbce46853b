/** Write conditions evaluated in code (the embedded adapter) and rendered as DynamoDB expressions (its adapter). */
import { type Condition, expired, type Update } from './table-store.js';

/**
 * Whether `cond` holds on `stored` (undefined: no such item). DynamoDB's rules: a comparison with a missing attribute
 * is false. An expired item (`nowSec` given) counts as absent, as it does for reads.
 */
export function holds(cond: Condition | undefined, item: Record<string, unknown> | undefined, nowSec?: number): boolean {
  if (!cond || cond.length === 0) return true;
  const stored = item && nowSec !== undefined && expired(item, nowSec) ? undefined : item;
  return cond.some((c) => {
    const v = stored?.[c.attr];
    switch (c.op) {
      case 'exists':
        return v !== undefined;
      case 'notExists':
        return v === undefined;
      case 'eq':
        return v === c.value;
      default:
        return typeof v === typeof c.value && (v as number | string) < c.value;
    }
  });
}

export interface Expression {
  text: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/**
 * A condition as a DynamoDB ConditionExpression, its names and values prefixed by `p` (so several expressions
 * combine). With `nowSec`, "no such item" also holds for an expired item that DynamoDB has not deleted yet (reads do
 * not return it either).
 */
export function conditionExpression(cond: Condition, p = 'c', nowSec?: number): Expression {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const parts = cond.map((c, i) => {
    const n = `#${p}${i}`;
    names[n] = c.attr;
    if (c.op === 'exists') return `attribute_exists(${n})`;
    if (c.op === 'notExists' && c.attr === 'pk' && nowSec !== undefined) {
      names[`#${p}x`] = 'expiresAt';
      values[`:${p}x`] = nowSec;
      values[`:${p}z`] = 0;
      return `(attribute_not_exists(${n}) OR (#${p}x <= :${p}x AND #${p}x > :${p}z))`;
    }
    if (c.op === 'notExists') return `attribute_not_exists(${n})`;
    values[`:${p}${i}`] = c.value;
    return `${n} ${c.op === 'eq' ? '=' : '<'} :${p}${i}`;
  });
  return { text: parts.join(' OR '), names, values };
}

/** An update as a DynamoDB UpdateExpression. */
export function updateExpression(u: Update, p = 'u'): Expression {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  let i = 0;
  const sets: string[] = [];
  const adds: string[] = [];
  for (const [k, v] of Object.entries(u.set ?? {})) {
    if (v === undefined) continue;
    names[`#${p}${i}`] = k;
    values[`:${p}${i}`] = v;
    sets.push(`#${p}${i} = :${p}${i}`);
    i++;
  }
  for (const [k, v] of Object.entries(u.add ?? {})) {
    names[`#${p}${i}`] = k;
    values[`:${p}${i}`] = v;
    adds.push(`#${p}${i} :${p}${i}`);
    i++;
  }
  const text = [sets.length ? `SET ${sets.join(', ')}` : '', adds.length ? `ADD ${adds.join(', ')}` : ''].filter(Boolean).join(' ');
  return { text, names, values };
}

/** The item an update leaves (DynamoDB's UpdateItem: an upsert; ADD to a missing number starts at 0). */
export function applyUpdate<T extends Record<string, unknown>>(stored: T | undefined, key: { pk: string; sk: string }, u: Update): T {
  const next: Record<string, unknown> = { ...(stored ?? key) };
  for (const [k, v] of Object.entries(u.set ?? {})) if (v !== undefined) next[k] = v;
  for (const [k, v] of Object.entries(u.add ?? {})) next[k] = (typeof next[k] === 'number' ? (next[k] as number) : 0) + v;
  return next as T;
}
