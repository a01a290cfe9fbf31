// binutils oracle: the 16-bit Thumb decoder's asm() text against arm-none-eabi-objdump for every
// 16-bit encoding (IT instructions are checked separately: objdump changes the text of the
// instructions that follow one).

import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeThumb16 } from '../../src/emulator/cpu/thumb16';
import { requireOracle } from './oracles';

const BASE = 0x08000000;

/** objdump's text for each halfword, placed consecutively from BASE. Undefined encodings → ''. */
function objdump(halfwords: number[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thumb16-asm-'));
  try {
    const file = path.join(dir, 'code.bin');
    const bytes = Buffer.alloc(halfwords.length * 2);
    halfwords.forEach((h, i) => bytes.writeUInt16LE(h, i * 2));
    fs.writeFileSync(file, bytes);
    const out = execFileSync('arm-none-eabi-objdump', [
      '-D', '-b', 'binary', '-marm', '-M', 'force-thumb', `--adjust-vma=0x${BASE.toString(16)}`, file,
    ], { maxBuffer: 1 << 28 }).toString();
    const byAddress = new Map<number, string>();
    for (const line of out.split('\n')) {
      const m = /^\s*([0-9a-f]+):\s+[0-9a-f]{4}\s+\t(.*)$/.exec(line);
      if (m) byAddress.set(parseInt(m[1], 16), m[2]);
    }
    return halfwords.map((_, i) => byAddress.get(BASE + 2 * i) ?? '');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Drop comments and collapse whitespace. */
function normalize(text: string): string {
  return text.replace(/\s*[@;].*$/, '').replace(/\s+/g, ' ').trim();
}

/** Our register names (r10-r12) in objdump's default spelling. */
function objdumpRegisterNames(text: string): string {
  return text.replace(/\br10\b/g, 'sl').replace(/\br11\b/g, 'fp').replace(/\br12\b/g, 'ip');
}

/** Differences we accept: objdump's aliases and ARMv8-M names for encodings we run as v7-M. */
function equivalent(ours: string, theirs: string): boolean {
  if (ours === theirs) return true;
  if (ours === 'mov r8, r8' && theirs === 'nop') return true;
  if (theirs.startsWith('bxns ') || theirs.startsWith('blxns ')) return ours === theirs.replace('ns ', ' ');
  return false;
}

describe('binutils oracle: thumb16 disassembly matches objdump', function () {
  before(requireOracle('binutils'));

  it('every non-IT 16-bit encoding', () => {
    const halfwords: number[] = [];
    for (let hw = 0; hw < 0xe800; hw++) {
      if ((hw & 0xff00) === 0xbf00 && (hw & 0xf) !== 0) continue; // IT
      halfwords.push(hw);
    }
    const theirs = objdump(halfwords);
    const mismatches: string[] = [];
    halfwords.forEach((hw, i) => {
      const decoded = decodeThumb16(hw, BASE + 2 * i, 'v7m');
      const ours = normalize(decoded.asm());
      const expected = normalize(theirs[i]);
      const hex = hw.toString(16).padStart(4, '0');
      if (ours.startsWith('udf') && !ours.startsWith('udf #')) {
        // We are allowed to be stricter (UNPREDICTABLE → UNDEFINED, ARMv8-M-only encodings),
        // but objdump must not know an ARMv7-M instruction we lack; those are listed here.
        if (expected !== '' && !/^(setpan|setend|hlt|cpsi[ed] a|push \{\}|pop \{\}|stmia r\d!, \{\}|ldmia r\d!, \{\}|bx |blx |sevl)/.test(expected)) {
          mismatches.push(`${hex}: ours UNDEFINED, objdump "${expected}"`);
        }
        return;
      }
      if (expected === '') {
        if (hw !== 0xbf50) mismatches.push(`${hex}: ours "${ours}", objdump UNDEFINED`);
        return;
      }
      if (!equivalent(objdumpRegisterNames(ours), expected) && !(hw === 0xbf50 && expected === 'sevl')) {
        mismatches.push(`${hex}: ours "${ours}", objdump "${expected}"`);
      }
    });
    assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} mismatches`);
  });

  it('IT instructions', () => {
    const halfwords: number[] = [];
    for (let hw = 0xbf01; hw <= 0xbfef; hw++) if ((hw & 0xf) !== 0) halfwords.push(hw);
    // One IT per objdump run position: put each after enough NOPs to end the previous block.
    const padded: number[] = [];
    for (const hw of halfwords) padded.push(hw, 0xbf00, 0xbf00, 0xbf00, 0xbf00);
    const theirs = objdump(padded);
    const mismatches: string[] = [];
    halfwords.forEach((hw, i) => {
      const ours = normalize(decodeThumb16(hw, BASE, 'v7m').asm());
      const expected = normalize(theirs[i * 5]);
      if (ours !== expected) mismatches.push(`${hw.toString(16)}: ours "${ours}", objdump "${expected}"`);
    });
    assert.deepEqual(mismatches, []);
  });
});
