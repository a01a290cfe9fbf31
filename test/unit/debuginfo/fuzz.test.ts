// Robustness: mutated and truncated ELFs must parse or fail with ElfError/DwarfError — never another
// exception, never a hang. Seeded, so a failure reproduces; FUZZ_COUNT=<n> runs more cases.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readElf, ElfError } from '../../../src/debuginfo/elf';
import { DwarfError } from '../../../src/debuginfo/dwarf/reader';
import { DebugInfo } from '../../../src/debuginfo/debuginfo';
import { FrameTable } from '../../../src/debuginfo/dwarf/frame';
import { demangle } from '../../../src/debuginfo/demangle';
import type { Die } from '../../../src/debuginfo/dwarf/info';
import { prngUnit as prng } from '../../support/prng';

const COUNT = Number(process.env.FUZZ_COUNT ?? 3000);
const inputs = ['tiny.elf', 'inline-dwarf5.elf'].map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(__dirname, 'data', f))) }));


const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0];

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(rnd() * n);
  const kind = pick(4);
  if (kind === 0) return src.slice(0, pick(src.length)); // truncation
  const out = src.slice();
  const dv = new DataView(out.buffer);
  const edits = 1 + pick(8);
  for (let i = 0; i < edits; i++) {
    // Bias towards the headers, where one byte changes the most structure.
    const at = rnd() < 0.3 ? pick(Math.min(64, out.length)) : pick(out.length);
    if (kind === 1) out[at] = pick(256);
    else if (kind === 2) out[at] ^= 1 << pick(8);
    else if (at + 4 <= out.length) dv.setUint32(at, INTERESTING[pick(INTERESTING.length)], true);
  }
  return out;
}

const dummyContext = { readRegister: () => 0x20000100, readMemory: () => 0, cfa: () => 0x20001000 };

/** Asks every question the debugger would, so lazily-read data is read too. */
function exercise(bytes: Uint8Array): void {
  const elf = readElf(bytes, 'fuzz.elf');
  for (const s of elf.symbols.slice(0, 50)) {
    demangle(s.name);
    elf.symbolAt(s.address);
  }
  elf.symbolByName('main');
  const di = new DebugInfo(elf);
  let budget = 5000;
  const walk = (d: Die, depth: number) => {
    if (depth > 50 || --budget < 0) return;
    d.name();
    d.ranges();
    for (const c of d.children()) walk(c, depth + 1);
  };
  for (const u of di.info.units()) walk(u.root(), 0);
  const text = elf.section('.text');
  const base = text?.addr ?? 0x08000000;
  for (let a = base; a < base + Math.min(text?.size ?? 0x40, 0x100); a += 2) {
    di.lineAt(a);
    for (const frame of di.functionsAt(a)) {
      for (const v of di.variablesAt(frame, a)) di.locate(v, a, dummyContext);
    }
  }
  di.addressesFor('tiny.c', 8);
  di.addressesFor('inline.c', 6);
  const frames = FrameTable.read(di.sections);
  for (const s of frames.sections) for (const f of s.fdes.slice(0, 50)) s.rows(f);
}

describe('debuginfo fuzz: demanglers never throw', () => {
  it('random and mutated mangled names give a string', () => {
    const rnd = prng(42);
    const seeds = ['_ZN5hello4main17h0123456789abcdefE', '_RNvXs_NtCs1234_5hello3fooNtB4_3BarNtNtCs5_4core3fmt5Debug3fmt', '_ZN4RingIPN2hw4gpio3PinELi4EE4pushERKS3_', '_Z2cbPFviERA4_iPKPKchaewDs'];
    const alphabet = '_ZRNICSBEKLTXYMvuhijlmnsty0123456789$.abcdef';
    for (let i = 0; i < 20000; i++) {
      const base = seeds[i % seeds.length].split('');
      const edits = 1 + Math.floor(rnd() * 4);
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(rnd() * base.length);
        const op = rnd();
        if (op < 0.4) base[at] = alphabet[Math.floor(rnd() * alphabet.length)];
        else if (op < 0.7) base.splice(at, 1);
        else base.splice(at, 0, alphabet[Math.floor(rnd() * alphabet.length)]);
      }
      const name = base.join('');
      assert.equal(typeof demangle(name), 'string', name);
      assert.equal(typeof demangle(name, { verbose: true }), 'string', name);
    }
  });
});

describe('debuginfo fuzz: mutated ELFs fail cleanly', function () {
  this.timeout(600000);
  it('the unmutated inputs exercise cleanly', () => {
    for (const input of inputs) exercise(input.bytes);
  });

  it(`${COUNT} mutated/truncated copies: parse or throw ElfError/DwarfError with the offset`, () => {
    const rnd = prng(0xc0ffee);
    const escaped: string[] = [];
    let parsed = 0;
    let rejected = 0;
    for (let i = 0; i < COUNT; i++) {
      const input = inputs[i % inputs.length];
      const bytes = mutate(input.bytes, rnd);
      try {
        exercise(bytes);
        parsed++;
      } catch (e) {
        if ((e instanceof ElfError || e instanceof DwarfError) && /offset 0x[0-9a-f]+/.test(e.message)) {
          rejected++;
          continue;
        }
        escaped.push(`case ${i} (${input.name}): ${e instanceof Error ? `${e.name}: ${e.message}\n${e.stack?.split('\n').slice(1, 4).join('\n')}` : String(e)}`);
      }
    }
    assert.deepEqual(escaped.slice(0, 5), [], `${escaped.length} cases threw something else`);
    assert.ok(parsed > 0 && rejected > 0, `parsed ${parsed}, rejected ${rejected}`);
  });
});
