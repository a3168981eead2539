// Generic timer registers (Arm ARM D11, "The Generic Timer in AArch64 state"; arm-facts §8).
// Counters read virtual time from the board (PeHost.counter: retired instructions scaled to
// CNTFRQ). The timers themselves are storage plus the architected TVAL/ISTATUS arithmetic;
// raising the timer interrupts is the timer model's job (platform/devices/timer.ts): every
// write to a timer register, and every CTL read, tells it through `pe.onTimerChange`.
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

const changed = (pe: Pe): void => pe.onTimerChange?.(pe);

/** The three timers of a PE without EL3 and FEAT_VHE (Arm ARM D11.2.4), in `TIMERS` order. */
export const enum TimerId {
  /** EL1 physical timer CNTP_*_EL0. */
  Phys = 0,
  /** EL1 virtual timer CNTV_*_EL0 (compares against CNTVCT = CNTPCT − CNTVOFF_EL2). */
  Virt = 1,
  /** EL2 physical timer CNTHP_*_EL2 (exists only with EL2). */
  Hyp = 2,
}

/** Storage indices and counter of each timer, for the timer model. */
export const TIMERS: readonly { ctl: () => number; cval: () => number; count: (pe: Pe) => bigint; el2Only: boolean }[] = [
  { ctl: lazySr('CNTP_CTL_EL0'), cval: lazySr('CNTP_CVAL_EL0'), count: physicalCount, el2Only: false },
  { ctl: lazySr('CNTV_CTL_EL0'), cval: lazySr('CNTV_CVAL_EL0'), count: virtualCount, el2Only: false },
  { ctl: lazySr('CNTHP_CTL_EL2'), cval: lazySr('CNTHP_CVAL_EL2'), count: physicalCount, el2Only: true },
];

/** The timer's interrupt output: ENABLE && !IMASK && ISTATUS (CVAL ≤ count), Arm ARM D11.2.4. */
export function timerFires(pe: Pe, id: TimerId): boolean {
  const t = TIMERS[id];
  if (t.el2Only && !pe.cfg.hasEl2) return false;
  const c = pe.sys[t.ctl()];
  return (c & (CTL_ENABLE | CTL_IMASK)) === CTL_ENABLE && t.count(pe) >= pe.sys[t.cval()];
}

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
      onWrite: changed,
    }),
    // CTL: ENABLE and IMASK are stored; ISTATUS is the condition CVAL ≤ count while enabled.
    reg(`${prefix}_CTL_${suffix}`, 3, op1, 14, crm, 1, minEl, {
      note,
      writeMask: CTL_ENABLE | CTL_IMASK,
      onWrite: changed,
      read: (pe) => {
        const c = pe.sys[ctl()];
        const met = (c & CTL_ENABLE) !== 0n && count(pe) >= pe.sys[cval()];
        // A guest polling ISTATUS sees the interrupt output change no later than the bit.
        if (met) changed(pe);
        return met ? c | CTL_ISTATUS : c;
      },
    }),
    reg(`${prefix}_CVAL_${suffix}`, 3, op1, 14, crm, 2, minEl, { note, onWrite: changed }),
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
  reg('CNTVOFF_EL2', 3, 4, 14, 0, 3, 2, { onWrite: changed }),
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
