// The EL1 physical timer emulated (xen/arch/arm/vtimer.c vtimer_emulate_cp64/sysreg,
// phys_timer_expired): CNTHCTL_EL2.EL1PCEN = 0 traps the guest's CNTP_CTL/CVAL/TVAL_EL0 (EC
// 0x18), which act on a per-vCPU copy; CNTPCT stays readable (EL1PCTEN = 1, as Xen sets it).
// The deadline is a hypervisor timer: the scheduler arms CNTHP no later than the running
// vCPU's deadline, and whenever the hypervisor is about to enter a vCPU whose deadline has
// passed, ISTATUS is set and — unless IMASK — virtual PPI 30 (GUEST_TIMER_PHYS_NS_PPI) is made
// pending, as phys_timer_expired does from Xen's timer softirq.
import type { Xen } from './xen.js';
import type { Vcpu } from './domain/domain.js';

/** GUEST_TIMER_PHYS_NS_PPI. */
export const TIMER_PHYS_NS_PPI = 30;
const CTL_ENABLE = 1n;
const CTL_IMASK = 2n;
const CTL_ISTATUS = 4n;

/** A vCPU's emulated EL1 physical timer (struct vtimer). */
export interface PhysTimer {
  ctl: bigint;
  cval: bigint;
  /** This arming has been delivered (Xen's timer fires once per set_timer). */
  fired: boolean;
}

const timers = new WeakMap<Vcpu, PhysTimer>();

export function physTimer(v: Vcpu): PhysTimer {
  let t = timers.get(v);
  if (!t) timers.set(v, (t = { ctl: 0n, cval: 0n, fired: false }));
  return t;
}

/** The three trapped registers by (op0, op1, CRn, CRm, op2). */
const CNTP = { S3_3_C14_C2_0: 'tval', S3_3_C14_C2_1: 'ctl', S3_3_C14_C2_2: 'cval' } as const;

/**
 * vtimer_emulate_sysreg: handle a trapped CNTP_* access; false if `name` is not one. `now` is
 * the physical count (CNTPCT_EL0; CNTVOFF does not apply to the physical timer).
 */
export function vtimerEmulateSysreg(t: PhysTimer, name: string, read: boolean, value: bigint, now: bigint): bigint | null | false {
  const reg = (CNTP as Record<string, 'tval' | 'ctl' | 'cval'>)[name];
  if (!reg) return false;
  if (read) {
    if (reg === 'ctl') return t.ctl & CTL_ENABLE && now >= t.cval ? t.ctl | CTL_ISTATUS : t.ctl & ~CTL_ISTATUS;
    if (reg === 'cval') return t.cval;
    return BigInt.asUintN(32, t.cval - now);
  }
  t.fired = false;
  if (reg === 'ctl') t.ctl = value & (CTL_ENABLE | CTL_IMASK);
  else if (reg === 'cval') t.cval = BigInt.asUintN(64, value);
  else t.cval = BigInt.asUintN(64, now + BigInt.asIntN(32, value));
  return null;
}

/** phys_timer_expired, checked before entering `v`: inject PPI 30 once the deadline passed. */
export function vtimerCheck(xen: Xen, v: Vcpu): void {
  const t = timers.get(v);
  if (!t || t.fired || !(t.ctl & CTL_ENABLE) || t.ctl & CTL_IMASK) return;
  if (xen.cpu.readSysreg('CNTPCT_EL0') < t.cval) return;
  // One injection per arming, as Xen's timer fires once; the guest re-arms or disables it.
  t.fired = true;
  v.domain.vgic?.injectIrq(v.id, TIMER_PHYS_NS_PPI);
}

/** Ticks until `v`'s emulated timer is due (null: not armed), for the scheduler's CNTHP. */
export function vtimerTicksLeft(xen: Xen, v: Vcpu): bigint | null {
  const t = timers.get(v);
  if (!t || t.fired || !(t.ctl & CTL_ENABLE) || t.ctl & CTL_IMASK) return null;
  const left = t.cval - xen.cpu.readSysreg('CNTPCT_EL0');
  return left > 0n ? left : 1n;
}
