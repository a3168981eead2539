// A vCPU's EL1 virtual timer across context switches and blocking (xen/arch/arm/vtimer.c
// virt_timer_save / virt_timer_restore / virt_timer_expired, domain_vtimer_init).
//
// The guest programs CNTV_CTL/CVAL_EL0 directly. While its vCPU is on the pCPU the hardware
// timer fires (PPI 27 → vtimerInterrupt in vgic.ts). When the vCPU leaves the pCPU — another
// vCPU is switched in, or the pCPU goes idle because the vCPU blocked — virt_timer_save reads
// CTL/CVAL into the vCPU, disables the hardware timer (its level must not hit whatever runs
// next), and, if the guest's timer is enabled and unmasked, arms a hypervisor software timer
// (timer.ts) for the same instant on the physical count: CVAL + the domain's CNTVOFF. On
// expiry virt_timer_expired sets IMASK in the saved CTL (as vtimer_interrupt does on the
// hardware path) and injects virtual PPI 27, which unblocks the vCPU. virt_timer_restore stops
// the software timer and puts CNTVOFF, CVAL and CTL back.
//
// CNTVOFF_EL2 is per domain: Xen's domain_vtimer_init sets d->arch.virt_timer_base.offset to
// the counter at domain creation, so each guest's CNTVCT starts near 0.
import type { Xen } from './xen.js';
import type { Domain, Vcpu } from './domain/domain.js';
import { initTimer, setTimer, stopTimer, type Timer } from './timer.js';
import { TIMER_VIRT_PPI } from './vgic/vgic.js';
import { CTL_ENABLE, CTL_IMASK } from '../arch/sysreg/timer.js';

interface VirtTimer {
  /** CTL/CVAL are on the PE (true) or saved here (false). */
  onPe: boolean;
  ctl: bigint;
  cval: bigint;
  timer: Timer;
}

const vtimers = new WeakMap<Vcpu, VirtTimer>();
const offsets = new WeakMap<Domain, bigint>();

function virtTimer(v: Vcpu): VirtTimer {
  let t = vtimers.get(v);
  if (!t) {
    const fresh: VirtTimer = { onPe: false, ctl: 0n, cval: 0n, timer: initTimer(v.processor, (xen) => virtTimerExpired(xen, v, fresh)) };
    vtimers.set(v, (t = fresh));
  }
  return t;
}

/** domain_vtimer_init: the domain's CNTVOFF_EL2 is the physical count now. */
export function domainVtimerInit(xen: Xen, d: Domain): void {
  offsets.set(d, xen.cpu.readSysreg('CNTPCT_EL0'));
}

/** The domain's CNTVOFF_EL2 (0 for a domain created without domainVtimerInit). */
export function domainVtimerOffset(d: Domain): bigint {
  return offsets.get(d) ?? 0n;
}

/** virt_timer_expired: the software timer stood in for the hardware one while `v` was away. */
function virtTimerExpired(xen: Xen, v: Vcpu, t: VirtTimer): void {
  if (v.state === 'dead' || v.state === 'down') return;
  t.ctl |= CTL_IMASK;
  v.domain.vgic?.injectIrq(v.id, TIMER_VIRT_PPI);
}

/**
 * virt_timer_save, on the pCPU `v` is leaving: CTL/CVAL off the PE, the hardware timer
 * disabled, the software timer armed if the guest's timer would fire. No-op when its timer is
 * not on the PE (already saved, or never restored).
 */
export function virtTimerSave(xen: Xen, v: Vcpu): void {
  const t = virtTimer(v);
  if (!t.onPe) return;
  const cpu = xen.cpu;
  t.ctl = cpu.readSysreg('CNTV_CTL_EL0') & (CTL_ENABLE | CTL_IMASK);
  t.cval = cpu.readSysreg('CNTV_CVAL_EL0');
  t.onPe = false;
  cpu.writeSysreg('CNTV_CTL_EL0', t.ctl & ~CTL_ENABLE);
  cpu.isb();
  if ((t.ctl & (CTL_ENABLE | CTL_IMASK)) === CTL_ENABLE && (v.state === 'runnable' || v.state === 'blocked')) {
    setTimer(xen, t.timer, BigInt.asUintN(64, t.cval + domainVtimerOffset(v.domain)));
  }
}

/** virt_timer_restore, before `v` runs on this pCPU: CNTVOFF, CVAL, CTL back on the PE. */
export function virtTimerRestore(xen: Xen, v: Vcpu): void {
  const t = virtTimer(v);
  if (t.onPe) return;
  const cpu = xen.cpu;
  stopTimer(xen, t.timer);
  cpu.writeSysreg('CNTVOFF_EL2', domainVtimerOffset(v.domain));
  cpu.writeSysreg('CNTV_CVAL_EL0', t.cval);
  cpu.writeSysreg('CNTV_CTL_EL0', t.ctl);
  cpu.isb();
  t.onPe = true;
}

/** A vCPU (re)started by PSCI CPU_ON: its timer starts disabled, as at reset. */
export function virtTimerReset(xen: Xen, v: Vcpu): void {
  const t = virtTimer(v);
  stopTimer(xen, t.timer);
  t.ctl = 0n;
  t.cval = 0n;
  t.onPe = false;
}
