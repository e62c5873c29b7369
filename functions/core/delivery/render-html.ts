/**
 * The HTML part of an email, made from its plain-text part, so one template per message gives both.
 * The layout (workflows/templates/layout.html, compiled from layout.mjml by MJML at build time) is
 * responsive and branded from the shop's settings; the text goes into it as paragraphs, lines
 * starting with "- " as a list, and every http(s) address as a link. The preview text (what an
 * inbox shows after the subject) is the message's first paragraph after the greeting.
 */
import type Handlebars from 'handlebars';
// In a Lambda bundle this is the precompiled templates' module (./template-compiling.ts).
import templateCompiler from '#core/delivery/template-compiler.ts';
import { LAYOUT_TEMPLATE_OPTIONS } from './template-compiling.ts';
import type { Brand } from './types.ts';

export interface HtmlParts {
  /** The `lang` attribute: the message's language. */
  language: string;
  subject: string;
  text: string;
  brand: Brand;
  /** The signed unsubscribe link and its label in the message's language. */
  unsubscribe: { url: string; label: string };
}

const layouts = templateCompiler.createEnvironment();
const compiledLayouts = new Map<string, Handlebars.TemplateDelegate>();

/** Fills the layout (its source given once per layout file) with the message. */
export function renderHtml(layout: string, parts: HtmlParts): string {
  let compiled = compiledLayouts.get(layout);
  if (!compiled) {
    compiled = templateCompiler.compileTemplate(layouts, layout, LAYOUT_TEMPLATE_OPTIONS);
    compiledLayouts.set(layout, compiled);
  }
  const { brand } = parts;
  const name = escape(brand.shopName);
  const header = brand.logoUrl ? `<img src="${escape(brand.logoUrl)}" alt="${name}" style="max-width:200px;max-height:80px;border:0">` : name;
  const footer = [
    brand.shopUrl ? `<a href="${escape(brand.shopUrl)}" style="color:inherit">${name}</a>` : name,
    ...(brand.postalAddress ? [escape(brand.postalAddress).replace(/\n/g, '<br>')] : []),
    `<a href="${escape(parts.unsubscribe.url)}" style="color:inherit">${escape(parts.unsubscribe.label)}</a>`,
  ].join('<br>');
  return compiled({
    lang: parts.language,
    subject: parts.subject,
    preview: previewText(parts.text),
    brand,
    headerHtml: header,
    bodyHtml: textToHtml(parts.text, brand.color),
    footerHtml: footer,
  });
}

/**
 * The first paragraph after the greeting (an opening paragraph of one short line, as "Hi Ada," or
 * "Вітаємо, Ada!"), on one line, at most 150 characters. Lists are skipped.
 */
export function previewText(text: string): string {
  const paragraphs = blocks(text).filter((block) => !block.every((line) => line.startsWith('- ')));
  const greeting = paragraphs.length > 1 && paragraphs[0]?.length === 1 && (paragraphs[0][0] ?? '').length <= 60;
  const chosen = (greeting ? paragraphs[1] : paragraphs[0]) ?? [];
  const line = chosen.join(' ').replace(/\s+/g, ' ').trim();
  return line.length > 150 ? `${line.slice(0, 149).trimEnd()}…` : line;
}

/** Plain text as HTML: paragraphs, "- " lists, links; everything escaped. A "--" line starts the small print. */
export function textToHtml(text: string, linkColour = '#1a73e8'): string {
  const html: string[] = [];
  let smallPrint = false;
  for (const block of blocks(text)) {
    let lines = block;
    if (lines[0] === '--') {
      smallPrint = true;
      lines = lines.slice(1);
      if (lines.length === 0) continue;
    }
    const style = smallPrint ? ' style="font-size:12px;color:#666666"' : '';
    // Runs of "- " lines are a list; the lines between them a paragraph.
    for (const run of runs(lines)) {
      if (run.list) html.push(`<ul${style}>${run.lines.map((line) => `<li>${inline(line.slice(2), linkColour)}</li>`).join('')}</ul>`);
      else html.push(`<p${style}>${run.lines.map((line) => inline(line, linkColour)).join('<br>')}</p>`);
    }
  }
  return html.join('\n');
}

function runs(lines: string[]): { list: boolean; lines: string[] }[] {
  const found: { list: boolean; lines: string[] }[] = [];
  for (const line of lines) {
    const list = line.startsWith('- ');
    const last = found.at(-1);
    if (last && last.list === list) last.lines.push(line);
    else found.push({ list, lines: [line] });
  }
  return found;
}

function blocks(text: string): string[][] {
  return text
    .split(/\n\s*\n/)
    .map((block) => block.split('\n').map((line) => line.trim()).filter((line) => line.length > 0))
    .filter((block) => block.length > 0);
}

function inline(line: string, linkColour: string): string {
  return escape(line).replace(/https?:\/\/[^\s<]+[^\s<.,;:!?)]/g, (url) => `<a href="${url}" style="color:${escape(linkColour)}">${url}</a>`);
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escapes text and attribute values (links keep their `=`, unlike Handlebars' own escaping). */
function escape(text: string): string {
  return text.replace(/[&<>"']/g, (character) => entities[character] ?? character);
}
