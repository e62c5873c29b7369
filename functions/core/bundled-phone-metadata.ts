/**
 * libphonenumber-js's `min` metadata in a Lambda bundle: written beside index.cjs when the bundle is
 * built (lib/cdk/function-bundle.ts) and read at the first phone number, not at start. As part of
 * the bundle it was 80 KiB of the 273-345 KB of each function that reads phone numbers (the
 * webhooks, the imports, the platform sync, the customer search), parsed at every cold start
 * whether or not an order has a phone number.
 */
import { createRequire } from 'node:module';
import type { MetadataJson } from 'libphonenumber-js/core';

/** The metadata's file beside index.cjs: libphonenumber-js's metadata.min.json as the package has it. */
export const PHONE_METADATA_FILE = 'phone-metadata.json';

let metadata: MetadataJson | undefined;

export default function phoneMetadata(): MetadataJson {
  // A path esbuild does not follow: the file is written beside the bundle, not into it.
  metadata ??= createRequire(import.meta.url)(`./${PHONE_METADATA_FILE}`) as MetadataJson;
  return metadata;
}
