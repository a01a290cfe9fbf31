// Semihosting ("Semihosting for AArch32 and AArch64", ARM IHI 0089): the firmware executes
// BKPT 0xAB with the operation number in r0 and a pointer to an argument block (or a single
// argument) in r1; the result comes back in r0.
//
// Host files are reached only through the SemihostingFileSystem interface, so the emulator works
// without Node's fs (tests use an in-memory one). The Node implementation confines every path to a
// working directory, refusing paths that leave it through ".." or symbolic links.

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { Bus } from './bus';
import type { Cpu } from './cpu/cpu';

export const enum SemihostingOp {
  SYS_OPEN = 0x01,
  SYS_CLOSE = 0x02,
  SYS_WRITEC = 0x03,
  SYS_WRITE0 = 0x04,
  SYS_WRITE = 0x05,
  SYS_READ = 0x06,
  SYS_READC = 0x07,
  SYS_ISERROR = 0x08,
  SYS_ISTTY = 0x09,
  SYS_SEEK = 0x0a,
  SYS_FLEN = 0x0c,
  SYS_TMPNAM = 0x0d,
  SYS_REMOVE = 0x0e,
  SYS_RENAME = 0x0f,
  SYS_CLOCK = 0x10,
  SYS_TIME = 0x11,
  SYS_SYSTEM = 0x12,
  SYS_ERRNO = 0x13,
  SYS_GET_CMDLINE = 0x15,
  SYS_HEAPINFO = 0x16,
  SYS_EXIT = 0x18,
  SYS_EXIT_EXTENDED = 0x20,
  SYS_ELAPSED = 0x30,
  SYS_TICKFREQ = 0x31,
}

/** Reason code ADP_Stopped_ApplicationExit: SYS_EXIT with it means success. */
export const ADP_STOPPED_APPLICATION_EXIT = 0x20026;

/** errno values reported through SYS_ERRNO (the usual newlib/Linux numbers). */
export const Errno = { ENOENT: 2, EIO: 5, EBADF: 9, EACCES: 13, EEXIST: 17, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, EMFILE: 24, ENOSPC: 28, ENOSYS: 38 } as const;

export class SemihostingFsError extends Error {
  constructor(readonly errno: number, message: string) {
    super(message);
    this.name = 'SemihostingFsError';
  }
}

export type OpenMode = 'r' | 'r+' | 'w' | 'w+' | 'a' | 'a+';

/** Host file access for semihosting. Methods throw SemihostingFsError on failure. */
export interface SemihostingFileSystem {
  open(path: string, mode: OpenMode): number;
  close(handle: number): void;
  /** Read up to `length` bytes at `position`. */
  read(handle: number, position: number, length: number): Uint8Array;
  /** Write at `position`; returns the bytes written. */
  write(handle: number, position: number, data: Uint8Array): number;
  size(handle: number): number;
  remove(path: string): void;
  rename(from: string, to: string): void;
}

export interface SemihostingHost {
  cpu: Cpu;
  /** Console output (":tt" handles, SYS_WRITEC, SYS_WRITE0). */
  output(text: string, stream: 'stdout' | 'stderr'): void;
  /** Next console input byte, or -1 at end of input. */
  input(): number;
  /** SYS_EXIT / SYS_EXIT_EXTENDED. */
  exit(code: number): void;
  /** Simulated time. */
  cycles(): number;
  clockHz: number;
  /** [heap base, heap limit, stack base, stack limit] for SYS_HEAPINFO. */
  heapInfo(): [number, number, number, number];
  commandLine(): string;
  fileSystem: SemihostingFileSystem | null;
  /** Wall-clock milliseconds since the epoch (SYS_TIME). */
  now(): number;
  warn(message: string): void;
}

const STDIN = 1;
const STDOUT = 2;
const STDERR = 3;
const FIRST_FILE_HANDLE = 4;
/** ":semihosting-features": magic "SHFB" + feature byte (bit 0 SYS_EXIT_EXTENDED, bit 1 stdout/stderr). */
const FEATURES = new Uint8Array([0x53, 0x48, 0x46, 0x42, 0x03]);

const OPEN_MODES: readonly OpenMode[] = ['r', 'r', 'r+', 'r+', 'w', 'w', 'w+', 'w+', 'a', 'a', 'a+', 'a+'];

interface OpenFile {
  hostHandle: number;
  position: number;
  append: boolean;
  /** In-memory contents (the features pseudo-file). */
  memory?: Uint8Array;
}

export class Semihosting {
  private readonly files = new Map<number, OpenFile>();
  private nextHandle = FIRST_FILE_HANDLE;
  private errno = 0;
  private readonly decoders = { stdout: new TextDecoder('utf-8'), stderr: new TextDecoder('utf-8') };

  constructor(private readonly host: SemihostingHost) {}

  private get bus(): Bus {
    return this.host.cpu.bus;
  }

  reset(): void {
    for (const [, f] of this.files) this.closeFile(f);
    this.files.clear();
    this.nextHandle = FIRST_FILE_HANDLE;
    this.errno = 0;
  }

  /** Perform the call described by r0/r1 and put the result in r0. */
  call(): void {
    const cpu = this.host.cpu;
    cpu.r[0] = this.dispatch(cpu.r[0], cpu.r[1]) >>> 0;
  }

  private arg(block: number, index: number): number {
    return this.bus.read32((block + 4 * index) >>> 0);
  }

  private readBytes(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.bus.read8((address + i) >>> 0);
    return out;
  }

  private writeBytes(address: number, data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) this.bus.write8((address + i) >>> 0, data[i]);
  }

  private readString(address: number, length: number): string {
    return new TextDecoder('utf-8').decode(this.readBytes(address, length));
  }

  private readCString(address: number, limit = 1 << 20): Uint8Array {
    const bytes: number[] = [];
    for (let i = 0; i < limit; i++) {
      const b = this.bus.read8((address + i) >>> 0);
      if (b === 0) break;
      bytes.push(b);
    }
    return Uint8Array.from(bytes);
  }

  private emit(stream: 'stdout' | 'stderr', data: Uint8Array): void {
    const text = this.decoders[stream].decode(data, { stream: true });
    if (text.length > 0) this.host.output(text, stream);
  }

  private fail(errno: number): number {
    this.errno = errno;
    return -1;
  }

  private fsCall<T, E>(action: () => T, onError: E): T | E {
    try {
      return action();
    } catch (e) {
      if (e instanceof SemihostingFsError) {
        this.errno = e.errno;
        return onError;
      }
      throw e;
    }
  }

  private dispatch(op: number, r1: number): number {
    const host = this.host;
    switch (op) {
      case SemihostingOp.SYS_OPEN: return this.open(this.arg(r1, 0), this.arg(r1, 1), this.arg(r1, 2));
      case SemihostingOp.SYS_CLOSE: {
        const handle = this.arg(r1, 0);
        if (handle >= STDIN && handle <= STDERR) return 0;
        const file = this.files.get(handle);
        if (!file) return this.fail(Errno.EBADF);
        this.files.delete(handle);
        return this.closeFile(file) ? 0 : -1;
      }
      case SemihostingOp.SYS_WRITEC:
        this.emit('stdout', Uint8Array.of(this.bus.read8(r1)));
        return r1;
      case SemihostingOp.SYS_WRITE0:
        this.emit('stdout', this.readCString(r1));
        return r1;
      case SemihostingOp.SYS_WRITE: return this.write(this.arg(r1, 0), this.arg(r1, 1), this.arg(r1, 2));
      case SemihostingOp.SYS_READ: return this.read(this.arg(r1, 0), this.arg(r1, 1), this.arg(r1, 2));
      case SemihostingOp.SYS_READC: {
        const c = host.input();
        return c < 0 ? -1 : c & 0xff;
      }
      case SemihostingOp.SYS_ISERROR: return (this.arg(r1, 0) | 0) < 0 ? 1 : 0;
      case SemihostingOp.SYS_ISTTY: {
        const handle = this.arg(r1, 0);
        if (handle >= STDIN && handle <= STDERR) return 1;
        return this.files.has(handle) ? 0 : this.fail(Errno.EBADF);
      }
      case SemihostingOp.SYS_SEEK: {
        const file = this.files.get(this.arg(r1, 0));
        if (!file) return this.fail(Errno.EBADF);
        file.position = this.arg(r1, 1);
        return 0;
      }
      case SemihostingOp.SYS_FLEN: {
        const handle = this.arg(r1, 0);
        if (handle >= STDIN && handle <= STDERR) return 0;
        const file = this.files.get(handle);
        if (!file) return this.fail(Errno.EBADF);
        return this.fileSize(file);
      }
      case SemihostingOp.SYS_TMPNAM: return this.fail(Errno.EACCES); // no host temporary files
      case SemihostingOp.SYS_REMOVE: {
        const fsys = host.fileSystem;
        if (!fsys) return this.fail(Errno.EACCES);
        const name = this.readString(this.arg(r1, 0), this.arg(r1, 1));
        const result = this.fsCall(() => { fsys.remove(name); return 0; }, -1);
        return result === 0 ? 0 : this.errno;
      }
      case SemihostingOp.SYS_RENAME: {
        const fsys = host.fileSystem;
        if (!fsys) return this.fail(Errno.EACCES);
        const from = this.readString(this.arg(r1, 0), this.arg(r1, 1));
        const to = this.readString(this.arg(r1, 2), this.arg(r1, 3));
        const result = this.fsCall(() => { fsys.rename(from, to); return 0; }, -1);
        return result === 0 ? 0 : this.errno;
      }
      case SemihostingOp.SYS_CLOCK: return Math.floor((host.cycles() * 100) / host.clockHz);
      case SemihostingOp.SYS_TIME: return Math.floor(host.now() / 1000);
      case SemihostingOp.SYS_SYSTEM: return this.fail(Errno.EACCES); // never run host commands
      case SemihostingOp.SYS_ERRNO: return this.errno;
      case SemihostingOp.SYS_GET_CMDLINE: {
        const buffer = this.arg(r1, 0);
        const size = this.arg(r1, 1);
        const bytes = new TextEncoder().encode(host.commandLine());
        if (bytes.length + 1 > size) return this.fail(Errno.EINVAL);
        this.writeBytes(buffer, bytes);
        this.bus.write8((buffer + bytes.length) >>> 0, 0);
        this.bus.write32((r1 + 4) >>> 0, bytes.length);
        return 0;
      }
      case SemihostingOp.SYS_HEAPINFO: {
        // r1 points to a word holding the address of a four-word block to fill.
        const block = this.bus.read32(r1);
        const info = host.heapInfo();
        for (let i = 0; i < 4; i++) this.bus.write32((block + 4 * i) >>> 0, info[i]);
        return 0;
      }
      case SemihostingOp.SYS_EXIT:
        // AArch32: r1 is the reason code itself; only ApplicationExit means success.
        host.exit(r1 === ADP_STOPPED_APPLICATION_EXIT ? 0 : 1);
        return 0;
      case SemihostingOp.SYS_EXIT_EXTENDED: {
        const reason = this.arg(r1, 0);
        const subcode = this.arg(r1, 1);
        host.exit(reason === ADP_STOPPED_APPLICATION_EXIT ? subcode | 0 : 1);
        return 0;
      }
      case SemihostingOp.SYS_ELAPSED: {
        const ticks = host.cycles();
        this.bus.write32(r1, ticks % 0x100000000);
        this.bus.write32((r1 + 4) >>> 0, Math.floor(ticks / 0x100000000));
        return 0;
      }
      case SemihostingOp.SYS_TICKFREQ: return host.clockHz;
      default:
        host.warn(`unsupported semihosting operation 0x${op.toString(16)}`);
        return this.fail(Errno.ENOSYS);
    }
  }

  private open(nameAddress: number, mode: number, length: number): number {
    const name = this.readString(nameAddress, length);
    if (mode > 11) return this.fail(Errno.EINVAL);
    if (name === ':tt') return mode < 4 ? STDIN : mode < 8 ? STDOUT : STDERR;
    if (name === ':semihosting-features') {
      if (mode >= 2) return this.fail(Errno.EACCES);
      return this.addFile({ hostHandle: -1, position: 0, append: false, memory: FEATURES });
    }
    const fsys = this.host.fileSystem;
    if (!fsys) return this.fail(Errno.EACCES);
    const openMode = OPEN_MODES[mode];
    const hostHandle = this.fsCall(() => fsys.open(name, openMode), -1);
    if (hostHandle === -1) return -1;
    return this.addFile({ hostHandle, position: 0, append: openMode[0] === 'a' });
  }

  private addFile(file: OpenFile): number {
    const handle = this.nextHandle++;
    this.files.set(handle, file);
    return handle;
  }

  private closeFile(file: OpenFile): boolean {
    if (file.memory || !this.host.fileSystem) return true;
    const fsys = this.host.fileSystem;
    return this.fsCall(() => { fsys.close(file.hostHandle); return true; }, false) === true;
  }

  private fileSize(file: OpenFile): number {
    if (file.memory) return file.memory.length;
    const fsys = this.host.fileSystem;
    if (!fsys) return this.fail(Errno.EBADF);
    return this.fsCall(() => fsys.size(file.hostHandle), -1);
  }

  /** SYS_WRITE returns the number of bytes NOT written. */
  private write(handle: number, address: number, length: number): number {
    const data = this.readBytes(address, length);
    if (handle === STDOUT || handle === STDERR) {
      this.emit(handle === STDOUT ? 'stdout' : 'stderr', data);
      return 0;
    }
    const file = this.files.get(handle);
    const fsys = this.host.fileSystem;
    if (!file || file.memory || !fsys) {
      this.errno = Errno.EBADF;
      return length;
    }
    const position = file.append ? this.fileSize(file) : file.position;
    const written = this.fsCall(() => fsys.write(file.hostHandle, position, data), -1);
    if (written < 0) return length;
    file.position = position + written;
    return length - written;
  }

  /** SYS_READ returns the number of bytes NOT read (length at end of file). */
  private read(handle: number, address: number, length: number): number {
    if (handle === STDIN) {
      // Console input is line-buffered: stop after a newline.
      let count = 0;
      while (count < length) {
        const c = this.host.input();
        if (c < 0) break;
        this.bus.write8((address + count) >>> 0, c);
        count++;
        if (c === 0x0a) break;
      }
      return length - count;
    }
    const file = this.files.get(handle);
    if (!file) {
      this.errno = Errno.EBADF;
      return -1;
    }
    let data: Uint8Array;
    if (file.memory) {
      data = file.memory.subarray(Math.min(file.position, file.memory.length), Math.min(file.position + length, file.memory.length));
    } else {
      const fsys = this.host.fileSystem;
      if (!fsys) return this.fail(Errno.EBADF);
      const result = this.fsCall(() => fsys.read(file.hostHandle, file.position, length), null);
      if (result === null || typeof result === 'number') return -1;
      data = result;
    }
    this.writeBytes(address, data);
    file.position += data.length;
    return length - data.length;
  }
}

// ---- host file systems ---------------------------------------------------------------------------

const ERRNO_BY_CODE: Readonly<Record<string, number>> = {
  ENOENT: Errno.ENOENT, EACCES: Errno.EACCES, EPERM: Errno.EACCES, EEXIST: Errno.EEXIST, ENOTDIR: Errno.ENOTDIR,
  EISDIR: Errno.EISDIR, EINVAL: Errno.EINVAL, EMFILE: Errno.EMFILE, ENOSPC: Errno.ENOSPC, EBADF: Errno.EBADF,
};

function hostError(e: unknown): SemihostingFsError {
  const code = (e as { code?: string }).code ?? '';
  return new SemihostingFsError(ERRNO_BY_CODE[code] ?? Errno.EIO, (e as Error).message);
}

/** Semihosting files on the host, confined to `workingDirectory`. */
export class NodeSemihostingFileSystem implements SemihostingFileSystem {
  private readonly root: string;

  constructor(workingDirectory: string) {
    this.root = fs.realpathSync(workingDirectory);
  }

  /** The real host path for a guest path, following symbolic links component by component the
   *  way the OS would; refused (EACCES) unless it stays inside the working directory. */
  resolve(guestPath: string): string {
    if (guestPath.length === 0 || guestPath.includes('\0')) throw new SemihostingFsError(Errno.ENOENT, 'empty path');
    let current = nodePath.isAbsolute(guestPath) ? nodePath.parse(nodePath.resolve(guestPath)).root : this.root;
    const parts = guestPath.split(/[\\/]+/).filter((p) => p.length > 0 && p !== '.');
    let missing = false;
    for (const part of parts) {
      if (part === '..') {
        current = nodePath.dirname(current);
        continue;
      }
      const next = nodePath.join(current, part);
      if (!missing) {
        try {
          current = fs.realpathSync(next);
          continue;
        } catch {
          missing = true; // the rest does not exist yet (a file to create)
        }
      }
      current = next;
    }
    const relative = nodePath.relative(this.root, current);
    if (relative.startsWith('..') || nodePath.isAbsolute(relative)) {
      throw new SemihostingFsError(Errno.EACCES, `'${guestPath}' is outside the semihosting working directory ${this.root}`);
    }
    return current;
  }

  open(path: string, mode: OpenMode): number {
    const real = this.resolve(path);
    try {
      return fs.openSync(real, mode);
    } catch (e) {
      throw hostError(e);
    }
  }
  close(handle: number): void {
    try { fs.closeSync(handle); } catch (e) { throw hostError(e); }
  }
  read(handle: number, position: number, length: number): Uint8Array {
    const buffer = new Uint8Array(length);
    try {
      const n = fs.readSync(handle, buffer, 0, length, position);
      return buffer.subarray(0, n);
    } catch (e) {
      throw hostError(e);
    }
  }
  write(handle: number, position: number, data: Uint8Array): number {
    try { return fs.writeSync(handle, data, 0, data.length, position); } catch (e) { throw hostError(e); }
  }
  size(handle: number): number {
    try { return fs.fstatSync(handle).size; } catch (e) { throw hostError(e); }
  }
  remove(path: string): void {
    const real = this.resolve(path);
    try { fs.unlinkSync(real); } catch (e) { throw hostError(e); }
  }
  rename(from: string, to: string): void {
    const a = this.resolve(from);
    const b = this.resolve(to);
    try { fs.renameSync(a, b); } catch (e) { throw hostError(e); }
  }
}

/** Files kept in memory (tests, sandboxes): a flat name → bytes map. */
export class MemorySemihostingFileSystem implements SemihostingFileSystem {
  readonly files = new Map<string, Uint8Array>();
  private readonly open_ = new Map<number, string>();
  private next = 100;

  private normalise(path: string): string {
    const parts: string[] = [];
    for (const p of path.split('/')) {
      if (p === '' || p === '.') continue;
      if (p === '..') {
        if (parts.length === 0) throw new SemihostingFsError(Errno.EACCES, `'${path}' leaves the working directory`);
        parts.pop();
      } else parts.push(p);
    }
    return parts.join('/');
  }

  open(path: string, mode: OpenMode): number {
    const name = this.normalise(path);
    if (!this.files.has(name)) {
      if (mode === 'r' || mode === 'r+') throw new SemihostingFsError(Errno.ENOENT, `${name}: no such file`);
      this.files.set(name, new Uint8Array(0));
    } else if (mode === 'w' || mode === 'w+') {
      this.files.set(name, new Uint8Array(0));
    }
    const handle = this.next++;
    this.open_.set(handle, name);
    return handle;
  }
  private nameOf(handle: number): string {
    const name = this.open_.get(handle);
    if (name === undefined) throw new SemihostingFsError(Errno.EBADF, 'bad handle');
    return name;
  }
  close(handle: number): void {
    this.nameOf(handle);
    this.open_.delete(handle);
  }
  read(handle: number, position: number, length: number): Uint8Array {
    const data = this.files.get(this.nameOf(handle)) ?? new Uint8Array(0);
    return data.slice(position, position + length);
  }
  write(handle: number, position: number, data: Uint8Array): number {
    const name = this.nameOf(handle);
    const old = this.files.get(name) ?? new Uint8Array(0);
    const grown = new Uint8Array(Math.max(old.length, position + data.length));
    grown.set(old);
    grown.set(data, position);
    this.files.set(name, grown);
    return data.length;
  }
  size(handle: number): number {
    return (this.files.get(this.nameOf(handle)) ?? new Uint8Array(0)).length;
  }
  remove(path: string): void {
    const name = this.normalise(path);
    if (!this.files.delete(name)) throw new SemihostingFsError(Errno.ENOENT, `${name}: no such file`);
  }
  rename(from: string, to: string): void {
    const a = this.normalise(from);
    const data = this.files.get(a);
    if (!data) throw new SemihostingFsError(Errno.ENOENT, `${a}: no such file`);
    this.files.delete(a);
    this.files.set(this.normalise(to), data);
  }
}
