// The shared workload SDK is built beside its published package.json, whose CommonJS entry is
// `dist/index.cjs`: the same build as the apps', with that extension.
const base = require('./esbuild.config.cjs');

/** @type {import('esbuild').BuildOptions} */
module.exports = { ...base, outExtension: { '.js': '.cjs' } };
