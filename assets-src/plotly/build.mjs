// Build ../../dashboard/vendor/plotly.min.js: plotly.js core plus the trace types in
// traces.txt, minified by esbuild, and its precompressed copies plotly.min.js.gz (zopfli:
// a valid gzip stream, ~3% smaller than gzip -9) and plotly.min.js.br (brotli quality 11),
// which dashboard/plotly_bundle.py serves as they are. Run by `make plotly-bundle`.
//
// The output depends only on package-lock.json (plotly.js, esbuild, zopfli: pinned) and
// traces.txt, so a rebuild from the same inputs gives the same bytes (the .br file may differ
// with another node's brotli, but always decodes to the same plotly.min.js).
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';
import zopfli from '@gfx/zopfli';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const out = join(here, '..', '..', 'dashboard', 'vendor', 'plotly.min.js');

const version = require('plotly.js/package.json').version;
const expected = process.env.PLOTLY_JS_VERSION;  // what the installed plotly.py/Dash ships
if (expected && expected !== version) {
    console.error(`plotly.js ${version} in package-lock.json, but plotly.py ships ${expected}: ` +
        `set "plotly.js": "${expected}" in assets-src/plotly/package.json, npm install, rebuild`);
    process.exit(1);
}

const traces = readFileSync(join(here, 'traces.txt'), 'utf8').split('\n')
    .map((line) => line.replace(/#.*/, '').trim()).filter(Boolean);
for (const t of traces) {
    if (!/^[a-z0-9]+$/.test(t) || !existsSync(join(here, 'node_modules', 'plotly.js', 'lib', `${t}.js`))) {
        console.error(`traces.txt: "${t}" is not a plotly.js trace module (plotly.js/lib/${t}.js)`);
        process.exit(1);
    }
}

// the same shape as plotly.js's own lib/index-*.js partial bundles
const entry = [
    "'use strict';",
    "var Plotly = require('plotly.js/lib/core');",
    'Plotly.register([',
    ...traces.map((t) => `    require('plotly.js/lib/${t}'),`),
    ']);',
    'module.exports = Plotly;',
].join('\n');

const banner = [
    '/**',
    `* plotly.js v${version} (custom bundle for the Outcomes Budget Dashboard)`,
    `* traces: ${traces.join(' ')}`,
    '* built by `make plotly-bundle` from assets-src/plotly (esbuild, pinned in package-lock.json)',
    '* Copyright 2012-2026, Plotly, Inc.',
    '* All rights reserved.',
    '* Licensed under the MIT license',
    '*/',
].join('\n');

// plotly.js's src/registry.js requires maplibre-gl's CSS for map traces only (plotly.js
// inlines it with esbuild-plugin-inline-css); none is listed, so that require becomes empty
const MAP_TRACES = ['scattermap', 'choroplethmap', 'densitymap'];
const noMapCss = {
    name: 'no-map-css',
    setup(build) {
        build.onResolve({ filter: /\.css$/ }, (args) => {
            const mapTraces = traces.filter((t) => MAP_TRACES.includes(t));
            if (mapTraces.length) {
                throw new Error(`${mapTraces.join(', ')} need maplibre-gl's CSS: ` +
                    'add esbuild-plugin-inline-css as plotly.js does (esbuild-config.js)');
            }
            return { path: args.path, namespace: 'no-map-css' };
        });
        build.onLoad({ filter: /.*/, namespace: 'no-map-css' }, () => ({ contents: '', loader: 'js' }));
    },
};

// settings as plotly.js's own esbuild-config.js, minus the plugins only WebGL, map and
// image traces need
const result = await esbuild.build({
    stdin: { contents: entry, resolveDir: here, sourcefile: 'plotly-dashboard-entry.js' },
    bundle: true,
    format: 'iife',
    globalName: 'Plotly',
    minify: true,
    target: 'es2016',
    define: { global: 'window', 'define.amd': 'false' },
    alias: { regl: '@plotly/regl' },
    plugins: [noMapCss],
    banner: { js: banner },
    legalComments: 'eof',
    charset: 'utf8',
    write: false,
    logLevel: 'warning',
});
const code = result.outputFiles[0].contents;
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, code);
const gz = await promisify(zopfli.gzip)(code, { numiterations: 15 });
writeFileSync(`${out}.gz`, gz);
const br = zlib.brotliCompressSync(code, { params: {
    [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
    [zlib.constants.BROTLI_PARAM_SIZE_HINT]: code.length,
} });
writeFileSync(`${out}.br`, br);
const sha = createHash('sha256').update(code).digest('hex').slice(0, 16);
console.log(`wrote ${out}: ${code.length} bytes (gzip ${gz.length}, brotli ${br.length}), plotly.js ${version}, traces ${traces.join(' ')}, sha256 ${sha}`);
