// Mutated linker scripts through every language feature the server exposes (the same functions its
// handlers call, without the server's catch-all, so a throw fails here): none may throw or take
// long, whatever the text and wherever the cursor.

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../../src/linker/language/analysis';
import { completion } from '../../../src/linker/language/completion';
import { definition } from '../../../src/linker/language/definition';
import { computeDiagnostics } from '../../../src/linker/language/diagnostics';
import { foldingRanges } from '../../../src/linker/language/folding';
import { hover } from '../../../src/linker/language/hover';
import { documentSymbols } from '../../../src/linker/language/outline';
import { readElf } from '../../../src/debuginfo/elf';

const FIX = path.join(__dirname, '../../fixtures/firmware');
const SEEDS = [
  path.join(FIX, 'rust/rt/link.x'), path.join(FIX, 'rust/memory.x'), path.join(FIX, 'c/m3/link.ld'), path.join(FIX, 'c/common/sections.ld'),
];
const TOKENS = ['{', '}', '(', ')', ';', ',', '>', 'AT>', '=', '.', '*', '/*', '*/', '"', 'MEMORY', 'SECTIONS', 'INCLUDE memory.x', 'INCLUDE link.x',
  'ORIGIN(', 'LENGTH(RAM)', 'ADDR(.text)', 'KEEP(', 'PROVIDE(', 'REGION_ALIAS(A, B)', '0x', '99999999999999999999', '-', '<<', '?', ':', '\n', '\u0000', 'é', 'OVERLAY', 'ASSERT(0, "x")'];

/** Deterministic PRNG so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

function mutate(text: string, rand: () => number): string {
  let t = text;
  const n = 1 + Math.floor(rand() * 6);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rand() * (t.length + 1));
    const kind = rand();
    if (kind < 0.35) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(rand() * 20));
    else if (kind < 0.7) t = t.slice(0, at) + TOKENS[Math.floor(rand() * TOKENS.length)] + t.slice(at);
    else if (kind < 0.85) t = t.slice(0, at) + t.slice(Math.floor(rand() * t.length)).slice(0, 40) + t.slice(at);
    else t = t.slice(0, at);
  }
  return t;
}

describe('linker-script language features: fuzz', function () {
  this.timeout(120_000);
  const elf = readElf(fs.readFileSync(path.join(FIX, 'rust/blinky.elf')), 'blinky.elf');
  const texts = new Map(SEEDS.map((f) => [f, fs.readFileSync(f, 'utf8')]));

  for (const seed of SEEDS) {
    it(`mutations of ${path.basename(seed)} never throw or hang`, () => {
      const rand = rng(seed.length * 7919);
      for (let i = 0; i < 150; i++) {
        const text = mutate(texts.get(seed)!, rand);
        // Included files are mutated too, and INCLUDE may now point back at the file itself.
        const readFile = (p: string): string | undefined => (p === seed ? text : texts.has(p) ? mutate(texts.get(p)!, rand) : undefined);
        const started = Date.now();
        const a = analyze(seed, text, { readFile, searchPaths: [path.join(FIX, 'rust'), path.join(FIX, 'c/common')], elf: i % 2 === 0 ? elf : undefined });
        computeDiagnostics(a);
        documentSymbols(a);
        foldingRanges(a.script);
        const lines = text.split('\n');
        for (let k = 0; k < 12; k++) {
          const line = Math.floor(rand() * (lines.length + 1));
          const character = Math.floor(rand() * ((lines[line]?.length ?? 0) + 2));
          hover(a, seed, line, character);
          definition(a, seed, line, character);
          completion(a, text, line, character);
        }
        assert.ok(Date.now() - started < 2000, `input ${i} took ${Date.now() - started} ms`);
      }
    });
  }

  it('survives binary garbage and empty input', () => {
    const rand = rng(42);
    for (let i = 0; i < 100; i++) {
      const text = Array.from({ length: Math.floor(rand() * 400) }, () => String.fromCharCode(Math.floor(rand() * 128))).join('');
      const a = analyze('/x/garbage.ld', text, { readFile: () => undefined, elf });
      computeDiagnostics(a);
      documentSymbols(a);
      foldingRanges(a.script);
      hover(a, a.file, 0, 3);
      completion(a, text, 0, 3);
    }
    const empty = analyze('/x/empty.ld', '', { readFile: () => undefined });
    assert.deepEqual(computeDiagnostics(empty), []);
  });
});
