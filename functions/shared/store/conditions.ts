/** Write conditions evaluated in code (the embedded adapter) and rendered as DynamoDB expressions (its adapter). */
import type { Condition, Update } from './table-store.js';

/** Whether `cond` holds on `stored` (undefined: no such item). DynamoDB's rules: a comparison with a missing attribute is false. */
export function holds(cond: Condition | undefined, stored: Record<string, unknown> | undefined): boolean {
  if (!cond || cond.length === 0) return true;
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

/** A condition as a DynamoDB ConditionExpression, its names and values prefixed by `p` (so several expressions combine). */
export function conditionExpression(cond: Condition, p = 'c'): Expression {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const parts = cond.map((c, i) => {
    const n = `#${p}${i}`;
    names[n] = c.attr;
    if (c.op === 'exists') return `attribute_exists(${n})`;
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
