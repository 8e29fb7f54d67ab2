// esbuild settings shared by every app's and package's `build` target (docs/adr/0004-esbuild-builds.md).
// esbuild does not emit TypeScript's decorator metadata, which NestJS dependency injection reads
// (`design:paramtypes`), so TypeScript files are transpiled by swc first — the same transform the
// tests use (jest.preset.cjs) — and esbuild only bundles the result.
const { readFile } = require('node:fs/promises');
const { transform } = require('@swc/core');

/** @type {import('esbuild').Plugin} */
const decoratorMetadata = {
  name: 'swc-decorator-metadata',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const source = await readFile(args.path, 'utf8');
      const output = await transform(source, {
        filename: args.path,
        sourceMaps: 'inline',
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'es6' },
      });
      return { contents: output.code, loader: 'js' };
    });
  },
};

/** @type {import('esbuild').BuildOptions} */
module.exports = {
  // Every npm package stays a run-time `require` from node_modules; workspace libraries are bundled
  // (tsconfig paths are applied first), except the ones listed as `external` in a project.json.
  packages: 'external',
  outExtension: { '.js': '.js' },
  keepNames: true,
  plugins: [decoratorMetadata],
};
