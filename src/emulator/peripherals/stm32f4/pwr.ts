// STM32F411 power controller (RM0383 section 5.4). The regulator is always ready: CSR.VOSRDY
// reads 1 so voltage-scaling loops finish, and BRR (backup regulator ready) follows BRE. Low-power
// modes are the core's WFI/WFE; the stop/standby flavours are not modelled.

import type { PeripheralBlockDescription } from '../../chips/chip';
import type { PeripheralContext, PeripheralDevice } from '../peripheral';
import { RegisterBlock } from '../register-block';

const CR = 0x00, CSR = 0x04;
const CR_CWUF = 1 << 2, CR_CSBF = 1 << 3;
const CSR_WUF = 1 << 0, CSR_SBF = 1 << 1, CSR_BRR = 1 << 3, CSR_BRE = 1 << 9, CSR_VOSRDY = 1 << 14;

export class Pwr extends RegisterBlock {
  constructor(description: PeripheralBlockDescription, context: PeripheralContext) {
    super(description, context);
    this.define([
      {
        name: 'CR', offset: CR, reset: 0x0000c000, writable: 0x0030eff3,
        // CWUF/CSBF are write-1 actions clearing CSR flags; they read as 0.
        write: (value) => {
          let csr = this.stored(CSR);
          if ((value & CR_CWUF) !== 0) csr &= ~CSR_WUF;
          if ((value & CR_CSBF) !== 0) csr &= ~CSR_SBF;
          this.store(CSR, csr);
        },
        fields: [
          { name: 'LPDS', lsb: 0, width: 1 }, { name: 'PDDS', lsb: 1, width: 1 }, { name: 'CWUF', lsb: 2, width: 1, access: 'w' },
          { name: 'CSBF', lsb: 3, width: 1, access: 'w' }, { name: 'PVDE', lsb: 4, width: 1 }, { name: 'PLS', lsb: 5, width: 3 },
          { name: 'DBP', lsb: 8, width: 1 }, { name: 'FPDS', lsb: 9, width: 1 }, { name: 'LPLVDS', lsb: 10, width: 1 },
          { name: 'MRLVDS', lsb: 11, width: 1 }, { name: 'ADCDC1', lsb: 13, width: 1 }, { name: 'VOS', lsb: 14, width: 2 },
          { name: 'FMSSR', lsb: 20, width: 1 }, { name: 'FISSR', lsb: 21, width: 1 },
        ],
      },
      {
        name: 'CSR', offset: CSR, reset: 0, writable: 0x00000300,
        read: (v) => ((v & ~CSR_BRR) | ((v & CSR_BRE) !== 0 ? CSR_BRR : 0) | CSR_VOSRDY) >>> 0,
        fields: [
          { name: 'WUF', lsb: 0, width: 1, access: 'r' }, { name: 'SBF', lsb: 1, width: 1, access: 'r' },
          { name: 'PVDO', lsb: 2, width: 1, access: 'r' }, { name: 'BRR', lsb: 3, width: 1, access: 'r' },
          { name: 'EWUP', lsb: 8, width: 1 }, { name: 'BRE', lsb: 9, width: 1 }, { name: 'VOSRDY', lsb: 14, width: 1, access: 'r' },
        ],
      },
    ]);
  }
}

export function createPwr(description: PeripheralBlockDescription, context: PeripheralContext): PeripheralDevice {
  return new Pwr(description, context);
}
