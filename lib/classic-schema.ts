/**
 * The handlers' schemas are `zod/mini` (functions/core/zod.ts), which keeps zod's classic API out of
 * the Lambda bundles; the OpenAPI generator (@asteasolutions/zod-to-openapi) reads classic schemas
 * (their `.meta()`, `.unwrap()`). `classicSchemas` rebuilds, for the document only, every `zod/mini`
 * schema in a value as the classic schema of the same definition, with the same checks and metadata.
 */
import * as z from 'zod';

type Schema = z.core.$ZodType;
type Constructor = new (def: z.core.$ZodTypeDef) => Schema;

const classes: Record<string, Constructor> = {
  string: z.ZodString,
  number: z.ZodNumber,
  boolean: z.ZodBoolean,
  bigint: z.ZodBigInt,
  date: z.ZodDate,
  null: z.ZodNull,
  undefined: z.ZodUndefined,
  any: z.ZodAny,
  unknown: z.ZodUnknown,
  never: z.ZodNever,
  void: z.ZodVoid,
  array: z.ZodArray,
  object: z.ZodObject,
  union: z.ZodUnion,
  intersection: z.ZodIntersection,
  tuple: z.ZodTuple,
  record: z.ZodRecord,
  map: z.ZodMap,
  set: z.ZodSet,
  enum: z.ZodEnum,
  literal: z.ZodLiteral,
  optional: z.ZodOptional,
  nullable: z.ZodNullable,
  default: z.ZodDefault,
  prefault: z.ZodPrefault,
  catch: z.ZodCatch,
  nonoptional: z.ZodNonOptional,
  pipe: z.ZodPipe,
  transform: z.ZodTransform,
  readonly: z.ZodReadonly,
  lazy: z.ZodLazy,
  custom: z.ZodCustom,
  template_literal: z.ZodTemplateLiteral,
} as unknown as Record<string, Constructor>;

/** String formats as schemas of their own (`z.email()`, `z.iso.datetime()`), not as checks. */
const stringFormats: Record<string, Constructor> = {
  email: z.ZodEmail,
  url: z.ZodURL,
  uuid: z.ZodUUID,
  datetime: z.ZodISODateTime,
  date: z.ZodISODate,
  time: z.ZodISOTime,
  duration: z.ZodISODuration,
  e164: z.ZodE164,
} as unknown as Record<string, Constructor>;

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && '_zod' in value;
const isClassic = (schema: Schema) => schema instanceof z.ZodType;

/** The definition's keys that hold schemas, by schema type. */
const children: Record<string, readonly string[]> = {
  object: ['catchall'],
  array: ['element'],
  union: [],
  intersection: ['left', 'right'],
  tuple: ['rest'],
  record: ['keyType', 'valueType'],
  map: ['keyType', 'valueType'],
  set: ['valueType'],
  optional: ['innerType'],
  nullable: ['innerType'],
  default: ['innerType'],
  prefault: ['innerType'],
  catch: ['innerType'],
  nonoptional: ['innerType'],
  readonly: ['innerType'],
  pipe: ['in', 'out'],
};

function classic(schema: Schema, done: Map<Schema, Schema>): Schema {
  const known = done.get(schema);
  if (known) return known;
  const def = schema._zod.def as unknown as Record<string, unknown> & z.core.$ZodTypeDef;
  const type = def.type;
  const copy: Record<string, unknown> = { ...def };
  let changed = !isClassic(schema);
  const convert = (value: unknown) => {
    if (!isSchema(value)) return value;
    const converted = classic(value, done);
    if (converted !== value) changed = true;
    return converted;
  };
  for (const key of children[type] ?? []) if (key in def) copy[key] = convert(def[key]);
  if (type === 'object') copy['shape'] = Object.fromEntries(Object.entries(def['shape'] as Record<string, unknown>).map(([key, value]) => [key, convert(value)]));
  if (type === 'union') copy['options'] = (def['options'] as unknown[]).map(convert);
  if (type === 'tuple') copy['items'] = (def['items'] as unknown[]).map(convert);
  if (type === 'lazy') {
    const getter = def['getter'] as () => Schema;
    copy['getter'] = () => classic(getter(), done);
    changed = changed || !isClassic(schema);
  }
  if (!changed) {
    done.set(schema, schema);
    return schema;
  }
  const format = typeof def['format'] === 'string' ? def['format'] : undefined;
  const Class = (type === 'string' && format ? (stringFormats[format] ?? z.ZodStringFormat) : undefined) ?? (type === 'number' && format ? z.ZodNumberFormat : undefined) ?? classes[type];
  if (!Class) throw new Error(`no classic zod schema for type ${type}`);
  const rebuilt = new (Class as Constructor)(copy as unknown as z.core.$ZodTypeDef);
  done.set(schema, rebuilt);
  const metadata = z.globalRegistry.get(schema);
  if (metadata) z.globalRegistry.add(rebuilt, metadata);
  return rebuilt;
}

/** The value with every schema in it (at any depth of plain objects and arrays) a classic one. */
export function classicSchemas<T>(value: T, done = new Map<Schema, Schema>()): T {
  if (isSchema(value)) return classic(value, done) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => classicSchemas(item, done)) as T;
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, classicSchemas(item, done)])) as T;
  }
  return value;
}
