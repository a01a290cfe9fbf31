#!/usr/bin/python3
"""Unicorn side of the differential CPU test (see harness.ts for the TypeScript side).

One long-lived process: reads batches of test cases on stdin, runs each one on unicorn, writes the
results on stdout. Binary, little-endian, fixed-size records so neither side parses text.

Request batch:
    magic b'UCB1', u32 case count
    4096 bytes: code window image (mapped at CODE_BASE)
    4096 bytes: data window image (mapped at DATA_BASE)
    count x CASE:  u32 r0..r12, sp, lr, pc, xpsr;  u8 halfword count;  u8 steps;  u16 pad;  8 x u16 code
Response batch:
    u32 byte length of the rest, then count x:
    u8 status (0 ran, 1 unicorn error, 2 interrupt hook), u8 detail (error number / intno),
    u16 number of changed bytes, u32 r0..r12, sp, lr, pc, xpsr, then per changed byte: u32 address, u8 value
A zero-count batch ends the process.

Every case starts from the batch images with the case's code written at pc, so memory differences
are reported against that starting state. steps == 1 runs one instruction (count=1); steps > 1 runs
a straight-line sequence up to its end address (used for IT blocks, which unicorn counts together
with the instructions that follow them — see KNOWN-DEVIATIONS.md), followed by a NOP.
"""
import ctypes
import struct
import sys

import unicorn as U
import unicorn.arm_const as A

CODE_BASE = 0x08000000
DATA_BASE = 0x20000000
WINDOW = 0x1000

CASE = struct.Struct('<17IBBH8H')
RESULT = struct.Struct('<BBH17I')
CHANGE = struct.Struct('<IB')
NOP = struct.pack('<H', 0xbf00)
REGS = [getattr(A, 'UC_ARM_REG_R%d' % i) for i in range(13)] + [A.UC_ARM_REG_SP, A.UC_ARM_REG_LR, A.UC_ARM_REG_PC]


class RegisterFile:
    """r0-r12, sp, lr, pc, xPSR moved with one uc_reg_{read,write}_batch call each way (the
    per-register binding calls dominate the per-case cost otherwise)."""

    def __init__(self, uc):
        self.uc = uc
        self.ids = REGS + [A.UC_ARM_REG_XPSR]
        n = len(self.ids)
        self.values = (ctypes.c_uint32 * n)()
        base = ctypes.addressof(self.values)
        self.c_ids = (ctypes.c_int * n)(*self.ids)
        self.c_ptrs = (ctypes.c_void_p * n)(*[base + 4 * i for i in range(n)])
        lib = getattr(U.unicorn, '_uc', None)
        self.batch = lib is not None and hasattr(lib, 'uc_reg_write_batch') and hasattr(lib, 'uc_reg_read_batch')
        if self.batch:
            self.lib = lib
            for fn in (lib.uc_reg_write_batch, lib.uc_reg_read_batch):
                fn.restype = ctypes.c_int
                fn.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_void_p), ctypes.c_int]

    def write(self, values):
        """values: r0..r12, sp, lr, (pc ignored: emu_start sets it), xpsr."""
        if self.batch:
            self.values[:] = values
            # pc is written too; emu_start overrides it with the start address.
            if self.lib.uc_reg_write_batch(self.uc._uch, self.c_ids, self.c_ptrs, len(self.ids)) != 0:
                raise RuntimeError('uc_reg_write_batch failed')
        else:
            for reg, value in zip(self.ids, values):
                self.uc.reg_write(reg, value)

    def read(self):
        if self.batch:
            if self.lib.uc_reg_read_batch(self.uc._uch, self.c_ids, self.c_ptrs, len(self.ids)) != 0:
                raise RuntimeError('uc_reg_read_batch failed')
            return list(self.values)
        return [self.uc.reg_read(reg) for reg in self.ids]


def changes(base_addr, before, after, out):
    """Append (address, new byte) for every byte that differs, lowest address first."""
    x = int.from_bytes(before, 'little') ^ int.from_bytes(after, 'little')
    while x:
        bit = (x & -x).bit_length() - 1
        i = bit >> 3
        out.append((base_addr + i, after[i]))
        x &= ~(0xff << (i << 3))


def main():
    uc = U.Uc(U.UC_ARCH_ARM, U.UC_MODE_THUMB | U.UC_MODE_MCLASS)
    uc.mem_map(CODE_BASE, WINDOW)
    uc.mem_map(DATA_BASE, WINDOW)
    interrupt = []

    def on_interrupt(uc_, intno, _user):
        interrupt.append(intno)
        uc_.emu_stop()

    uc.hook_add(U.UC_HOOK_INTR, on_interrupt)
    stdin = sys.stdin.buffer
    stdout = sys.stdout.buffer
    registers = RegisterFile(uc)

    while True:
        header = stdin.read(8)
        if len(header) < 8:
            return
        magic, count = struct.unpack('<4sI', header)
        if magic != b'UCB1':
            raise SystemExit('oracle.py: bad batch magic %r' % magic)
        if count == 0:
            return
        code_img = stdin.read(WINDOW)
        data_img = stdin.read(WINDOW)
        raw = stdin.read(CASE.size * count)
        uc.mem_write(CODE_BASE, code_img)
        uc.ctl_remove_cache(CODE_BASE, CODE_BASE + WINDOW)
        uc.mem_write(DATA_BASE, data_img)
        out = []
        for fields in CASE.iter_unpack(raw):
            pc = fields[15]
            nhw = fields[17]
            steps = fields[18]
            code = struct.pack('<%dH' % nhw, *fields[20:20 + nhw])
            off = pc - CODE_BASE
            end = pc + len(code)
            if steps > 1:
                # A NOP after a sequence (the TypeScript side writes it too): unicorn sometimes
                # runs one instruction past `until` when an IT block ends in a skipped
                # instruction; it then runs this NOP, and pc is moved back to the end below.
                code += NOP
            uc.mem_write(pc, code)
            uc.ctl_remove_cache(pc, pc + len(code))
            registers.write(fields[0:17])
            del interrupt[:]
            status = 0
            detail = 0
            try:
                # until = the end of the case's code: a branch leaves through count, straight-line
                # code through until. Always giving both matters for speed: an until address that
                # is never mapped, or switching between count and no count, makes unicorn flush
                # its translation cache (milliseconds per call). count is an upper bound only:
                # unicorn counts an IT block with the instructions it covers as one.
                uc.emu_start(pc | 1, end, 0, max(1, steps))
            except U.UcError as e:
                status = 1
                detail = e.errno
            if interrupt:
                status = 2
                detail = interrupt[0] & 0xff
            regs_and_xpsr = registers.read()
            if steps > 1 and status == 0 and regs_and_xpsr[15] == end + 2:
                regs_and_xpsr[15] = end
            changed = []
            code_now = uc.mem_read(CODE_BASE, WINDOW)
            code_start = code_img[:off] + code + code_img[off + len(code):]
            if code_now != code_start:
                changes(CODE_BASE, code_start, code_now, changed)
            data_now = uc.mem_read(DATA_BASE, WINDOW)
            if data_now != data_img:
                changes(DATA_BASE, data_img, data_now, changed)
                uc.mem_write(DATA_BASE, data_img)
            if code_now != code_start:
                uc.mem_write(CODE_BASE, code_img)
                uc.ctl_remove_cache(CODE_BASE, CODE_BASE + WINDOW)
            else:
                uc.mem_write(pc, code_img[off:off + len(code)])
            out.append(RESULT.pack(status, detail, len(changed), *regs_and_xpsr))
            for address, value in changed:
                out.append(CHANGE.pack(address, value))
        body = b''.join(out)
        stdout.write(struct.pack('<I', len(body)))
        stdout.write(body)
        stdout.flush()


if __name__ == '__main__':
    main()
