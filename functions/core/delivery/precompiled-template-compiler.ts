/**
 * Message templates in a Lambda bundle: precompiled when the bundle was built (lib/cdk/precompile-templates.ts)
 * into a file beside index.cjs, and run by Handlebars's runtime (6 KiB) instead of its compiler
 * (75 KiB). The file is read at the first message rendered, not at start. A template's source is
 * still read from the templates directory, and only the template precompiled from that very source
 * (and options) is used, so a bundle renders exactly what the source renders.
 */
import { createRequire } from 'node:module';
// esbuild finds runtime.js; the package declares its types under this name.
import Handlebars from 'handlebars/runtime';
import { TemplateError } from './errors.ts';
import { PRECOMPILED_TEMPLATES_FILE, templateKey, type TemplateCompiler, type TemplateOptions } from './template-compiling.ts';

type PrecompiledTemplates = Record<string, TemplateSpecification>;

let precompiled: PrecompiledTemplates | undefined;

function precompiledTemplates(): PrecompiledTemplates {
  // A path esbuild does not follow: the file is written beside the bundle, not into it.
  precompiled ??= createRequire(import.meta.url)(`./${PRECOMPILED_TEMPLATES_FILE}`) as PrecompiledTemplates;
  return precompiled;
}

function createEnvironment(): typeof Handlebars {
  return Handlebars.create();
}

function compileTemplate(environment: typeof Handlebars, source: string, options: TemplateOptions): Handlebars.TemplateDelegate {
  const specification = precompiledTemplates()[templateKey(source, options)];
  if (!specification) throw new TemplateError(`this template was not precompiled into the bundle (only the templates of ${PRECOMPILED_TEMPLATES_FILE} can be rendered here)`);
  return environment.template(specification);
}

const templateCompiler: TemplateCompiler = { createEnvironment, compileTemplate };
export default templateCompiler;
