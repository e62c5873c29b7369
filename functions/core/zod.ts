/**
 * zod for every module that goes into a Lambda bundle: the `zod/mini` API (functions instead of
 * methods, `z.optional(x)`, `x.check(z.minLength(1))`), which tree-shakes to the schemas a bundle
 * uses, where zod's classic API brought 95-110 KiB into every bundle. `zod/mini` loads no locale, so
 * issues would read "Invalid input"; the English messages the classic API gives (shown in problem
 * responses, logs and configuration errors) are configured here, once, for every importer.
 * The CDK app, the CLI and the local host keep the classic API (lib/).
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
