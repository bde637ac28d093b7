// Build ../../assets/static/bootstrap.purged.min.css: the vendored Bootstrap with only the rules
// whose selectors match the server-rendered pages (PurgeCSS over the HTML that corpus.py writes,
// every page in the states its classes depend on). Run by `make css`.
//
// Why: a page's style work grows with the rules it carries. The full Bootstrap (230 kB) cost
// the area page about 140 ms before its first paint and its first chart on a 2-core machine;
// these pages use a small part of it. The Dash page (the director view) keeps the full file.
// tests/dashboard/test_css.py fails if a class a page uses is in Bootstrap but not in this file.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PurgeCSS } from 'purgecss';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const corpus = process.argv[2];
if (!corpus) {
    console.error('usage: node build.mjs CORPUS_DIR (the HTML pages corpus.py wrote)');
    process.exit(1);
}
const source = join(root, 'assets', 'vendor', 'bootstrap-5.3.9.min.css');
const out = join(root, 'assets', 'static', 'bootstrap.purged.min.css');

const [result] = await new PurgeCSS().purge({
    content: [join(corpus, '*.html')],
    css: [source],
    fontFace: true,
    keyframes: true,
    variables: true,  // custom properties no kept rule uses go too
    rejected: false,
});
const banner = '/*! Bootstrap v5.3.9 (https://getbootstrap.com/), Copyright 2011-2026 The Bootstrap ' +
    'Authors, MIT licence. Only the rules the dashboard\'s server-rendered pages use: built by ' +
    '`make css` (assets-src/css) with PurgeCSS. */\n';
// @charset must come first; the original licence comment is replaced by the banner
const css = '@charset "UTF-8";' + banner +
    result.css.replace(/^@charset "UTF-8";/, '').replace(/\/\*![\s\S]*?\*\//, '');
writeFileSync(out, css);
const before = readFileSync(source).length;
console.log(`${out}: ${css.length} bytes (from ${before})`);
