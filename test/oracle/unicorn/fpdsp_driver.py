#!/usr/bin/python3
# Runs single DSP / floating-point instructions on unicorn's Cortex-M4 model for the differential
# tests in test/oracle/unicorn-dsp.test.ts and unicorn-fpu.test.ts.
#
# Input (file given as argv[1]): records of little-endian u32 words:
#   hw1|hw2<<16, r0..r12, sp, apsr, fpscr, s0..s31            (1 + 13 + 1 + 1 + 1 + 32 = 49 words)
# Output (stdout, binary): per record
#   status (0 ok, 1 unicorn error), r0..r12, sp, pc, apsr, fpscr, s0..s31, nchanged,
#   then nchanged pairs (address, value) of data words that differ from the initial pattern.
# Memory: code at CODE + 16 * record (the instruction, then NOPs; PC is reported as if at CODE), data RAM at DATA filled with a fixed pattern.
import struct
import sys
from unicorn import Uc, UcError, UC_ARCH_ARM, UC_MODE_THUMB, UC_MODE_MCLASS
from unicorn.arm_const import *

CODE = 0x1000
DATA = 0x20000000
DATA_SIZE = 0x1000
REC_WORDS = 49

def pattern():
    words = [((i * 0x9E3779B1) ^ 0x5A5A5A5A) & 0xFFFFFFFF for i in range(DATA_SIZE // 4)]
    return struct.pack('<%dI' % len(words), *words)

def main():
    data = open(sys.argv[1], 'rb').read()
    uc = Uc(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS)
    # argv[2] 'm7' selects the Cortex-M7 model (FPv5 single-precision instructions; its double
    # precision is not implemented in unicorn 2.0.1).
    uc.ctl_set_cpu_model(UC_CPU_ARM_CORTEX_M7 if sys.argv[2:] == ['m7'] else UC_CPU_ARM_CORTEX_M4)
    nrec = len(data) // (REC_WORDS * 4)
    # Each instruction gets its own 16-byte slot so that no translated code is ever invalidated.
    code_size = (CODE + 16 * nrec + 0x10000) & ~0xFFFF
    uc.mem_map(0, code_size)
    unpack = struct.Struct('<%dI' % REC_WORDS).unpack_from
    nop4 = b'\x00\xbf' * 6
    code = bytearray()
    for k in range(nrec):
        w0 = unpack(data, k * REC_WORDS * 4)[0]
        code += struct.pack('<HH', w0 & 0xFFFF, w0 >> 16) + nop4
    uc.mem_write(CODE, bytes(code))
    uc.mem_map(DATA, 0x10000)
    # CONTROL.FPCA = 1: an FP context is already active, so the first FP instruction does not load
    # FPSCR from FPDSCR (our side sets the same state).
    uc.reg_write(UC_ARM_REG_CONTROL, 4)
    uc.mem_write(0, b'\xb0\xee\x40\x0a')  # vmov.f32 s0, s0: warms the FP context up once
    uc.emu_start(1, 4, count=1)
    initial = pattern()
    uc.mem_write(DATA, initial)
    regs = [UC_ARM_REG_R0 + i for i in range(13)]
    sregs = [UC_ARM_REG_S0 + i for i in range(32)]
    out = sys.stdout.buffer
    for k in range(nrec):
        w = unpack(data, k * REC_WORDS * 4)
        here = CODE + 16 * k
        for i in range(13):
            uc.reg_write(regs[i], w[1 + i])
        uc.reg_write(UC_ARM_REG_SP, w[14])
        uc.reg_write(UC_ARM_REG_APSR_NZCVQG, w[15])
        uc.reg_write(UC_ARM_REG_FPSCR, w[16])
        for i in range(32):
            uc.reg_write(sregs[i], w[17 + i])
        status = 0
        try:
            uc.emu_start(here | 1, here + 12, count=1)
        except UcError:
            status = 1
        res = [status] + [uc.reg_read(r) for r in regs]
        res += [uc.reg_read(UC_ARM_REG_SP), (uc.reg_read(UC_ARM_REG_PC) - 16 * k) & 0xFFFFFFFF, uc.reg_read(UC_ARM_REG_XPSR) & 0xF80F0000,
                uc.reg_read(UC_ARM_REG_FPSCR)]
        res += [uc.reg_read(r) for r in sregs]
        mem = bytes(uc.mem_read(DATA, DATA_SIZE))
        changed = []
        if mem != initial:
            for i in range(0, DATA_SIZE, 4):
                if mem[i:i + 4] != initial[i:i + 4]:
                    changed += [DATA + i, struct.unpack_from('<I', mem, i)[0]]
            uc.mem_write(DATA, initial)
        res.append(len(changed) // 2)
        res += changed
        out.write(struct.pack('<%dI' % len(res), *[x & 0xFFFFFFFF for x in res]))
    out.flush()

main()
