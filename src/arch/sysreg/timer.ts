// Generic timer registers (Arm ARM D11, "The Generic Timer in AArch64 state"; arm-facts §8).
// Counters read virtual time from the board (PeHost.counter: retired instructions scaled to
// CNTFRQ). The timers themselves are storage plus the architected TVAL/ISTATUS arithmetic;
// raising the timer interrupts is the timer model's job (it extends this module).
import type { Pe } from '../pe.js';
import { registerSysRegs } from './catalogue.js';
import { Access, type SysRegDef } from './types.js';
import { reg, lazySr, M64 } from './build.js';

/** 62.5 MHz: what QEMU's Cortex-A57 model reports (checked on QEMU 7.2 -M virt: 0x3b9aca0). */
export const CNTFRQ_HZ = 62_500_000n;

const CNTVOFF = lazySr('CNTVOFF_EL2');

/** CNTPCT_EL0: the physical count. */
export function physicalCount(pe: Pe): bigint {
  return pe.host.counter(pe) & M64;
}

/** CNTVCT_EL0 = CNTPCT_EL0 − CNTVOFF_EL2 (E2H = 0: the offset applies at every EL). */
export function virtualCount(pe: Pe): bigint {
  const off = pe.cfg.hasEl2 ? pe.sys[CNTVOFF()] : 0n;
  return (physicalCount(pe) - off) & M64;
}

/** CNTx_CTL bits. */
export const CTL_ENABLE = 1n;
export const CTL_IMASK = 2n;
export const CTL_ISTATUS = 4n;

/** One EL1/EL2 timer: its CTL/CVAL/TVAL registers and the counter it compares against. */
function timer(
  prefix: string,
  suffix: string,
  op1: number,
  crm: number,
  minEl: 0 | 2,
  count: (pe: Pe) => bigint,
  note: string,
): SysRegDef[] {
  const ctl = lazySr(`${prefix}_CTL_${suffix}`);
  const cval = lazySr(`${prefix}_CVAL_${suffix}`);
  return [
    // TVAL: a signed 32-bit view of CVAL − count; bits [63:32] read as 0 (RES0).
    reg(`${prefix}_TVAL_${suffix}`, 3, op1, 14, crm, 0, minEl, {
      note,
      read: (pe) => (pe.sys[cval()] - count(pe)) & 0xffff_ffffn,
      write: (pe, v) => {
        pe.sys[cval()] = (count(pe) + BigInt.asIntN(32, v)) & M64;
      },
    }),
    // CTL: ENABLE and IMASK are stored; ISTATUS is the condition CVAL ≤ count while enabled.
    reg(`${prefix}_CTL_${suffix}`, 3, op1, 14, crm, 1, minEl, {
      note,
      writeMask: CTL_ENABLE | CTL_IMASK,
      read: (pe) => {
        const c = pe.sys[ctl()];
        const met = (c & CTL_ENABLE) !== 0n && count(pe) >= pe.sys[cval()];
        return met ? c | CTL_ISTATUS : c;
      },
    }),
    reg(`${prefix}_CVAL_${suffix}`, 3, op1, 14, crm, 2, minEl, { note }),
  ];
}

/** CNTFRQ_EL0 is writable only at the highest implemented EL (EL2, or EL1 without EL2). */
function cntfrqCheck(pe: Pe, isRead: boolean): Access {
  if (isRead) return Access.Ok;
  const highest = pe.cfg.hasEl2 ? 2 : 1;
  return pe.el === highest ? Access.Ok : Access.Undef;
}

export const TIMER_SYSREGS: SysRegDef[] = [
  reg('CNTFRQ_EL0', 3, 3, 14, 0, 0, 0, { reset: CNTFRQ_HZ, writeMask: 0xffff_ffffn, check: cntfrqCheck }),
  reg('CNTPCT_EL0', 3, 3, 14, 0, 1, 0, { ro: true, read: physicalCount }),
  reg('CNTVCT_EL0', 3, 3, 14, 0, 2, 0, { ro: true, read: virtualCount }),
  reg('CNTVOFF_EL2', 3, 4, 14, 0, 3, 2),
  // EL0PCTEN, EL0VCTEN, EVNTEN, EVNTDIR, EVNTI, EL0VTEN, EL0PTEN.
  reg('CNTKCTL_EL1', 3, 0, 14, 1, 0, 1, { writeMask: 0x3ffn }),
  // EL1PCTEN, EL1PCEN, EVNTEN, EVNTDIR, EVNTI. Architecturally UNKNOWN at reset; QEMU (7.2,
  // virtualization=on) reads 3 = EL1PCTEN|EL1PCEN (no traps), and so do we.
  reg('CNTHCTL_EL2', 3, 4, 14, 1, 0, 2, { reset: 3n, writeMask: 0xffn }),
  ...timer('CNTP', 'EL0', 3, 2, 0, physicalCount, 'EL1 physical timer (PPI 30)'),
  ...timer('CNTV', 'EL0', 3, 3, 0, virtualCount, 'EL1 virtual timer (PPI 27)'),
  ...timer('CNTHP', 'EL2', 4, 2, 2, physicalCount, 'EL2 physical timer (PPI 26)'),
];

registerSysRegs(TIMER_SYSREGS);
