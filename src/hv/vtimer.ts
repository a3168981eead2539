// The EL1 physical timer emulated (xen/arch/arm/vtimer.c vtimer_emulate_cp64/sysreg,
// phys_timer_expired): CNTHCTL_EL2.EL1PCEN = 0 traps the guest's CNTP_CTL/CVAL/TVAL_EL0 (EC
// 0x18), which act on a per-vCPU copy; CNTPCT stays readable (EL1PCTEN = 1, as Xen sets it).
// The deadline is a hypervisor software timer (timer.ts) on the vCPU's pCPU, (re)armed before
// every entry into the vCPU; when it expires — or the hypervisor is about to enter a vCPU whose
// deadline has passed — virtual PPI 30 (GUEST_TIMER_PHYS_NS_PPI) is made pending unless IMASK,
// as phys_timer_expired does from Xen's timer softirq; that unblocks a vCPU waiting in WFI.
import type { Xen } from './xen.js';
import type { Vcpu } from './domain/domain.js';
import { initTimer, setTimer, stopTimer, type Timer } from './timer.js';
import { CTL_ENABLE, CTL_IMASK, CTL_ISTATUS } from '../arch/sysreg/timer.js';

/** GUEST_TIMER_PHYS_NS_PPI. */
export const TIMER_PHYS_NS_PPI = 30;

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

/** Each vCPU's software timer for its emulated physical timer (Xen's phys_timer.timer). */
const softTimers = new WeakMap<Vcpu, Timer>();

/**
 * Before entering `v`: inject PPI 30 if the deadline passed (phys_timer_expired), else keep a
 * software timer (timer.ts) at the deadline on `v`'s pCPU, so the interrupt comes on time
 * whether `v` is running, waiting for its turn, or blocked in WFI.
 */
export function vtimerCheck(xen: Xen, v: Vcpu): void {
  const t = timers.get(v);
  if (!t) return;
  let soft = softTimers.get(v);
  if (!soft) softTimers.set(v, (soft = initTimer(v.processor, (x) => physTimerExpired(x, v))));
  if (t.fired || !(t.ctl & CTL_ENABLE) || t.ctl & CTL_IMASK) {
    stopTimer(xen, soft);
    return;
  }
  if (xen.cpu.readSysreg('CNTPCT_EL0') < t.cval) {
    setTimer(xen, soft, t.cval);
    return;
  }
  stopTimer(xen, soft);
  physTimerExpired(xen, v);
}

/** phys_timer_expired: one injection of PPI 30 per arming, as Xen's timer fires once. */
function physTimerExpired(xen: Xen, v: Vcpu): void {
  const t = timers.get(v);
  if (!t || t.fired || !(t.ctl & CTL_ENABLE) || t.ctl & CTL_IMASK || v.state === 'dead' || v.state === 'down') return;
  if (xen.cpu.readSysreg('CNTPCT_EL0') < t.cval) return;
  // The guest re-arms or disables it.
  t.fired = true;
  v.domain.vgic?.injectIrq(v.id, TIMER_PHYS_NS_PPI);
}
