import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The grammar is checked for shape and for what its main rules match; a full tokenisation needs
// the editor's regex engine, which the end-to-end tests exercise.
const root = join(__dirname, '..', '..', '..', 'syntaxes');
interface Rule { match?: string; begin?: string; end?: string; name?: string; patterns?: Rule[] }
const grammar = JSON.parse(readFileSync(join(root, 'linker-script.tmLanguage.json'), 'utf8')) as {
  scopeName: string; patterns: { include: string }[]; repository: Record<string, Rule>;
};

function rule(name: string, index = 0): RegExp {
  const r = grammar.repository[name];
  const m = r.match ?? r.patterns?.[index].match;
  assert.ok(m, name);
  return new RegExp(m);
}

describe('linker-script TextMate grammar', () => {
  it('has the contributed scope and resolvable includes', () => {
    assert.equal(grammar.scopeName, 'source.linker-script');
    for (const p of grammar.patterns) assert.ok(grammar.repository[p.include.slice(1)], p.include);
  });

  it('matches the main constructs', () => {
    assert.ok(rule('keywords').test('SECTIONS'));
    assert.ok(rule('keywords', 1).test('KEEP'));
    assert.ok(rule('keywords', 2).test('(NOLOAD)'));
    assert.ok(rule('functions').test('LOADADDR(.data)'));
    assert.equal(rule('number').exec('x = 0x20000000')?.[0], '0x20000000');
    assert.equal(rule('number').exec('LENGTH = 128K')?.[0], '128K');
    assert.equal(rule('memory-region').exec('  RAM (xrw) : ORIGIN = 0x20000000')?.[1], 'RAM');
    assert.equal(rule('output-section').exec('  .data : AT(0x100) {')?.[1], '.data');
    assert.equal(rule('output-section').exec('  /DISCARD/ :')?.[1], '/DISCARD/');
    assert.equal(rule('region-ref').exec('} > RAM AT> FLASH')?.[3], 'RAM');
    assert.ok(rule('location-counter').test('. = ALIGN(4);'));
    assert.equal(rule('wildcard').exec('KEEP(*(.isr_vector))')?.[0], '*');
  });

  it('language configuration declares block comments and brackets', () => {
    const conf = JSON.parse(readFileSync(join(root, 'linker-script.language-configuration.json'), 'utf8'));
    assert.deepEqual(conf.comments.blockComment, ['/*', '*/']);
    assert.ok(conf.brackets.some((b: string[]) => b[0] === '{'));
    assert.ok(conf.folding.markers.start);
  });
});
