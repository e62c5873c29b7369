/** The import formats by name. */
import type { ImportFormat, ImportFormatName } from '../format.ts';
import { cdnow } from './cdnow.ts';
import { comebackCsv } from './comeback-csv.ts';
import { shopifyCsv } from './shopify-csv.ts';
import { wooCommerceCsv } from './woocommerce-csv.ts';

export const importFormats: Record<ImportFormatName, ImportFormat> = {
  'comeback-csv': comebackCsv,
  'shopify-csv': shopifyCsv,
  'woocommerce-csv': wooCommerceCsv,
  cdnow,
};
