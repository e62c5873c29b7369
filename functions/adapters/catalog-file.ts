/**
 * The store's rules file, read and validated once per process. COMEBACK_CATALOG_FILE names it; without
 * it, the file shipped in the repository (workflows/catalog.json) is used, as the local host does. A
 * bundled function must be given the file and the variable (like the message templates).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as z from '../core/zod.ts';
import { readConfig } from '../config.ts';
import { CatalogError, parseCatalog, type Catalog } from '../core/catalog/rules.ts';

export const catalogEnv = z.object({
  /** Path of the rules file (JSON): loyalty program, product cycles, cross-sell and upsell rules. */
  COMEBACK_CATALOG_FILE: z.optional(z.string().check(z.trim(), z.minLength(1))),
});

export const defaultCatalogFile = fileURLToPath(new URL('../../workflows/catalog.json', import.meta.url));

/** Reads and validates a rules file; a missing file, bad JSON or a bad entry throws a CatalogError. */
export function loadCatalogFile(path: string): Catalog {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CatalogError(path, [`cannot be read: ${(error as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CatalogError(path, [`is not valid JSON: ${(error as Error).message}`]);
  }
  return parseCatalog(json, path);
}

let catalog: Catalog | undefined;

/** The configured rules file, read on first use (call it at module scope so a bad file stops the start). */
export function configuredCatalog(): Catalog {
  catalog ??= loadCatalogFile(readConfig(catalogEnv).COMEBACK_CATALOG_FILE ?? defaultCatalogFile);
  return catalog;
}
