/**
 * What the two ways of compiling a message template share: the Handlebars options of each kind of
 * template, the key a precompiled template is found by, and the name of the file that holds the
 * precompiled templates beside a Lambda bundle.
 *
 * Templates are compiled by `#core/delivery/template-compiler.ts`: outside a Lambda bundle that is
 * ./template-compiler.ts (Handlebars's compiler, at first use); in a Lambda bundle it is
 * ./precompiled-template-compiler.ts (Handlebars's runtime and the templates precompiled when the
 * bundle was built), chosen by the `comeback-lambda` condition of package.json's `imports`.
 */
import { createHash } from 'node:crypto';
import type Handlebars from 'handlebars';

/** A message part (`.hbs`): a variable the journey step forgot throws; the output is plain text. */
export const MESSAGE_TEMPLATE_OPTIONS = { strict: true, noEscape: true } as const satisfies CompileOptions;
/** The email layout (layout.html): strict, and HTML-escaped where the layout does not use `{{{ }}}`. */
export const LAYOUT_TEMPLATE_OPTIONS = { strict: true } as const satisfies CompileOptions;

export type TemplateOptions = typeof MESSAGE_TEMPLATE_OPTIONS | typeof LAYOUT_TEMPLATE_OPTIONS;

/** The file beside a Lambda bundle's index.cjs that holds the precompiled templates. */
export const PRECOMPILED_TEMPLATES_FILE = 'templates.precompiled.cjs';

/** What a precompiled template is found by: its source and its options, so a changed file is never matched. */
export function templateKey(source: string, options: TemplateOptions): string {
  return createHash('sha256').update(`${JSON.stringify(options)}\n`).update(source).digest('base64url');
}

/**
 * What both compilers give: a Handlebars environment to register helpers on, and compiled templates
 * of it. In a bundle the environment is the runtime's, without `compile` and `precompile` (its
 * types, from the package, do not tell the two apart).
 */
export interface TemplateCompiler {
  createEnvironment(): typeof Handlebars;
  compileTemplate(environment: typeof Handlebars, source: string, options: TemplateOptions): Handlebars.TemplateDelegate;
}
