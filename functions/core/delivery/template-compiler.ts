/**
 * Compiles message templates with Handlebars's compiler, at first use: what the tests, the local
 * host and the CLI run. A Lambda bundle carries ./precompiled-template-compiler.ts instead (see
 * ./template-compiling.ts).
 */
import Handlebars from 'handlebars';
import type { TemplateCompiler, TemplateOptions } from './template-compiling.ts';

function createEnvironment(): typeof Handlebars {
  return Handlebars.create();
}

function compileTemplate(environment: typeof Handlebars, source: string, options: TemplateOptions): Handlebars.TemplateDelegate {
  // Copies: Handlebars writes its defaults into the options it is given.
  const render = environment.compile(source, { ...options });
  // Compilation is lazy in Handlebars: force it now so syntax errors surface here.
  environment.precompile(source, { ...options });
  return render;
}

const templateCompiler: TemplateCompiler = { createEnvironment, compileTemplate };
export default templateCompiler;
