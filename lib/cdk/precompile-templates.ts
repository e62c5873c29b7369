/**
 * The message templates precompiled for the Lambda bundles that render them: every `.hbs` part and
 * the email layout of workflows/templates, compiled by Handlebars when the bundle is built, into one
 * CommonJS file beside index.cjs (PRECOMPILED_TEMPLATES_FILE) that the bundle's template compiler
 * (functions/core/delivery/precompiled-template-compiler.ts) requires at the first message it
 * renders. The bundle then carries Handlebars's runtime instead of its compiler.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import Handlebars from 'handlebars';
import { LAYOUT_TEMPLATE_OPTIONS, MESSAGE_TEMPLATE_OPTIONS, templateKey, type TemplateOptions } from '../../functions/core/delivery/template-compiling.ts';

/** The message templates, relative to the project root; bundled as `templates/` beside index.cjs. */
export const TEMPLATES_SOURCE = 'workflows/templates';

/** The module a bundle carries when it renders templates, and so needs them precompiled beside it. */
export const PRECOMPILED_TEMPLATE_COMPILER = 'functions/core/delivery/precompiled-template-compiler.ts';

/** The templates of a directory and the options each compiles with, as TemplateLibrary and renderHtml compile them. */
function templatesOf(directory: string): [file: string, options: TemplateOptions][] {
  return [
    ...readdirSync(directory)
      .filter((file) => file.endsWith('.hbs'))
      .sort()
      .map((file): [string, TemplateOptions] => [file, MESSAGE_TEMPLATE_OPTIONS]),
    ['layout.html', LAYOUT_TEMPLATE_OPTIONS],
  ];
}

/** The precompiled templates of a directory, as a minified CommonJS module: each template's specification by its key. */
export function precompiledTemplates(directory: string): string {
  const entries = templatesOf(directory).map(([file, options]) => {
    const source = readFileSync(join(directory, file), 'utf8');
    let specification: string;
    try {
      // A copy: Handlebars writes its defaults into the options it is given, which are also the key.
      specification = Handlebars.precompile(source, { ...options }) as string;
    } catch (error) {
      throw new Error(`template file ${file} is not valid Handlebars: ${(error as Error).message}`, { cause: error });
    }
    return `${JSON.stringify(templateKey(source, options))}: ${specification}`;
  });
  const module = `module.exports = {\n${entries.join(',\n')}\n};\n`;
  return transformSync(module, { loader: 'js', format: 'cjs', minify: true, target: 'node24' }).code;
}
