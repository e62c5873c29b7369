/**
 * What an identifier (a customer's, an order's, a path's) may be: 1 to 256 characters, and at most
 * 500 bytes of UTF-8, so that the longest DynamoDB key built of two (a check-in's place in the
 * due index: customer, order and month) stays under the 1,024 bytes of a sort key.
 */
import * as z from './zod.ts';

export const identifierChecks = [
  z.minLength(1),
  z.maxLength(256),
  z.refine<string>((value) => Buffer.byteLength(value, 'utf8') <= 500, { message: 'at most 500 bytes of UTF-8' }),
] as const;

/** An identifier in a path, as given. */
export const pathIdentifierSchema = z.string().check(...identifierChecks);
