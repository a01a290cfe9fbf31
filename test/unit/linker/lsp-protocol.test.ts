// The linker-script language server over the real protocol: spawned as its own process, spoken to
// in JSON-RPC over stdio, on the fixtures' memory.x / link.x pair and a vendor-style .ld.

import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection,
  InitializeRequest, InitializedNotification, DidOpenTextDocumentNotification, DidChangeTextDocumentNotification,
  PublishDiagnosticsNotification, HoverRequest, DefinitionRequest, DocumentSymbolRequest, CompletionRequest,
  FoldingRangeRequest, ShutdownRequest, ExitNotification, type PublishDiagnosticsParams, type Hover, type Location,
  type DocumentSymbol, type CompletionItem, type CompletionList, type FoldingRange, type MarkupContent,
} from 'vscode-languageserver-protocol/node';

const ROOT = path.resolve(__dirname, '../../..');
const RUST = path.join(ROOT, 'test/fixtures/firmware/rust');
const LINK_X = path.join(RUST, 'rt/link.x');
const MEMORY_X = path.join(RUST, 'memory.x');
const BLINKY = path.join(RUST, 'blinky.elf');
const M3_LD = path.join(ROOT, 'test/fixtures/firmware/c/m3/link.ld');
const M3_ELF = path.join(ROOT, 'test/fixtures/firmware/c/m3/hello.elf');

const uri = (p: string): string => pathToFileURL(p).toString();

class Client {
  readonly diagnostics = new Map<string, PublishDiagnosticsParams[]>();
  private waiters: { uri: string; version: number; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  private constructor(readonly proc: ChildProcess, readonly conn: ProtocolConnection) {
    conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
      const list = this.diagnostics.get(p.uri) ?? [];
      list.push(p);
      this.diagnostics.set(p.uri, list);
      // A change to one file republishes the others too: wait for the version asked for.
      const match = (x: { uri: string; version: number }): boolean => x.uri === p.uri && x.version === p.version;
      const w = this.waiters.filter(match);
      this.waiters = this.waiters.filter((x) => !match(x));
      for (const x of w) x.resolve(p);
    });
  }

  static async start(initializationOptions: unknown, rootPath = ROOT): Promise<Client> {
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/linker/server.ts'), '--stdio'], {
      cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'],
    });
    const conn = createProtocolConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
    conn.listen();
    const c = new Client(proc, conn);
    await conn.sendRequest(InitializeRequest.type, {
      processId: process.pid, rootUri: uri(rootPath), capabilities: {}, initializationOptions,
      workspaceFolders: [{ uri: uri(rootPath), name: 'root' }],
    });
    await conn.sendNotification(InitializedNotification.type, {});
    return c;
  }

  nextDiagnostics(u: string, version: number): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve) => this.waiters.push({ uri: u, version, resolve }));
  }

  async open(file: string, text = fs.readFileSync(file, 'utf8')): Promise<PublishDiagnosticsParams> {
    const u = uri(file);
    const next = this.nextDiagnostics(u, 1);
    await this.conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: u, languageId: 'linker-script', version: 1, text } });
    return next;
  }

  async change(file: string, version: number, text: string): Promise<PublishDiagnosticsParams> {
    const u = uri(file);
    const next = this.nextDiagnostics(u, version);
    await this.conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: u, version }, contentChanges: [{ text }] });
    return next;
  }

  async stop(): Promise<void> {
    try {
      await this.conn.sendRequest(ShutdownRequest.type);
      await this.conn.sendNotification(ExitNotification.type);
    } catch {
      // already gone
    }
    this.conn.dispose();
    this.proc.kill();
  }
}

/** The zero-based position of the first `needle` (plus `delta` characters) in a file's text. */
function positionOf(text: string, needle: string, delta = 0): { line: number; character: number } {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `'${needle}' not in the text`);
  const before = text.slice(0, i + delta);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}

function messageOf(d: { message: string | MarkupContent }): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}

function hoverText(h: Hover | null): string {
  assert.ok(h, 'no hover');
  return (h.contents as MarkupContent).value;
}

describe('linker-script language server (protocol)', function () {
  this.timeout(30_000);

  describe('Rust memory.x / link.x pair with the blinky ELF', () => {
    let client: Client;
    const linkText = fs.readFileSync(LINK_X, 'utf8');
    const memText = fs.readFileSync(MEMORY_X, 'utf8');
    let linkDiagnostics: PublishDiagnosticsParams;
    let memDiagnostics: PublishDiagnosticsParams;

    before(async () => {
      client = await Client.start({ elf: BLINKY });
      linkDiagnostics = await client.open(LINK_X);
      memDiagnostics = await client.open(MEMORY_X);
    });
    after(() => client.stop());

    it('publishes no errors for the scripts the fixtures were linked with', () => {
      assert.deepEqual(linkDiagnostics.diagnostics.filter((d) => d.severity === 1), []);
      assert.deepEqual(memDiagnostics.diagnostics.filter((d) => d.severity === 1), []);
    });

    it('hovers a region with its size in hex, decimal and KiB and its usage', async () => {
      const h = await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri: uri(MEMORY_X) }, position: positionOf(memText, 'RAM   :', 1) });
      const text = hoverText(h);
      assert.match(text, /0x00020000 \(131072, 128 KiB\)/);
      assert.match(text, /used: .* of 128 KiB/);
      assert.match(text, /\| \.data \| 0x20000000 \| 4 B \|/);
      assert.match(text, /origin: 0x20000000 \(536870912\)\n/);
    });

    it('hovers a symbol with its final value from the ELF', async () => {
      const h = await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri: uri(LINK_X) }, position: positionOf(linkText, '_stack_start =', 2) });
      const text = hoverText(h);
      assert.match(text, /0x20020000/);
      assert.match(text, /blinky\.elf/);
      const sidata = await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri: uri(LINK_X) }, position: positionOf(linkText, '_sidata =', 1) });
      assert.match(hoverText(sidata), /0x080/);
    });

    it('hovers a number in hex, decimal and KiB', async () => {
      const h = await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri: uri(MEMORY_X) }, position: positionOf(memText, '0x08000000', 3) });
      assert.match(hoverText(h), /134217728/);
    });

    it('goes from a region use in link.x to its definition in memory.x', async () => {
      const defs = await client.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri: uri(LINK_X) }, position: positionOf(linkText, '} > FLASH', 4) }) as Location[];
      assert.equal(defs.length, 1);
      assert.equal(defs[0].uri, uri(MEMORY_X));
      assert.equal(defs[0].range.start.line, positionOf(memText, 'FLASH :').line);
    });

    it('goes from a symbol use to its assignment and from INCLUDE to the file', async () => {
      const sym = await client.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri: uri(LINK_X) }, position: positionOf(linkText, 'LONG(_stack_start)', 6) }) as Location[];
      assert.equal(sym[0].uri, uri(LINK_X));
      assert.equal(sym[0].range.start.line, positionOf(linkText, '_stack_start =').line);
      const inc = await client.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri: uri(LINK_X) }, position: positionOf(linkText, 'INCLUDE memory.x', 10) }) as Location[];
      assert.equal(inc[0].uri, uri(MEMORY_X));
    });

    it('lists the outline: SECTIONS with output sections and their symbols', async () => {
      const syms = await client.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: uri(LINK_X) } }) as DocumentSymbol[];
      const sections = syms.find((s) => s.name === 'SECTIONS');
      assert.ok(sections?.children);
      const names = sections.children.map((c) => c.name);
      for (const n of ['.vector_table', '.text', '.rodata', '.data', '.bss']) assert.ok(names.includes(n), `${n} in ${names}`);
      const data = sections.children.find((c) => c.name === '.data');
      assert.deepEqual(data?.children?.map((c) => c.name), ['_sdata', '_edata']);
      assert.match(data?.detail ?? '', /> RAM AT> FLASH/);
      const mem = await client.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: uri(MEMORY_X) } }) as DocumentSymbol[];
      assert.deepEqual(mem[0].children?.map((c) => c.name), ['FLASH', 'RAM']);
    });

    it('completes region names after ">" and keywords elsewhere', async () => {
      const edited = linkText.replace('} > RAM\n\n  /* Start', '} > \n\n  /* Start');
      await client.change(LINK_X, 2, edited);
      const pos = positionOf(edited, '} > \n', 4);
      const res = await client.conn.sendRequest(CompletionRequest.type, { textDocument: { uri: uri(LINK_X) }, position: pos }) as CompletionItem[] | CompletionList;
      const labels = (Array.isArray(res) ? res : res.items).map((i) => i.label);
      assert.deepEqual(labels.sort(), ['FLASH', 'RAM']);
      const top = await client.conn.sendRequest(CompletionRequest.type, { textDocument: { uri: uri(LINK_X) }, position: { line: 0, character: 0 } }) as CompletionItem[];
      const topLabels = top.map((i) => i.label);
      for (const l of ['MEMORY', 'SECTIONS', 'ORIGIN', 'ALIGN', '_stack_start', 'FLASH']) assert.ok(topLabels.includes(l), l);
      await client.change(LINK_X, 3, linkText);
    });

    it('folds SECTIONS, output section bodies and multi-line comments', async () => {
      const ranges = await client.conn.sendRequest(FoldingRangeRequest.type, { textDocument: { uri: uri(LINK_X) } }) as FoldingRange[];
      const sectionsLine = positionOf(linkText, 'SECTIONS').line;
      assert.ok(ranges.some((r) => r.startLine === sectionsLine));
      assert.ok(ranges.some((r) => r.kind === 'comment' && r.startLine === 0));
      assert.ok(ranges.filter((r) => r.kind === undefined).length >= 7);
    });

    it('reports a region too small for the linked program, an unknown region and a failed ASSERT', async () => {
      const tooSmall = memText.replace('LENGTH = 512K', 'LENGTH = 1K');
      const d1 = await client.change(MEMORY_X, 2, tooSmall);
      assert.ok(d1.diagnostics.some((d) => d.severity === 1 && /FLASH/.test(messageOf(d)) && /too small|overflow|will not fit/.test(messageOf(d))), JSON.stringify(d1.diagnostics));
      await client.change(MEMORY_X, 3, memText);
      const broken = linkText.replace('} > RAM AT > FLASH', '} > SRAM AT > FLASH').replace('% 128 == 0', '% 128 == 1');
      const d2 = await client.change(LINK_X, 4, broken);
      assert.ok(d2.diagnostics.some((d) => /memory region 'SRAM' is not defined/.test(messageOf(d))), JSON.stringify(d2.diagnostics));
      assert.ok(d2.diagnostics.some((d) => /ASSERT failed: the vector table/.test(messageOf(d))));
      await client.change(LINK_X, 5, linkText);
    });

    it('reports syntax errors with their position and overlapping regions', async () => {
      const d = await client.change(MEMORY_X, 6, memText.replace('RAM   : ORIGIN = 0x20000000', 'RAM   : ORIGIN = 0x08001000').replace('LENGTH = 512K\n', 'LENGTH = 512K junk junk\n'));
      assert.ok(d.diagnostics.some((x) => /overlaps region 'FLASH'/.test(messageOf(x))), JSON.stringify(d.diagnostics));
      assert.ok(d.diagnostics.some((x) => x.severity === 1 && x.range.start.line === positionOf(memText, 'FLASH :').line));
      await client.change(MEMORY_X, 7, memText);
    });
  });

  describe('vendor-style .ld (MEMORY + INCLUDE sections.ld) found through the ELF setting', () => {
    let client: Client;
    const text = fs.readFileSync(M3_LD, 'utf8');
    after(() => client.stop());

    it('analyses the script and its INCLUDE', async () => {
      client = await Client.start({ elf: M3_ELF, searchPaths: [path.join(ROOT, 'test/fixtures/firmware/c/common')] });
      const d = await client.open(M3_LD);
      assert.deepEqual(d.diagnostics.filter((x) => x.severity === 1), []);
      const h = await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri: uri(M3_LD) }, position: positionOf(text, 'FLASH', 1) });
      assert.match(hoverText(h), /256 KiB/);
      assert.match(hoverText(h), /\.text/);
      const inc = await client.conn.sendRequest(DefinitionRequest.type, { textDocument: { uri: uri(M3_LD) }, position: positionOf(text, 'sections.ld', 1) }) as Location[];
      assert.equal(inc[0].uri, uri(path.join(ROOT, 'test/fixtures/firmware/c/common/sections.ld')));
    });
  });

  describe('ELF discovery from Cargo.toml', () => {
    let client: Client;
    let dir: string;
    after(async () => {
      await client.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('finds target/thumbv*/debug/<crate> above the script', async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsp-cargo-'));
      fs.writeFileSync(path.join(dir, 'Cargo.toml'), '[package]\nname = "blinky"\nversion = "0.1.0"\n');
      fs.copyFileSync(MEMORY_X, path.join(dir, 'memory.x'));
      fs.mkdirSync(path.join(dir, 'target/thumbv7em-none-eabihf/debug'), { recursive: true });
      fs.copyFileSync(BLINKY, path.join(dir, 'target/thumbv7em-none-eabihf/debug/blinky'));
      client = await Client.start({}, dir);
      const memPath = path.join(dir, 'memory.x');
      await client.open(memPath);
      const text = fs.readFileSync(memPath, 'utf8');
      const h = await client.conn.sendRequest(HoverRequest.type, { textDocument: { uri: uri(memPath) }, position: positionOf(text, 'FLASH', 1) });
      assert.match(hoverText(h), /used: .* \(from blinky\)/);
    });
  });
});
