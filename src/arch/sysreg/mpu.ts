// Armv8-R AArch64 PMSA registers (arm-facts §1.6, §5.2-5.5): MPUIR, PRSELR, PRENR, PRBAR/PRLAR
// and their numbered aliases PRBAR1..15/PRLAR1..15, for the EL1 and the EL2 MPU, plus
// VSCTLR_EL2 (the encoding of TTBR0_EL2, which this profile does not have) and VSTCR_EL2.
// All are `profile: 'R'`: an Armv8-A PE finds no definition for them and they are UNDEFINED.
// The region registers live in the PE's MPU banks (pmsa/state.ts); every write that can change
// what an address maps to drops the PE's fast TLB and fetch window.
import type { Pe } from '../pe.js';
import { registerSysRegs } from './catalogue.js';
import type { SysRegDef } from './types.js';
import { reg, lazySr, bits } from './build.js';
import { pmsaOf } from '../pmsa/state.js';
import { ALIAS_COUNT, aliasEncoding, aliasName, aliasRegion, PRBAR_WRITE_MASK, PRLAR_WRITE_MASK } from '../pmsa/regions.js';

const PRSELR = { 1: lazySr('PRSELR_EL1'), 2: lazySr('PRSELR_EL2') };

/** Something an MPU register write may have changed: forget every cached translation. */
function mpuChanged(pe: Pe, el: 1 | 2): void {
  pmsaOf(pe).bank(el).changed();
  pe.flushTlb();
}

/**
 * PRBAR<n>_ELx / PRLAR<n>_ELx. A selector naming a region the MPU does not implement makes
 * the access RAZ/WI (one of the CONSTRAINED UNPREDICTABLE choices; Xen and Bao never do it).
 */
function regionReg(el: 1 | 2, n: number, lar: boolean): SysRegDef {
  const e = aliasEncoding(el, n, lar);
  const mask = lar ? PRLAR_WRITE_MASK : PRBAR_WRITE_MASK;
  const index = (pe: Pe): number => aliasRegion(Number(pe.sys[PRSELR[el]()]), n);
  return reg(aliasName(el, n, lar), e.op0, e.op1, e.crn, e.crm, e.op2, el, {
    profile: 'R',
    read: (pe) => {
      const bank = pmsaOf(pe).bank(el);
      const i = index(pe);
      if (i >= bank.count) return 0n;
      return lar ? bank.prlar[i] : bank.prbar[i];
    },
    write: (pe, v) => {
      const bank = pmsaOf(pe).bank(el);
      const i = index(pe);
      if (i >= bank.count) return;
      if (lar) bank.prlar[i] = v & mask;
      else bank.prbar[i] = v & mask;
      mpuChanged(pe, el);
    },
  });
}

/** PRENR_ELx: bit n is PRLAR<n>.EN for regions 0..31 (bits of unimplemented regions RAZ/WI). */
function prenr(el: 1 | 2): SysRegDef {
  return reg(`PRENR_EL${el}`, 3, el === 2 ? 4 : 0, 6, 1, 1, el, {
    profile: 'R',
    read: (pe) => {
      const bank = pmsaOf(pe).bank(el);
      let v = 0n;
      for (let i = 0; i < Math.min(32, bank.count); i++) v |= (bank.prlar[i] & 1n) << BigInt(i);
      return v;
    },
    write: (pe, v) => {
      const bank = pmsaOf(pe).bank(el);
      for (let i = 0; i < Math.min(32, bank.count); i++) bank.prlar[i] = (bank.prlar[i] & ~1n) | ((v >> BigInt(i)) & 1n);
      mpuChanged(pe, el);
    },
  });
}

function mpuRegs(el: 1 | 2): SysRegDef[] {
  const op1 = el === 2 ? 4 : 0;
  const out: SysRegDef[] = [
    // MPUIR_ELx.REGION [7:0]: the board's region count.
    reg(`MPUIR_EL${el}`, 3, op1, 0, 0, 4, el, {
      profile: 'R',
      ro: true,
      read: (pe) => BigInt(pmsaOf(pe).bank(el).count),
    }),
    // PRSELR_ELx.REGION [7:0]. Selecting a region changes no mapping: no flush.
    reg(`PRSELR_EL${el}`, 3, op1, 6, 2, 1, el, { profile: 'R', writeMask: 0xffn }),
    prenr(el),
  ];
  for (let n = 0; n < ALIAS_COUNT; n++) out.push(regionReg(el, n, false), regionReg(el, n, true));
  return out;
}

export const MPU_SYSREGS: SysRegDef[] = [
  ...mpuRegs(1),
  ...mpuRegs(2),
  // VSCTLR_EL2: VMID [63:48] tags EL1&0 state per VM (Xen VSCTLR_VMID_SHIFT 48). Nothing
  // is cached per VMID here, but a VMID change must not leave another VM's pages in the fast TLB.
  reg('VSCTLR_EL2', 3, 4, 2, 0, 0, 2, { profile: 'R', writeMask: bits(63, 48), onWrite: (pe) => pe.flushTlb() }),
  // VSTCR_EL2: SA [30] and SC [20] (Xen VSTCR_EL2_SA/SC); stored only: this machine models
  // Secure state alone, so the output address space does not change what memory is reached.
  reg('VSTCR_EL2', 3, 4, 2, 6, 2, 2, { profile: 'R', writeMask: (1n << 30n) | (1n << 20n) }),
];

registerSysRegs(MPU_SYSREGS);
