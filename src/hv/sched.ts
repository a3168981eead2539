// The scheduler and the world switch (common/sched, arch/arm/domain.c ctxt_switch_from/to,
// arm64/entry.S leave_hypervisor_to_guest). vCPUs are placed on pCPUs round-robin when they
// are created and never migrate; each pCPU runs its runnable vCPUs round-robin, switching at
// every scheduling point: WFE and sched_op yield, WFI and sched_op block (the vCPU blocks until
// an interrupt is pending for it: vcpuBlock.ts), the end of a time slice (a software timer on
// the EL2 physical timer: timer.ts), and when the running vCPU stops (PSCI CPU_OFF, shutdown,
// crash). A pCPU with nothing runnable idles in WFI until CNTHP or an event-check SGI. Deterministic: the order is creation order, the tick is virtual time, the
// machine interleaves PEs in fixed quanta.
//
// The world switch reads top to bottom as KVM's __kvm_vcpu_run does: save the outgoing vCPU's
// x0..x30 and EL1 system registers, load the incoming one's, then its HCR_EL2 (traps), its
// stage 2 (VTCR_EL2, VTTBR_EL2 with the domain's VMID), its virtual MPIDR, and ERET.
import type { Xen } from './xen.js';
import type { Vcpu } from './domain/domain.js';
import { SCTLR_GUEST_INIT } from './domain/domain.js';
import { gicEnablePpi, TIMER_HYP_PPI } from './gic/gicV3.js';
import { TIMER_VIRT_PPI, vgicFlushLrs } from './vgic/vgic.js';
import { vtimerCheck } from './vtimer.js';
import { initTimer, reprogramTimer, setTimer, stopTimer, timerActive, timerSoftirq, type Timer } from './timer.js';
import { virtTimerReset, virtTimerRestore, virtTimerSave } from './virtTimer.js';
import { smpSendEventCheck } from './vcpuBlock.js';
import { idleRunstate, RUNSTATE, runstateChange } from './runstate.js';
import { updateRunstateArea } from './hypercall.js';
import { ctxtSwitchHcr } from './cacheCoherency.js';

/**
 * The time slice: the EL2 physical timer (CNTHP, PPI 26) interrupts a vCPU after this many
 * counter ticks (1 ms at 62.5 MHz), and the next runnable vCPU of the pCPU gets it — so a guest
 * that loops forever without trapping cannot starve the others sharing its pCPU.
 */
export const SLICE_TICKS = 62_500n;

/** PSCI SYSTEM_OFF (SMC32 function ID) to the board firmware. */
const PSCI_SYSTEM_OFF = 0x8400_0008;

/** The EL1/EL0 state a vCPU owns (ctxt_switch_from/to's list, plus the virtual timer). */
export const EL1_CONTEXT = [
  'SCTLR_EL1',
  'TTBR0_EL1',
  'TTBR1_EL1',
  'TCR_EL1',
  'MAIR_EL1',
  'AMAIR_EL1',
  'VBAR_EL1',
  'CONTEXTIDR_EL1',
  'TPIDR_EL0',
  'TPIDRRO_EL0',
  'TPIDR_EL1',
  'ESR_EL1',
  'FAR_EL1',
  'AFSR0_EL1',
  'AFSR1_EL1',
  'PAR_EL1',
  'CPACR_EL1',
  'CNTKCTL_EL1',
  'SP_EL0',
  'SP_EL1',
  'ELR_EL1',
  'SPSR_EL1',
] as const;
// CNTV_CTL/CVAL_EL0 and CNTVOFF_EL2 travel separately: virtTimer.ts (virt_timer_save/restore).

/** CNTHCTL_EL2: EL1PCTEN only — the counter is readable, the EL1 physical timer traps (vtimer.ts). */
const CNTHCTL_GUEST = 1n;

/** Pick the next vCPU for this pCPU: round-robin after the current one, else null. */
export function pickNext(xen: Xen): Vcpu | null {
  return xen.call('schedule', () => {
    const cpu = xen.cpu.id;
    const mine = xen.domains.flatMap((d) => d.vcpus).filter((v) => v.processor === cpu);
    const cur = xen.curr.get(cpu) ?? null;
    // Only a scheduling point gives the pCPU away; an emulated MMIO access or a hypercall
    // returns to the same vCPU, as on Xen.
    const yielding = xen.yieldReq.delete(cpu);
    if (cur && cur.state === 'runnable' && !yielding) return cur;
    const at = cur ? mine.indexOf(cur) : -1;
    for (let i = 1; i <= mine.length; i++) {
      const v = mine[(at + i) % mine.length];
      if (v.state === 'runnable') return v;
    }
    return null;
  });
}

/** ctxt_switch_from(prev) + ctxt_switch_to(next) on this pCPU. */
function ctxtSwitch(xen: Xen, next: Vcpu): void {
  xen.call('ctxtSwitch', () => {
    const cpu = xen.cpu;
    const prev = xen.loaded.get(cpu.id) ?? null;
    // gprs === null: the vCPU starts afresh (first run, or PSCI CPU_ON after CPU_OFF) — its
    // stale state on this PE must neither be kept nor saved over the fresh one.
    if (prev === next && next.gprs !== null) return;
    if (prev && prev !== next && prev.state !== 'dead' && prev.gprs !== null) {
      prev.gprs = cpu.saveGprs();
      for (const r of EL1_CONTEXT) prev.sysregs.set(r, cpu.readSysreg(r));
      virtTimerSave(xen, prev);
    }
    if (next.gprs) cpu.restoreGprs(next.gprs);
    else {
      virtTimerReset(xen, next);
      // A vCPU's first run (or after CPU_ON): registers zero but x0.
      cpu.restoreGprs(new Uint32Array(62));
      cpu.setX(0, next.x0);
      next.gprs = new Uint32Array(62);
    }
    for (const r of EL1_CONTEXT) cpu.writeSysreg(r, next.sysregs.get(r) ?? (r === 'SCTLR_EL1' ? SCTLR_GUEST_INIT : 0n));
    cpu.writeSysreg('VMPIDR_EL2', next.mpidr);
    cpu.writeSysreg('VPIDR_EL2', cpu.readSysreg('MIDR_EL1'));
    cpu.writeSysreg('CNTHCTL_EL2', CNTHCTL_GUEST);
    cpu.writeSysreg('HCR_EL2', ctxtSwitchHcr(next));
    // The stage 2 (p2m_restore_state): page tables (MMU) or the domain's regions (MPU).
    xen.mm.p2mLoad(xen, prev?.domain ?? null, next.domain);
    xen.loaded.set(cpu.id, next);
  });
}

/**
 * The end of every hypervisor entry once domains run: choose what this pCPU does next and go
 * there — ERET into a vCPU (leave_hypervisor_to_guest), or idle. Must be called outside any
 * xen.call frame: it moves the PE's PC for good.
 */
export function schedule(xen: Xen): void {
  const cpu = xen.cpu;
  const was = xen.curr.get(cpu.id) ?? null;
  let next = pickNext(xen);
  if (!next) {
    // Switching to the idle vCPU (ctxt_switch_from): the vCPU whose state stays on this PE
    // hands its virtual timer to a software timer; a deadline already past unblocks it now.
    const held = xen.loaded.get(cpu.id);
    if (held) virtTimerSave(xen, held);
    timerSoftirq(xen);
    next = pickNext(xen);
  }
  // vcpu_runstate_change for the vCPU leaving and the one arriving (update_runstate_area).
  if (was && was !== next) runstateChange(xen, was, idleRunstate(was));
  if (!next) {
    xen.curr.set(cpu.id, null);
    xen.call('ctxtSwitch', () => xen.mm.p2mLoad(xen, xen.loaded.get(cpu.id)?.domain ?? null, null));
    if (xen.domains.every((d) => d.state !== 'running')) {
      xen.printk('All domains have shut down: powering off (PSCI SYSTEM_OFF).');
      cpu.smc(PSCI_SYSTEM_OFF);
      return;
    }
    // Idle in WFI (Xen's idle loop): CNTHP for this pCPU's next software timer, else only an
    // SGI (smpSendEventCheck) wakes it. With every PE asleep the machine's time jumps ahead.
    if (xen.gicCpuReady.has(cpu.id)) {
      stopTimer(xen, sliceTimer(xen, cpu.id));
      reprogramTimer(xen);
    }
    cpu.setPc(xen.sym('idleLoop'));
    // Without a host GIC nothing could send the wake-up SGI: wait for SEV instead.
    if (xen.gic) cpu.wfi();
    else cpu.wfe();
    return;
  }
  // This pCPU's timer PPIs, once, before its first context switch (Xen enables them at
  // start_secondary's init_timer_interrupt, before the idle loop): the redistributor is the
  // hypervisor's, not the incoming vCPU's, so it is reached before the stage 2 changes.
  if (xen.gic && !xen.gicCpuReady.has(cpu.id)) {
    const gic = xen.gic;
    xen.call('gicEnablePpi', () => gicEnablePpi(xen, gic, TIMER_HYP_PPI));
    xen.call('gicEnablePpi', () => gicEnablePpi(xen, gic, TIMER_VIRT_PPI));
    xen.gicCpuReady.add(cpu.id);
  }
  ctxtSwitch(xen, next);
  if (was !== next) {
    runstateChange(xen, next, RUNSTATE.running);
    updateRunstateArea(xen, next);
  }
  virtTimerRestore(xen, next);
  vtimerCheck(xen, next);
  if (xen.gic) {
    // The slice (s_timer), or sooner when a software timer of this pCPU is due. A slice belongs
    // to the vCPU it was started for and keeps its deadline across traps (credit2 runs a vCPU
    // until its budget is used, whatever it traps meanwhile): re-arming it at every ERET would
    // let a guest that traps more often than once a slice — a hypercall flood — never be
    // preempted.
    const slice = sliceTimer(xen, cpu.id);
    if (was !== next || !timerActive(slice)) setTimer(xen, slice, cpu.readSysreg('CNTPCT_EL0') + SLICE_TICKS);
    reprogramTimer(xen);
  }
  xen.curr.set(cpu.id, next);
  vgicFlushLrs(xen, next);
  xen.call('leaveHypervisorToGuest', () => {
    cpu.writeSysreg('ELR_EL2', next.pc);
    cpu.writeSysreg('SPSR_EL2', next.cpsr);
  });
  cpu.setPc(xen.sym('leaveHypervisorToGuest'));
  cpu.eret();
}

/** A scheduling point on this pCPU (WFI/WFE, sched_op yield/block, the tick): run the next vCPU. */
export function raiseSoftirqSchedule(xen: Xen): void {
  xen.yieldReq.add(xen.cpu.id);
}

/**
 * A vCPU became runnable (CPU_ON) or a domain died: wake the idle pCPUs — with the event-check
 * SGI (they idle in WFI), and SEV for secondaries still in their boot-time WFE.
 */
export function vcpuWake(xen: Xen): void {
  xen.cpu.sev();
  for (const c of [...xen.cpuOnline].sort((a, b) => a - b)) {
    if (c !== xen.cpu.id && (xen.curr.get(c) ?? null) === null) smpSendEventCheck(xen, c);
  }
}

/** Each pCPU's time slice (common/sched/core.c s_timer): its expiry is a scheduling point. */
const sliceTimers = new WeakMap<Xen, Map<number, Timer>>();

function sliceTimer(xen: Xen, cpu: number): Timer {
  let m = sliceTimers.get(xen);
  if (!m) sliceTimers.set(xen, (m = new Map()));
  let t = m.get(cpu);
  if (!t) m.set(cpu, (t = initTimer(cpu, (x) => raiseSoftirqSchedule(x))));
  return t;
}
