import { z } from 'zod';
import { describeValue } from './describe-value.js';
import { parseBytes } from './parse-bytes.js';
import { parseDuration } from './parse-duration.js';

/**
 * The leaves the Compose schemas are built from: converters that accept the
 * spelling interpolation leaves (every scalar may arrive as a string) and reject
 * with a message of their own, and a chooser by shape (list, mapping, scalar).
 */

/** A leaf that converts or rejects with a message of its own. */
export function convert<T>(fn: (value: unknown, reject: (message: string) => never) => T) {
  return z.unknown().transform((value, ctx) =>
    fn(value, (message) => {
      ctx.issues.push({ code: 'custom', message, input: value });
      return z.NEVER;
    }),
  );
}

export const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Picks the schema for a value's shape (list, mapping or scalar), so a mismatch reads "expected X, got Y" instead of a union dump. */
export function byShape<L = never, M = never, S = never>(expected: string, shapes: { list?: z.ZodType<L>; mapping?: z.ZodType<M>; scalar?: z.ZodType<S> }) {
  return z.unknown().transform((value, ctx): L | M | S => {
    const schema = Array.isArray(value) ? shapes.list : isMapping(value) ? shapes.mapping : value === null || value === undefined ? undefined : shapes.scalar;
    if (schema === undefined) {
      ctx.issues.push({ code: 'custom', message: `expected ${expected}, got ${describeValue(value)}`, input: value });
      return z.NEVER;
    }
    const result = (schema as z.ZodType<L | M | S>).safeParse(value, { reportInput: true });
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.issues.push(issue as unknown as (typeof ctx.issues)[number]);
    return z.NEVER;
  });
}

export const text = convert((value, reject) => (typeof value === 'string' ? value : reject(`expected a string, got ${describeValue(value)}`)));

export const nonEmptyText = convert((value, reject) => {
  if (typeof value !== 'string') return reject(`expected a string, got ${describeValue(value)}`);
  return value === '' ? reject('must not be empty') : value;
});

/** Numbers, booleans and strings as the string a container sees. */
export const scalarText = convert((value, reject) => {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return reject(`expected a string, got ${describeValue(value)}`);
});

export function integer(min: number) {
  return convert((value, reject) => {
    const number = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(number)) return reject(`expected a whole number, got ${describeValue(value)}`);
    return number < min ? reject(`must be at least ${min}, got ${number}`) : number;
  });
}

export const bool = convert((value, reject) => {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  return reject(`expected true or false, got ${describeValue(value)}`);
});

export const duration = convert((value, reject) => {
  const ms = value === 0 ? 0 : typeof value === 'string' ? parseDuration(value) : undefined;
  return ms ?? reject(`expected a duration like 30s, 1m30s or 500ms, got ${describeValue(value)}`);
});

export const bytes = convert((value, reject) => {
  const size = typeof value === 'string' || typeof value === 'number' ? parseBytes(value) : undefined;
  return size ?? reject(`expected a size like 512m or 2g, got ${describeValue(value)}`);
});

/** `- KEY=value` lists become mappings; a bare `KEY` keeps `bare` as its value. */
export function keyValueList<B>(bare: B) {
  return z.array(text).transform((items) => {
    const out: Record<string, string | B> = {};
    for (const item of items) {
      const eq = item.indexOf('=');
      if (eq === -1) out[item] = bare;
      else out[item.slice(0, eq)] = item.slice(eq + 1);
    }
    return out;
  });
}

