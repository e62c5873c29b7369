/**
 * Compiles the email layout (layout.mjml) to the responsive HTML skeleton the senders fill in
 * (layout.html). MJML runs here, at build time, so the Lambda bundles carry neither MJML nor its
 * dependencies; a unit test checks that the checked-in layout.html is this compiler's output.
 *
 *   node workflows/templates/build-layout.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import mjml2html from 'mjml';

export const layoutSource = fileURLToPath(new URL('./layout.mjml', import.meta.url));
export const layoutOutput = fileURLToPath(new URL('./layout.html', import.meta.url));

/**
 * MJML checks colours strictly, so layout.mjml holds two marker colours where the brand's go; they
 * become Handlebars placeholders after compilation. Text placeholders pass through untouched.
 */
const colourMarkers: Record<string, string> = { '#0b0b01': '{{brand.background}}', '#0b0b02': '{{brand.color}}' };

/** The layout's HTML, with the Handlebars placeholders the senders fill in. */
export async function compileLayout(source: string = readFileSync(layoutSource, 'utf8')): Promise<string> {
  const result = await mjml2html(source, { validationLevel: 'strict', keepComments: false });
  let html = result.html.trim();
  for (const [marker, placeholder] of Object.entries(colourMarkers)) html = html.replaceAll(marker, placeholder);
  return `${html}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(layoutOutput, await compileLayout());
  process.stdout.write(`${layoutOutput}\n`);
}
