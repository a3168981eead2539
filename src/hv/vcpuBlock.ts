// Blocking and waking vCPUs (xen/common/sched/core.c vcpu_block, vcpu_unblock → vcpu_wake;
// xen/arch/arm/domain.c vcpu_block_unless_event_pending, vcpu_kick; arch/arm/smp.c
// smp_send_event_check_mask). A vCPU that executes WFI with no interrupt pending for it, or
// calls SCHEDOP_block, is 'blocked': the scheduler skips it, so it consumes no time slice. It
// becomes runnable again when an interrupt is made pending for it — a vGIC injection (a device
// SPI, an SGI from another vCPU, its virtual timer's PPI 27 through the hardware or the
// software timer standing in for it, the emulated physical timer's PPI 30). Waking a vCPU
// whose pCPU is elsewhere sends that pCPU a physical SGI (GIC_SGI_EVENT_CHECK, Xen's
// cpu_raise_softirq/smp_send_event_check): an idle pCPU wakes from WFI and schedules, a busy
// one exits its guest so the new interrupt reaches the list registers.
import type { Xen } from './xen.js';
import type { Vcpu } from './domain/domain.js';
import { gicSendSgi, GIC_SGI_EVENT_CHECK } from './gic/gicV3.js';
import { raiseSoftirqSchedule } from './sched.js';

/** vcpu_block: `v` (running here) stops until an interrupt is pending for it. */
export function vcpuBlock(xen: Xen, v: Vcpu): void {
  if (v.state !== 'runnable') return;
  v.state = 'blocked';
  raiseSoftirqSchedule(xen);
}

/**
 * vcpu_block_unless_event_pending (WFI, SCHEDOP_block): block, then unblock at once if the
 * vGIC already has an interrupt the guest would take (local_events_need_delivery_nomask:
 * PSTATE.I does not matter — WFI wakes on a masked interrupt too, Arm ARM D1.6.2).
 */
export function vcpuBlockUnlessEventPending(xen: Xen, v: Vcpu): void {
  // Checked before blocking rather than after (Xen re-checks after setting _VPF_blocked to
  // close a race with other pCPUs; here a hypervisor entry runs to completion, so the answer
  // cannot change in between) — and the pCPU is not given away for nothing.
  if (v.domain.vgic?.hasPendingIrq(v.id)) return;
  vcpuBlock(xen, v);
}

/** vcpu_unblock → vcpu_wake: a blocked vCPU is runnable again; its pCPU is told to schedule. */
export function vcpuUnblock(xen: Xen, v: Vcpu): void {
  if (v.state !== 'blocked') return;
  v.state = 'runnable';
  // cpu_raise_softirq(v->processor, SCHEDULE_SOFTIRQ): an idle pCPU must wake up to run it.
  if (v.processor !== xen.cpu.id && (xen.curr.get(v.processor) ?? null) === null) smpSendEventCheck(xen, v.processor);
}

/**
 * vcpu_kick: an interrupt was made pending for `v`. Unblock it; if it is running on another
 * pCPU, make that pCPU exit the guest so the interrupt reaches its list registers.
 */
export function vcpuKick(xen: Xen, v: Vcpu): void {
  const running = xen.curr.get(v.processor) === v;
  vcpuUnblock(xen, v);
  if (running && v.processor !== xen.cpu.id) smpSendEventCheck(xen, v.processor);
}

/** smp_send_event_check_mask(cpumask_of(cpu)): the event-check SGI to pCPU `cpu`. */
export function smpSendEventCheck(xen: Xen, cpu: number): void {
  if (!xen.gic || !xen.cpuOnline.has(cpu)) return;
  gicSendSgi(xen, xen.gic, GIC_SGI_EVENT_CHECK, [cpu]);
}

/** PSTATE.I in a saved SPSR. */
const PSR_IRQ_MASK = 0x80n;

/**
 * SCHEDOP_block (common/sched/core.c vcpu_block_enable_events): event delivery on — on Arm
 * local_event_delivery_enable clears PSTATE.I in the guest's saved state — then vcpu_block,
 * which checks for pending events after blocking (local_events_need_delivery: with IRQs now
 * unmasked, any interrupt the vGIC would signal).
 */
export function vcpuBlockEnableEvents(xen: Xen, v: Vcpu): void {
  v.cpsr &= ~PSR_IRQ_MASK;
  vcpuBlockUnlessEventPending(xen, v);
}
