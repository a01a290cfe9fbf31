// Faults raised while executing an instruction. An instruction (or the bus) throws a GuestFault;
// the executor abandons the instruction and hands the fault to the exception model, which turns it
// into MemManage/BusFault/UsageFault or HardFault (ARMv7-M ARM B1.5.14 "Fault behavior").

export const enum FaultKind {
  // UsageFault (CFSR bits 16..25)
  UndefinedInstruction = 'UNDEFINSTR',
  InvalidState = 'INVSTATE',
  InvalidPc = 'INVPC',
  NoCoprocessor = 'NOCP',
  Unaligned = 'UNALIGNED',
  DivideByZero = 'DIVBYZERO',
  // BusFault (CFSR bits 8..15)
  InstructionBusError = 'IBUSERR',
  PreciseDataBusError = 'PRECISERR',
  ImpreciseDataBusError = 'IMPRECISERR',
  UnstackingBusError = 'UNSTKERR',
  StackingBusError = 'STKERR',
  // MemManage (CFSR bits 0..7)
  InstructionAccessViolation = 'IACCVIOL',
  DataAccessViolation = 'DACCVIOL',
}

export class GuestFault extends Error {
  constructor(
    readonly kind: FaultKind,
    /** Faulting data address, for PRECISERR / DACCVIOL / UNALIGNED (BFAR / MMFAR). */
    readonly address?: number,
    readonly detail?: string,
  ) {
    super(`${kind}${address !== undefined ? ` at 0x${(address >>> 0).toString(16).padStart(8, '0')}` : ''}${detail ? `: ${detail}` : ''}`);
    this.name = 'GuestFault';
  }
}
