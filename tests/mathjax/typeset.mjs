#!/usr/bin/env node
// Typeset Jupyter rich outputs with the real MathJax (npm package mathjax-full 3.2.2) and report every error.
//
// stdin:  a JSON list; each item is a string (the text of a text/latex output) or {"mime": ..., "text": ...}
//         with mime text/latex, text/markdown or text/html.
// stdout: a JSON list, one object per item: {"formulas": n, "typeset": m, "errors": [{"tex", "message"}]},
//         formulas = math found by the delimiters, typeset = math rendered by the SVG output, errors = every
//         merror node MathJax made (TeX input errors included), each with the formula's TeX.
//
// The math is found the way JupyterLab 4 finds it (packages/mathjax-extension/src/index.ts): MathJax's HTML
// handler over the output's document, delimiters $...$ and \(...\) inline, $$...$$ and \[...\] display, bare
// \begin{env}...\end{env} (processEnvironments), \$ for a dollar (processEscapes), TeX packages AllPackages.
// Two packages are left out on purpose: noerrors (shows a bad formula as its source) and noundefined (shows an
// unknown macro such as \intertext as red text): without them every problem becomes an merror node with
// MathJax's own message, which is what this check reports. Jupyter itself would show them as raw or red TeX.
//
// How each kind of output reaches the page: text/latex is set as the text of an element (JupyterLab's
// renderLatex), so it is escaped here; text/markdown has its math protected from the Markdown parser (removeMath)
// and is otherwise text, so it is escaped too, with `code spans` made <code> (MathJax skips code); text/html is
// parsed as HTML.
import {mathjax} from 'mathjax-full/js/mathjax.js';
import {TeX} from 'mathjax-full/js/input/tex.js';
import {SVG} from 'mathjax-full/js/output/svg.js';
import {liteAdaptor} from 'mathjax-full/js/adaptors/liteAdaptor.js';
import {RegisterHTMLHandler} from 'mathjax-full/js/handlers/html.js';
import {AllPackages} from 'mathjax-full/js/input/tex/AllPackages.js';
import 'mathjax-full/js/util/entities/all.js';  // HTML entities (&mdash; ...) without an asynchronous load

const PACKAGES = AllPackages.filter((name) => name !== 'noerrors' && name !== 'noundefined');

const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);

function escapeHtml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function markdownToHtml(text) {
  // Code spans are not math (marked renders them as <code>, which MathJax skips); the rest stays text.
  return text.split(/(`+[^`]*?`+)/).map((part, i) =>
    i % 2 === 1 ? `<code>${escapeHtml(part.replace(/^`+|`+$/g, ''))}</code>` : escapeHtml(part)).join('');
}

function asHtml(item) {
  const {mime, text} = typeof item === 'string' ? {mime: 'text/latex', text: item} : item;
  if (typeof text !== 'string') throw new Error(`item without text: ${JSON.stringify(item).slice(0, 200)}`);
  if (mime === 'text/html') return text;
  if (mime === 'text/markdown') return markdownToHtml(text);
  if (mime === 'text/latex') return escapeHtml(text);
  throw new Error(`unknown mime type ${mime}`);
}

function errorsOf(item, errors) {
  item.root.walkTree((node) => {
    if (node.isKind('merror')) {
      const message = node.attributes.get('data-mjx-error') || node.childNodes.map((c) => c.getText?.() ?? '')
        .join('') || 'merror';
      errors.push({tex: item.math, message: String(message)});
    }
  });
}

function typeset(item) {
  const tex = new TeX({
    packages: PACKAGES,
    inlineMath: [['$', '$'], ['\\(', '\\)']],
    displayMath: [['$$', '$$'], ['\\[', '\\]']],
    processEscapes: true,
    processEnvironments: true,
    formatError: (jax, err) => jax.formatError(err),  // a TeX error becomes an merror node with its message
  });
  const svg = new SVG({fontCache: 'none'});
  const html = mathjax.document(`<html><head></head><body><div class="output">${asHtml(item)}</div></body></html>`, {
    InputJax: tex,
    OutputJax: svg,
    // an error outside the TeX parser (a bug in an extension) is reported too, not thrown
    compileError: (doc, math, err) => doc.compileError(math, err),
    typesetError: (doc, math, err) => doc.typesetError(math, err),
  });
  html.render();
  const errors = [];
  let formulas = 0;
  for (const math of html.math) {
    if (math.display === null) continue;  // an escape such as \$ (processEscapes), not a formula
    formulas += 1;
    if (math.root) errorsOf(math, errors);
  }
  const body = adaptor.body(html.document);
  const typesetCount = adaptor.tags(body, 'mjx-container').length;
  // the output side must not hold an error either (SVG writes data-mml-node="merror")
  const shown = adaptor.outerHTML(body);
  if (errors.length === 0 && shown.includes('data-mml-node="merror"')) {
    errors.push({tex: '', message: 'an merror node in the SVG output'});
  }
  return {formulas, typeset: typesetCount, errors};
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const items = JSON.parse(await readStdin());
if (!Array.isArray(items)) throw new Error('stdin must hold a JSON list');
const results = items.map((item) => {
  try {
    return typeset(item);
  } catch (err) {
    return {formulas: 0, typeset: 0, errors: [{tex: '', message: `typeset.mjs failed: ${err.message}`}]};
  }
});
process.stdout.write(JSON.stringify(results) + '\n');
