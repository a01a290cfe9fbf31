// DAP: source paths when the DWARF's spelling of a file is not where the user has it. The blinky
// fixture was compiled with relative paths (`blinky/main.rs`, comp_dir "."), while a user's crate
// has that file as `src/main.rs`. The adapter finds the file under the search roots (launch cwd,
// the ELF's folder and its parents) by the longest matching path suffix when the match is unique,
// and maps the client's breakpoint paths back to the line table's files the same way.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DapSession, fixtureLaunch, fixtureSource, sessionPerTest } from './harness';
import { fixture } from '../fixtures/firmware/fixtures';

const BLINKY = 'rust/blinky';
const LOOP_LINE = 63; // toggles += 1;

/** A crate-shaped folder: the ELF under target/<triple>/debug, the sources as `files` lists them
 *  (relative path → fixture file), no copy at the DWARF's `blinky/main.rs`. */
function crate(root: string, files: Record<string, string>): { folder: string; elf: string } {
  const folder = path.join(fs.mkdtempSync(path.join(root, 'ws-')), 'blinky');
  for (const [rel, from] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(folder, rel)), { recursive: true });
    fs.copyFileSync(from, path.join(folder, rel));
  }
  const elfDir = path.join(folder, 'target', 'thumbv7em-none-eabihf', 'debug');
  fs.mkdirSync(elfDir, { recursive: true });
  const elf = path.join(elfDir, 'blinky');
  fs.copyFileSync(fixture(BLINKY).elfPath, elf);
  return { folder, elf };
}

describe('DAP: source paths by suffix (DWARF blinky/main.rs, crate src/main.rs)', function () {
  this.timeout(30_000);
  let s: DapSession;
  let tmp: string;
  const MAIN = fixtureSource(BLINKY);
  sessionPerTest((session) => { s = session; });
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cortex-m-sim-paths-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  async function topSource(): Promise<{ path: string | undefined; line: number }> {
    const [top] = await s.frames();
    return { path: top.source?.path, line: top.line };
  }

  it('stops in the crate\'s src/main.rs when the DWARF names blinky/main.rs', async () => {
    const c = crate(tmp, { 'src/main.rs': MAIN, 'Cargo.toml': MAIN });
    await s.launch(fixtureLaunch(BLINKY, { program: c.elf, cwd: c.folder }));
    await s.nextStop();
    assert.deepEqual(await topSource(), { path: path.join(c.folder, 'src', 'main.rs'), line: 54 });
  });

  it('also without a cwd: the ELF\'s parents lead to the crate', async () => {
    const c = crate(tmp, { 'src/main.rs': MAIN });
    await s.launch(fixtureLaunch(BLINKY, { program: c.elf }));
    await s.nextStop();
    assert.equal((await topSource()).path, path.join(c.folder, 'src', 'main.rs'));
  });

  it('a breakpoint set in src/main.rs binds and is hit there', async () => {
    const c = crate(tmp, { 'src/main.rs': MAIN });
    const source = path.join(c.folder, 'src', 'main.rs');
    await s.launch(fixtureLaunch(BLINKY, { program: c.elf, cwd: c.folder }));
    await s.nextStop();
    const r = await s.dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: LOOP_LINE }] });
    assert.equal(r.body.breakpoints[0].verified, true, r.body.breakpoints[0].message);
    assert.equal(r.body.breakpoints[0].line, LOOP_LINE);
    const stop = await s.run('continue');
    assert.equal(stop.reason, 'breakpoint');
    assert.deepEqual(await topSource(), { path: source, line: LOOP_LINE });
  });

  it('the exact DWARF spelling wins over a suffix match', async () => {
    const c = crate(tmp, { 'src/main.rs': MAIN, 'blinky/main.rs': MAIN });
    await s.launch(fixtureLaunch(BLINKY, { program: c.elf, cwd: c.folder }));
    await s.nextStop();
    assert.equal((await topSource()).path, path.join(c.folder, 'blinky', 'main.rs'));
  });

  it('the user\'s crate wins over a neighbouring folder with the exact spelling', async () => {
    const c = crate(tmp, { 'src/main.rs': MAIN });
    const neighbour = path.join(path.dirname(c.folder), 'other', 'blinky', 'main.rs');
    fs.mkdirSync(path.dirname(neighbour), { recursive: true });
    fs.copyFileSync(MAIN, neighbour);
    await s.launch(fixtureLaunch(BLINKY, { program: c.elf, cwd: c.folder }));
    await s.nextStop();
    assert.equal((await topSource()).path, path.join(c.folder, 'src', 'main.rs'));
  });

  it('two equally good candidates: the file is not guessed, but a breakpoint in either still binds', async () => {
    const c = crate(tmp, { 'src/main.rs': MAIN, 'examples/main.rs': MAIN });
    await s.launch(fixtureLaunch(BLINKY, { program: c.elf, cwd: c.folder }));
    await s.nextStop();
    // Not resolved: the frame keeps the DWARF's relative spelling rather than naming a wrong file.
    const top = await topSource();
    assert.equal(top.line, 54);
    assert.ok(!top.path || !path.isAbsolute(top.path) || !top.path.startsWith(c.folder), `unexpected guess ${top.path}`);
    // The client's path is mapped to the one table file named main.rs that is not on disk.
    const r = await s.dc.setBreakpointsRequest({ source: { path: path.join(c.folder, 'src', 'main.rs') }, breakpoints: [{ line: LOOP_LINE }] });
    assert.equal(r.body.breakpoints[0].verified, true, r.body.breakpoints[0].message);
  });

  it('a file whose name is in no line table does not bind', async () => {
    const c = crate(tmp, { 'src/main.rs': MAIN, 'src/other.rs': MAIN });
    await s.launch(fixtureLaunch(BLINKY, { program: c.elf, cwd: c.folder }));
    await s.nextStop();
    const r = await s.dc.setBreakpointsRequest({ source: { path: path.join(c.folder, 'src', 'other.rs') }, breakpoints: [{ line: LOOP_LINE }] });
    assert.equal(r.body.breakpoints[0].verified, false);
  });

  it('the fixture\'s own layout is unchanged (blinky/main.rs next to the ELF)', async () => {
    await s.launch(fixtureLaunch(BLINKY));
    await s.nextStop();
    assert.equal((await topSource()).path, MAIN);
  });
});
