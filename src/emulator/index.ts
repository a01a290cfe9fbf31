// Public surface of the emulator library: `new Machine(chip)`, load an ELF, reset, step/run,
// read/write memory and registers, observe output, faults, exit and pins.

export { Machine, MachineError, registerNames } from './machine';
export type { DataBreakpointAccess, DataBreakpointHit, ExecutionEngine, MachineOptions, RegisterName, RunOptions, RunResult, StopReason, TimedDevice } from './machine';
export { chipById, boardById, chipForBoard, chips, boards, UnknownIdError, cpuidFor, coreHasFpu } from './chips/index';
export type { BoardDescription, ChipDescription, CoreType, FlashDescription, PeripheralBlockDescription, SramDescription } from './chips/index';
export { explainFault } from './fault-explanation';
export type { FaultBit, FaultExplanation, StackedFrame } from './fault-explanation';
export { Exc, ExceptionModel, exceptionName, Cfsr, Hfsr } from './exceptions';
export type { FaultRecord } from './exceptions';
export {
  Semihosting, SemihostingOp, NodeSemihostingFileSystem, MemorySemihostingFileSystem, SemihostingFsError,
  ADP_STOPPED_APPLICATION_EXIT, Errno,
} from './semihosting';
export type { OpenMode, SemihostingFileSystem, SemihostingHost } from './semihosting';
export { Bus } from './bus';
export type { AccessSize, MemoryDevice } from './bus';
export { Cpu } from './cpu/cpu';
export type { Profile } from './cpu/cpu';
export { GuestFault, FaultKind } from './cpu/fault';
