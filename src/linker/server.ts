// The linker-script language server (dist/linker-server.js; `node --import tsx src/linker/server.ts
// --stdio` in tests). It wires the pure features in ./language to the protocol: documents are
// re-analysed when they change, the linked ELF is found next to the crate (or configured), and every
// handler answers something harmless rather than throwing, whatever the text.

import * as fs from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, type InitializeParams, type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { readElf } from '../debuginfo/elf';
import { analyze, type Analysis, type LinkedProgram } from './language/analysis';
import { completion } from './language/completion';
import { definition } from './language/definition';
import { computeDiagnostics } from './language/diagnostics';
import { findCargoRoot, findElfForScript, type LocatorFileSystem } from './language/elf-locator';
import { foldingRanges } from './language/folding';
import { hover } from './language/hover';
import { documentSymbols } from './language/outline';

/** initializationOptions, and the `cortex-m-sim.linker` settings section. */
export interface LinkerServerSettings {
  /** The linked ELF to check scripts against (absolute, or relative to the first workspace folder). */
  elf?: string;
  /** Extra INCLUDE search directories (like ld's -L). */
  searchPaths?: string[];
}

const MAX_FILE_BYTES = 4 * 1024 * 1024;

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let settings: LinkerServerSettings = {};
let workspaceRoots: string[] = [];

function uriToPath(uri: string): string {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
  } catch {
    return uri;
  }
}

function pathToUri(path: string): string {
  return pathToFileURL(path).toString();
}

const diskFs: LocatorFileSystem = {
  readFile(path) {
    try {
      const st = fs.statSync(path);
      if (!st.isFile() || st.size > MAX_FILE_BYTES) return undefined;
      return fs.readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  list(dir) {
    try {
      return fs.readdirSync(dir);
    } catch {
      return [];
    }
  },
  fileTime(path) {
    try {
      const st = fs.statSync(path);
      return st.isFile() ? st.mtimeMs : undefined;
    } catch {
      return undefined;
    }
  },
};

/** Open editors win over the disk, so an unsaved memory.x is what link.x includes. */
function readFile(path: string): string | undefined {
  const open = documents.get(pathToUri(path));
  if (open) return open.getText();
  return diskFs.readFile(path);
}

// ---- the linked ELF ------------------------------------------------------------------------------

const elfCache = new Map<string, { time: number; elf: LinkedProgram | undefined }>();

function loadElf(path: string): LinkedProgram | undefined {
  const time = diskFs.fileTime(path);
  if (time === undefined) return undefined;
  const cached = elfCache.get(path);
  if (cached && cached.time === time) return cached.elf;
  let elf: LinkedProgram | undefined;
  try {
    elf = readElf(fs.readFileSync(path), path);
  } catch (e) {
    connection.console.warn(`cannot read ${path} as an ELF: ${e instanceof Error ? e.message : String(e)}`);
  }
  elfCache.set(path, { time, elf });
  return elf;
}

function elfPathFor(scriptPath: string): string | undefined {
  if (settings.elf) {
    return isAbsolute(settings.elf) ? settings.elf : resolve(workspaceRoots[0] ?? dirname(scriptPath), settings.elf);
  }
  return findElfForScript(scriptPath, diskFs);
}

/** INCLUDE search path: configured, then the crate root and the directories above the script up to
 *  it (a crate's memory.x sits at its root while the generated link.x lives elsewhere), then the
 *  workspace folders. */
function searchPathsFor(scriptPath: string): string[] {
  const out = [...(settings.searchPaths ?? []).map((p) => (isAbsolute(p) ? p : resolve(workspaceRoots[0] ?? '.', p)))];
  const cargoRoot = findCargoRoot(dirname(scriptPath), diskFs);
  let d = dirname(scriptPath);
  for (let i = 0; i < 4; i++) {
    const up = dirname(d);
    if (up === d) break;
    d = up;
    out.push(d);
    if (d === cargoRoot || workspaceRoots.includes(d)) break;
  }
  if (cargoRoot) out.push(cargoRoot);
  out.push(...workspaceRoots);
  return [...new Set(out)];
}

// ---- analysis cache ------------------------------------------------------------------------------

const analyses = new Map<string, { version: number; analysis: Analysis }>();

function analysisOf(uri: string): Analysis | undefined {
  const doc = documents.get(uri);
  if (!doc) return undefined;
  const cached = analyses.get(uri);
  if (cached && cached.version === doc.version) return cached.analysis;
  const path = uriToPath(uri);
  const elfPath = elfPathFor(path);
  const analysis = analyze(path, doc.getText(), {
    readFile, searchPaths: searchPathsFor(path), elf: elfPath ? loadElf(elfPath) : undefined,
  });
  analyses.set(uri, { version: doc.version, analysis });
  return analysis;
}

function validate(uri: string): void {
  try {
    const a = analysisOf(uri);
    const version = documents.get(uri)?.version;
    if (a) void connection.sendDiagnostics({ uri, version, diagnostics: computeDiagnostics(a) });
  } catch (e) {
    connection.console.error(`linker-script analysis failed for ${uri}: ${e instanceof Error ? e.stack : String(e)}`);
    void connection.sendDiagnostics({ uri, diagnostics: [] });
  }
}

/** Runs a handler; a bug in one feature answers `fallback` and is logged, never kills the server. */
function safely<T>(what: string, fallback: T, f: () => T): T {
  try {
    return f();
  } catch (e) {
    connection.console.error(`${what} failed: ${e instanceof Error ? e.stack : String(e)}`);
    return fallback;
  }
}

// ---- protocol --------------------------------------------------------------------------------------

connection.onInitialize((params: InitializeParams): InitializeResult => {
  settings = normaliseSettings(params.initializationOptions);
  workspaceRoots = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri));
  if (workspaceRoots.length === 0 && params.rootUri) workspaceRoots = [uriToPath(params.rootUri)];
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      definitionProvider: true,
      documentSymbolProvider: true,
      foldingRangeProvider: true,
      completionProvider: { triggerCharacters: ['>', '(', ' '] },
    },
    serverInfo: { name: 'cortex-m-sim linker-script server' },
  };
});

function normaliseSettings(raw: unknown): LinkerServerSettings {
  const out: LinkerServerSettings = {};
  if (raw && typeof raw === 'object') {
    const r = raw as Record<string, unknown>;
    if (typeof r.elf === 'string' && r.elf !== '') out.elf = r.elf;
    if (Array.isArray(r.searchPaths)) out.searchPaths = r.searchPaths.filter((p): p is string => typeof p === 'string');
  }
  return out;
}

function revalidateAll(): void {
  analyses.clear();
  for (const d of documents.all()) validate(d.uri);
}

connection.onDidChangeConfiguration((params) => {
  const section = (params.settings as Record<string, unknown> | undefined)?.['cortex-m-sim'] as Record<string, unknown> | undefined;
  if (section && 'linker' in section) settings = normaliseSettings(section.linker);
  revalidateAll();
});

// A change to one file (memory.x) changes the analysis of the files that include it.
documents.onDidChangeContent((e) => {
  for (const d of documents.all()) {
    if (d.uri !== e.document.uri) analyses.delete(d.uri);
  }
  for (const d of documents.all()) validate(d.uri);
});
documents.onDidClose((e) => {
  analyses.delete(e.document.uri);
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});
connection.onDidChangeWatchedFiles(() => revalidateAll());

connection.onHover((p) => safely('hover', null, () => {
  const a = analysisOf(p.textDocument.uri);
  return a ? hover(a, a.file, p.position.line, p.position.character) : null;
}));

connection.onDefinition((p) => safely('definition', [], () => {
  const a = analysisOf(p.textDocument.uri);
  if (!a) return [];
  return definition(a, a.file, p.position.line, p.position.character).map((t) => ({ uri: pathToUri(t.file), range: t.range }));
}));

connection.onDocumentSymbol((p) => safely('documentSymbol', [], () => {
  const a = analysisOf(p.textDocument.uri);
  return a ? documentSymbols(a) : [];
}));

connection.onFoldingRanges((p) => safely('foldingRange', [], () => {
  const a = analysisOf(p.textDocument.uri);
  return a ? foldingRanges(a.script) : [];
}));

connection.onCompletion((p) => safely('completion', [], () => {
  const a = analysisOf(p.textDocument.uri);
  return a ? completion(a, a.script.text, p.position.line, p.position.character) : [];
}));

documents.listen(connection);
connection.listen();
