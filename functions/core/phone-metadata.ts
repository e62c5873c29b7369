/**
 * libphonenumber-js's `min` metadata (the numbering plans of every country, 80 KiB), imported with
 * the module: what the tests, the local host and the CLI run. A Lambda bundle carries
 * ./bundled-phone-metadata.ts instead, which reads the same metadata from a file beside index.cjs
 * at the first phone number (package.json `imports`, the `comeback-lambda` condition).
 */
import metadata from 'libphonenumber-js/metadata.min.json';
import type { MetadataJson } from 'libphonenumber-js/core';

export default function phoneMetadata(): MetadataJson {
  return metadata;
}
