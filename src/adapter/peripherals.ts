// The peripheral register view of a debug session: the device's CMSIS-SVD (launch.json `svdFile`,
// else the chip's bundled one) as a tree of peripherals → clusters → registers → fields, their
// values read with peek (never with read side effects: showing USART2.DR must not clear RXNE),
// what changed since the last stop, edits that respect each field's access and
// modifiedWriteValues, and the write history the register models keep, with the writing PC mapped
// to a source line.
//
// The session forwards three custom requests here (cortex-m-sim/peripherals, /writeRegister,
// /registerHistory) and the "Peripherals" scope of the Variables view. The payload types are
// exported for the webview; they are plain JSON.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { parseSvd, type SvdAccess, type SvdCluster, type SvdDevice, type SvdField, type SvdModifiedWriteValues, type SvdRegister } from '../debuginfo/svd';
import type { ChipDescription } from '../emulator/chips/chip';
import type { WriteRecord } from '../emulator/peripherals/register-block';
import type { Target } from './target';
import type {
  EnumValueInfo, FieldInfo, RegisterInfo, ClusterInfo, PeripheralInfo, PeripheralTree, PeripheralValues, PeripheralsResponse,
  PeripheralsArguments, RegisterSelector, WriteRegisterArguments, WriteRegisterResponse, HistoryRecord, RegisterHistoryResponse, PeripheralVariableRef,
} from './peripherals-protocol';

export type * from './peripherals-protocol';


// ---- bundled SVD files ----------------------------------------------------------------------------

/** The bundled SVD the chip description names (ChipDescription.svd), or undefined. Looked for in
 *  media/svd above this file (src/adapter under tests, dist/ in the packaged extension). */
export function bundledSvdPath(chip: ChipDescription): string | undefined {
  const file = chip.svd;
  if (!file) return undefined;
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    const candidate = path.join(dir, 'media', 'svd', file);
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  return undefined;
}

const parsedSvds = new Map<string, { mtimeMs: number; device: SvdDevice }>();

/** Parses an SVD file once per modification time (restarts and new sessions reuse it). The parse
 *  is synchronous (about 0.35 s of CPU per 10 MB of vendor SVD): with the default out-of-process
 *  adapter that pauses only the adapter; with the inline adapter (the "debugAdapter": "inline"
 *  development setting) it pauses the extension host for as long, once per file. */
export function loadSvd(file: string): SvdDevice {
  const mtimeMs = fs.statSync(file).mtimeMs;
  const cached = parsedSvds.get(file);
  if (cached && cached.mtimeMs === mtimeMs) return cached.device;
  const device = parseSvd(fs.readFileSync(file, 'utf8'), file);
  parsedSvds.set(file, { mtimeMs, device });
  return device;
}

// ---- values, formatting, write planning (pure; unit-tested) ---------------------------------------

export function fieldMask(width: number): number {
  return width >= 32 ? 0xffffffff : ((1 << width) - 1) >>> 0;
}

export function fieldValue(register: number, field: { lsb: number; width: number }): number {
  return ((register >>> field.lsb) & fieldMask(field.width)) >>> 0;
}

/** The enumerated value naming `value` as read (a default entry names everything unlisted). */
export function enumName(field: FieldInfo, value: number): string | undefined {
  for (const e of field.enums) {
    if (e.usage !== 'write' && e.value === value) return e.name;
  }
  return undefined;
}

export function isReadable(access: SvdAccess): boolean {
  return access !== 'write-only';
}

function isWritable(access: SvdAccess): boolean {
  return access !== 'read-only';
}

/** Parses a value typed by a user: decimal, 0x…, 0b…, or (for a field) an enumerated value's name. */
export function parseValue(text: number | string, field?: FieldInfo): number {
  if (typeof text === 'number') {
    if (!Number.isInteger(text)) throw new Error(`'${text}' is not an integer`);
    return text >>> 0;
  }
  const t = text.trim().replace(/_/g, '');
  if (/^0x[0-9a-f]+$/i.test(t)) return Number.parseInt(t.slice(2), 16) >>> 0;
  if (/^0b[01]+$/i.test(t)) return Number.parseInt(t.slice(2), 2) >>> 0;
  if (/^\d+$/.test(t)) return Number(t) >>> 0;
  if (field) {
    const byName = field.enums.find((e) => e.usage !== 'read' && e.name.toLowerCase() === t.toLowerCase())
      ?? field.enums.find((e) => e.name.toLowerCase() === t.toLowerCase());
    if (byName) return byName.value;
    const names = field.enums.filter((e) => e.usage !== 'read').map((e) => e.name);
    throw new Error(`'${text}' is not a number${names.length ? ` or one of ${names.join(', ')}` : ''}`);
  }
  throw new Error(`'${text}' is not a number (decimal, 0x… or 0b…)`);
}

/**
 * The bits to write into a field so that, given its modifiedWriteValues, it ends up as `desired`
 * (CMSIS-SVD "modifiedWriteValues": what writing a 1 or 0 does to the stored bit). Throws when
 * the field cannot reach that value by a write (setting a oneToClear flag, say).
 */
export function fieldWriteBits(mode: SvdModifiedWriteValues | undefined, current: number, desired: number, width: number, name: string): number {
  const mask = fieldMask(width);
  current &= mask;
  desired &= mask;
  const toSet = desired & ~current & mask;
  const toClear = current & ~desired & mask;
  switch (mode) {
    case 'oneToClear':
      if (toSet !== 0) throw new Error(`${name} is cleared by writing 1 (oneToClear); it cannot be set from the debugger`);
      return toClear;
    case 'zeroToClear':
      if (toSet !== 0) throw new Error(`${name} is cleared by writing 0 (zeroToClear); it cannot be set from the debugger`);
      return ~toClear & mask;
    case 'oneToSet':
      if (toClear !== 0) throw new Error(`${name} is set by writing 1 (oneToSet); it cannot be cleared from the debugger`);
      return toSet;
    case 'zeroToSet':
      if (toClear !== 0) throw new Error(`${name} is set by writing 0 (zeroToSet); it cannot be cleared from the debugger`);
      return ~toSet & mask;
    case 'oneToToggle':
      return (toSet | toClear) & mask;
    case 'zeroToToggle':
      return ~(toSet | toClear) & mask;
    default:
      return desired;
  }
}

/** The bits of a field to write so that it does not change (read-modify-write of the others). */
export function neutralFieldBits(mode: SvdModifiedWriteValues | undefined, access: SvdAccess, current: number, width: number): number {
  const mask = fieldMask(width);
  switch (mode) {
    case 'oneToClear': case 'oneToSet': case 'oneToToggle': return 0;
    case 'zeroToClear': case 'zeroToSet': case 'zeroToToggle': return mask;
  }
  // A write-only field reads as nothing useful: writing 0 is what "leave it alone" means there.
  if (access === 'write-only') return 0;
  return current & mask;
}

/**
 * The word to write to `register` so that `field` becomes `desired` (or gets `desired` written,
 * when raw) while every other field stays as it is.
 */
export function planFieldWrite(register: RegisterInfo, current: number, field: FieldInfo, desired: number, raw: boolean): number {
  const mask = fieldMask(field.width);
  if (desired > mask) throw new Error(`${field.name} is ${field.width} bit${field.width === 1 ? '' : 's'} wide: ${desired} does not fit`);
  let word = current >>> 0;
  let covered = 0;
  for (const f of register.fields) {
    const m = (fieldMask(f.width) << f.lsb) >>> 0;
    covered |= m;
    const mode = f.modifiedWriteValues ?? register.modifiedWriteValues;
    const bits = f === field
      ? raw ? desired : fieldWriteBits(mode, fieldValue(current, f), desired, f.width, `${register.qualifiedName}.${f.name}`)
      : neutralFieldBits(mode, f.access, fieldValue(current, f), f.width);
    word = ((word & ~m) | ((bits << f.lsb) & m)) >>> 0;
  }
  // Reserved bits (in no field): keep them as read, or 0 when the register cannot be read.
  if (!isReadable(register.access)) word &= covered;
  return word >>> 0;
}

export function hexWidth(bits: number): number {
  return Math.max(1, Math.ceil(bits / 4));
}

export function formatRegister(value: number | null, size: number, access: SvdAccess): string {
  if (value === null) return access === 'write-only' ? '<write-only>' : '<not readable>';
  return '0x' + (value >>> 0).toString(16).padStart(hexWidth(size), '0');
}

export function formatField(field: FieldInfo, value: number, hex: boolean): string {
  const name = enumName(field, value);
  const shown = field.width === 1 ? String(value) : hex ? '0x' + value.toString(16) : String(value);
  return name ? `${shown} (${name})` : shown;
}

// ---- the tree from the SVD model ------------------------------------------------------------------

function fieldInfo(f: SvdField): FieldInfo {
  const enums: EnumValueInfo[] = [];
  for (const e of f.enumerations) {
    for (const v of e.values) {
      if (v.value === undefined || v.isDefault) continue;
      enums.push({ name: v.name, value: v.value, description: v.description, usage: e.usage });
    }
  }
  return {
    name: f.name, description: f.description, lsb: f.lsb, width: f.width, access: f.access,
    readAction: f.readAction, modifiedWriteValues: f.modifiedWriteValues, enums,
  };
}

function buildTree(device: SvdDevice, svdFile: string): { tree: PeripheralTree; registers: RegisterInfo[] } {
  const registers: RegisterInfo[] = [];
  const reg = (peripheral: string, r: SvdRegister): RegisterInfo => {
    const info: RegisterInfo = {
      id: registers.length, name: r.name, qualifiedName: `${peripheral}.${r.path}`, description: r.description,
      address: r.address >>> 0, size: r.size, access: r.access, resetValue: r.resetValue >>> 0,
      readAction: r.readAction, modifiedWriteValues: r.modifiedWriteValues,
      fields: [...r.fields].sort((a, b) => b.lsb - a.lsb).map(fieldInfo),
    };
    registers.push(info);
    return info;
  };
  const cluster = (peripheral: string, c: SvdCluster): ClusterInfo => ({
    name: c.name, description: c.description, address: c.address >>> 0,
    registers: c.registers.map((r) => reg(peripheral, r)),
    clusters: c.clusters.map((cc) => cluster(peripheral, cc)),
  });
  const peripherals: PeripheralInfo[] = device.peripherals.map((p) => ({
    name: p.name, description: p.description, groupName: p.groupName, baseAddress: p.baseAddress >>> 0, derivedFrom: p.derivedFrom,
    registers: p.registers.map((r) => reg(p.name, r)),
    clusters: p.clusters.map((c) => cluster(p.name, c)),
  }));
  return { tree: { device: device.name, svdFile, peripherals, registerCount: registers.length }, registers };
}

// ---- the view -------------------------------------------------------------------------------------

interface DebuggerWrite {
  address: number;
  cycle: number;
  pc: number;
  written: number;
}

const DEBUGGER_WRITES_KEPT = 256;

export class PeripheralView {
  private loaded = false;
  private tree: PeripheralTree | null = null;
  private registers: RegisterInfo[] = [];
  private byName = new Map<string, RegisterInfo>();
  private loadError: string | undefined;
  /** Values at the last stop and at the stop before (NaN: unreadable). */
  private atLastStop: Float64Array | null = null;
  private atPreviousStop: Float64Array | null = null;
  private stopCount = 0;
  private readonly debuggerWrites: DebuggerWrite[] = [];

  constructor(
    private readonly target: Target,
    private readonly chip: ChipDescription,
    /** launch.json svdFile (resolved), else the chip's bundled SVD is used. */
    private readonly svdFile: string | undefined,
  ) {}

  /** Parses the SVD on first use (a launch without panels never pays for it). */
  private ensureLoaded(): void {
    if (this.loaded) return;
    this.loaded = true;
    const file = this.svdFile ?? bundledSvdPath(this.chip);
    if (!file) {
      this.loadError = `no SVD file for ${this.chip.name}: set "svdFile" in launch.json to the vendor's SVD`;
      return;
    }
    try {
      const { tree, registers } = buildTree(loadSvd(file), file);
      this.tree = tree;
      this.registers = registers;
      for (const r of registers) this.byName.set(r.qualifiedName.toUpperCase(), r);
      // Loaded at a stop (the first panel request): that stop is the baseline for the next one.
      if (this.target.state !== 'running') this.atLastStop = this.snapshot();
    } catch (e) {
      this.loadError = `cannot load SVD '${file}': ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /** Whether there is anything to show (the Variables view adds the scope only then). */
  get available(): boolean {
    this.ensureLoaded();
    return this.tree !== null;
  }

  get error(): string | undefined {
    this.ensureLoaded();
    return this.loadError;
  }

  // ---- values ---------------------------------------------------------------------------------------

  /** A register's value as a peek reads it: no read side effects. Null when not readable. */
  peekRegister(r: RegisterInfo): number | null {
    if (!isReadable(r.access)) return null;
    const size = r.size <= 8 ? 1 : r.size <= 16 ? 2 : 4;
    const v = this.target.machine.peek(r.address, size);
    return v === null ? null : v >>> 0;
  }

  private snapshot(): Float64Array {
    const out = new Float64Array(this.registers.length);
    for (let i = 0; i < this.registers.length; i++) {
      const v = this.peekRegister(this.registers[i]);
      out[i] = v === null ? NaN : v;
    }
    return out;
  }

  /** The target stopped: remember the values, to tell what the next stop changed. */
  onStopped(): void {
    this.stopCount++;
    if (!this.loaded || this.tree === null) return;
    this.atPreviousStop = this.atLastStop;
    this.atLastStop = this.snapshot();
  }

  values(): PeripheralValues {
    this.ensureLoaded();
    const now = this.snapshot();
    const running = this.target.state === 'running';
    // While running, compare with the last stop; at a stop, with the stop before it.
    const baseline = running ? this.atLastStop : this.atPreviousStop;
    const values: (number | null)[] = new Array(now.length);
    const changed: number[] = [];
    const changedFrom: (number | null)[] = [];
    for (let i = 0; i < now.length; i++) {
      const v = now[i];
      values[i] = Number.isNaN(v) ? null : v;
      if (baseline && !Object.is(baseline[i], v)) {
        changed.push(i);
        changedFrom.push(Number.isNaN(baseline[i]) ? null : baseline[i]);
      }
    }
    return { state: this.target.state, stopCount: this.stopCount, values, changed, changedFrom };
  }

  peripheralsRequest(args: PeripheralsArguments = {}): PeripheralsResponse {
    this.ensureLoaded();
    if (!this.tree) return { tree: null, error: this.loadError };
    const out: PeripheralsResponse = {};
    if (args.tree !== false) out.tree = this.tree;
    if (args.values !== false) Object.assign(out, this.values());
    return out;
  }

  // ---- lookup ---------------------------------------------------------------------------------------

  findRegister(sel: RegisterSelector): RegisterInfo {
    this.ensureLoaded();
    if (!this.tree) throw new Error(this.loadError ?? 'no SVD');
    let r: RegisterInfo | undefined;
    if (sel.id !== undefined) r = this.registers[sel.id];
    else if (sel.register !== undefined) r = this.byName.get(sel.register.trim().toUpperCase());
    else if (sel.address !== undefined) {
      const a = sel.address >>> 0;
      r = this.registers.find((x) => x.address === a && isReadable(x.access)) ?? this.registers.find((x) => x.address === a);
    }
    if (!r) throw new Error(`no register ${sel.register ?? (sel.address !== undefined ? '0x' + (sel.address >>> 0).toString(16) : `#${sel.id}`)} in ${this.tree.device}`);
    return r;
  }

  // ---- writes ---------------------------------------------------------------------------------------

  writeRegister(args: WriteRegisterArguments): WriteRegisterResponse {
    const target = this.target;
    if (target.running) throw new Error('registers can only be changed while the firmware is stopped');
    const r = this.findRegister(args);
    if (!isWritable(r.access)) throw new Error(`${r.qualifiedName} is read-only`);
    let word: number;
    if (args.field !== undefined) {
      const field = r.fields.find((f) => f.name.toUpperCase() === args.field!.trim().toUpperCase());
      if (!field) throw new Error(`${r.qualifiedName} has no field ${args.field}`);
      if (!isWritable(field.access)) throw new Error(`${r.qualifiedName}.${field.name} is read-only`);
      const value = parseValue(args.value, field);
      word = planFieldWrite(r, this.peekRegister(r) ?? 0, field, value, args.raw === true);
    } else {
      word = parseValue(args.value);
      if (r.size < 32 && word > fieldMask(r.size)) throw new Error(`${r.qualifiedName} is ${r.size} bits wide: 0x${word.toString(16)} does not fit`);
    }
    const size = r.size <= 8 ? 1 : r.size <= 16 ? 2 : 4;
    const m = target.machine;
    if (!m.poke(r.address, size, word)) throw new Error(`${r.qualifiedName} (0x${r.address.toString(16)}) is not mapped`);
    this.debuggerWrites.push({ address: r.address, cycle: m.cpu.cycles, pc: m.cpu.pc >>> 0, written: word });
    if (this.debuggerWrites.length > DEBUGGER_WRITES_KEPT) this.debuggerWrites.shift();
    target.invalidateFrames();
    return { value: this.peekRegister(r), written: word };
  }

  // ---- history --------------------------------------------------------------------------------------

  registerHistory(sel: RegisterSelector): RegisterHistoryResponse {
    const r = this.findRegister(sel);
    const m = this.target.machine;
    const device = m.peripherals.find((p) => r.address >= p.description.base && r.address < p.description.base + p.description.size);
    const withHistory = device as unknown as { writeHistory?: (offset: number) => WriteRecord[] } | undefined;
    const records: HistoryRecord[] = [];
    if (device && typeof withHistory?.writeHistory === 'function') {
      const offset = (r.address - device.description.base) & ~3;
      const shift = (r.address & 3) * 8;
      for (const w of withHistory.writeHistory(offset)) {
        const byDebugger = this.debuggerWrites.some((d) => d.address === r.address && d.cycle === w.cycle && d.pc === w.pc && ((w.written >>> shift) & fieldMask(r.size)) === (d.written & fieldMask(r.size)));
        const rec: HistoryRecord = { ...w, byDebugger };
        if (shift !== 0 || r.size < 32) {
          const mask = fieldMask(r.size);
          rec.before = (w.before >>> shift) & mask;
          rec.after = (w.after >>> shift) & mask;
          rec.written = (w.written >>> shift) & mask;
        }
        const where = this.sourceOf(w.pc);
        if (where.function) rec.function = where.function;
        if (where.source) rec.source = where.source;
        if (where.inlinedFrom) rec.inlinedFrom = where.inlinedFrom;
        records.push(rec);
      }
    }
    return { register: r.qualifiedName, address: r.address, records, clockHz: m.coreClockHz };
  }

  /**
   * Where a write came from, as the firmware's author would name it: the function symbol (no
   * offset) and the line in that function. A register write is usually a volatile write inlined
   * from a helper or a library (core::ptr::write_volatile); the line reported is then the call site
   * in the physical function, and the innermost line is kept as `inlinedFrom`.
   */
  private sourceOf(pc: number): { function?: string; source?: { path: string; line: number }; inlinedFrom?: { path: string; line: number } } {
    const program = this.target.program;
    const name = program.symbolNameAt(pc)?.replace(/\+\d+$/, '');
    const inner = program.sourceAt(pc);
    const innermost = inner ? { path: inner.path, line: inner.line } : undefined;
    const chain = program.functionsAt(pc);
    if (chain.length >= 2 && chain[0].inlined) {
      const outerCall = chain[chain.length - 2];
      if (outerCall.callFile !== undefined && outerCall.callLine !== undefined) {
        return { function: name, source: { path: program.resolvePath(outerCall.callFile), line: outerCall.callLine }, inlinedFrom: innermost };
      }
    }
    return { function: name, source: innermost };
  }

  // ---- custom requests ------------------------------------------------------------------------------

  static readonly commands: readonly string[] = ['cortex-m-sim/peripherals', 'cortex-m-sim/writeRegister', 'cortex-m-sim/registerHistory'];

  /** Answers one of `commands`; throws with a message for the user on bad arguments. */
  handleRequest(command: string, args: unknown): unknown {
    const a = (args ?? {}) as Record<string, unknown>;
    switch (command) {
      case 'cortex-m-sim/peripherals': return this.peripheralsRequest(a as PeripheralsArguments);
      case 'cortex-m-sim/writeRegister': return this.writeRegister(a as unknown as WriteRegisterArguments);
      case 'cortex-m-sim/registerHistory': return this.registerHistory(a as RegisterSelector);
    }
    throw new Error(`unknown request ${command}`);
  }

  // ---- the Variables view's "Peripherals" scope -------------------------------------------------------

  /**
   * The children of a Peripherals-scope node. `handle` makes a variablesReference for a child
   * node (the session owns the handle table, which it resets at every stop).
   */
  variables(ref: PeripheralVariableRef, handle: (ref: PeripheralVariableRef) => number, hex = true): DebugProtocol.Variable[] {
    this.ensureLoaded();
    const tree = this.tree;
    if (!tree) return [];
    const hex8 = (v: number) => '0x' + (v >>> 0).toString(16).padStart(8, '0');
    const registerVariable = (r: RegisterInfo): DebugProtocol.Variable => {
      const v: DebugProtocol.Variable = {
        name: r.name,
        value: formatRegister(this.peekRegister(r), r.size, r.access),
        type: `${r.access} @ ${hex8(r.address)}`,
        variablesReference: r.fields.length > 0 ? handle({ level: 'register', id: r.id }) : 0,
        memoryReference: hex8(r.address),
      };
      if (r.access === 'read-only') v.presentationHint = { attributes: ['readOnly'] };
      return v;
    };
    const clusterVariable = (c: ClusterInfo): DebugProtocol.Variable => ({
      name: c.name, value: hex8(c.address), type: c.description, variablesReference: handle({ level: 'cluster', cluster: c }),
    });
    switch (ref.level) {
      case 'root':
        return tree.peripherals.map((p, index) => ({
          name: p.name,
          value: hex8(p.baseAddress),
          type: p.description ?? p.groupName,
          variablesReference: handle({ level: 'peripheral', index }),
          memoryReference: hex8(p.baseAddress),
        }));
      case 'peripheral': {
        const p = tree.peripherals[ref.index];
        return p ? [...p.clusters.map(clusterVariable), ...p.registers.map(registerVariable)] : [];
      }
      case 'cluster':
        return [...ref.cluster.clusters.map(clusterVariable), ...ref.cluster.registers.map(registerVariable)];
      case 'register': {
        const r = this.registers[ref.id];
        if (!r) return [];
        const value = this.peekRegister(r);
        return r.fields.map((f) => {
          const bits = f.width === 1 ? `[${f.lsb}]` : `[${f.lsb + f.width - 1}:${f.lsb}]`;
          const v: DebugProtocol.Variable = {
            name: f.name,
            value: value === null ? '<write-only>' : formatField(f, fieldValue(value, f), hex),
            type: `${bits} ${f.access}${f.modifiedWriteValues ? ' ' + f.modifiedWriteValues : ''}`,
            variablesReference: 0,
          };
          if (f.access === 'read-only') v.presentationHint = { attributes: ['readOnly'] };
          return v;
        });
      }
    }
  }

  /** setVariable on a register (child of a peripheral or cluster) or a field (child of a register). */
  setVariable(ref: PeripheralVariableRef, name: string, value: string, hex = true): string {
    this.ensureLoaded();
    const tree = this.tree;
    if (!tree) throw new Error(this.loadError ?? 'no SVD');
    switch (ref.level) {
      case 'register': {
        const r = this.registers[ref.id];
        if (!r) throw new Error('stale register reference');
        const result = this.writeRegister({ id: r.id, field: name, value });
        const f = r.fields.find((x) => x.name === name)!;
        return result.value === null ? '<write-only>' : formatField(f, fieldValue(result.value, f), hex);
      }
      case 'peripheral':
      case 'cluster': {
        const list = ref.level === 'cluster' ? ref.cluster.registers : tree.peripherals[ref.index]?.registers ?? [];
        const r = list.find((x) => x.name === name);
        if (!r) throw new Error(`'${name}' is not a register here`);
        const result = this.writeRegister({ id: r.id, value });
        return formatRegister(result.value, r.size, r.access);
      }
      default:
        throw new Error(`'${name}' is a peripheral; set one of its registers`);
    }
  }
}
