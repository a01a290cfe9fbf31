// Bundles every entry point named in DESIGN.md into dist/.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
};
const builds = [
  { ...node, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist', external: ['vscode'] },
  { ...node, entryPoints: { adapter: 'src/adapter/main.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: { 'linker-server': 'src/linker/server.ts' }, outdir: 'dist' },
].filter((b) => Object.values(b.entryPoints).every((p) => existsSync(p)));

for (const panel of ['peripherals', 'memory-map', 'board']) {
  const entry = `webview-ui/${panel}/main.ts`;
  if (existsSync(entry)) {
    builds.push({
      bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: true,
      logLevel: 'warning', entryPoints: { [panel]: entry }, outdir: 'dist/webview',
    });
  }
}

if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
  console.log('watching', builds.length, 'bundles');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
