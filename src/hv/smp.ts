// Cross-calls (xen/common/smp.c on_selected_cpus / smp_call_function, arch/arm/smp.c
// smp_send_call_function_mask): run a function on other pCPUs and wait until each has run it.
// The request goes out as a physical SGI (Xen's GIC_SGI_CALL_FUNCTION) through the host GIC
// driver; a target takes it in its IRQ path — from a guest (vector slot 9, gicInterrupt) or
// from its idle loop, whose WFI/WFE the pending SGI ends (Arm ARM D1.6.2: a pending
// interrupt wakes the PE, masked or not) — and runs smpCallFunctionInterrupt.
//
// The caller waits as cpuUpWait does: a TypeScript flow cannot block, so it leaves its entry
// with the PC at smpCallWait, a native-call spin loop in .text (the boot CPU may have freed
// .init by then), and the machine runs the other PEs meanwhile; once every target is done,
// the loop runs the caller's continuation (Xen's `wait` = 1). The data is TypeScript state
// (Xen's call_data is a static too); what the SGI carries is only "look at call_data".
import type { Xen } from './xen.js';
import { panic } from './panic.js';
import { GIC_SGI_CALL_FUNCTION, gicSendSgi } from './gic/gicV3.js';

/** How long a caller spins for its targets (as cpuUpWait does for a secondary coming up). */
export const SMP_CALL_TIMEOUT_SPINS = 100_000;

/** A wait at smpCallWait: `done` polled once per spin, then `then` on the waiting CPU. */
export interface SmpWait {
  cpu: number;
  what: string;
  done: () => string[];
  then: () => void;
  spins: number;
}

/** on_selected_cpus' call_data: the function and the CPUs that have not run it yet. */
export interface CallData {
  what: string;
  fn: (xen: Xen) => void;
  pending: Set<number>;
}

/**
 * on_selected_cpus(mask, fn, wait = 1): `fn` on every online CPU of `cpus` (on the calling one
 * directly), then `then` on the caller once all have returned — at once when no other CPU is
 * involved, else from smpCallWait.
 */
export function onSelectedCpus(xen: Xen, cpus: readonly number[], what: string, fn: (xen: Xen) => void, then: () => void): void {
  const self = xen.cpu.id;
  const others = xen.call('onSelectedCpus', () => {
    if (xen.callData) panic(`cross-call ${what} while ${xen.callData.what} is still in flight`);
    const others = cpus.filter((c) => c !== self && xen.cpuOnline.has(c));
    if (others.length) {
      const gic = xen.gic;
      if (!gic) panic(`cross-call ${what}: no host GIC to send the SGI through`);
      xen.callData = { what, fn, pending: new Set(others) };
      gicSendSgi(xen, gic, GIC_SGI_CALL_FUNCTION, others);
    }
    if (cpus.includes(self)) fn(xen);
    return others;
  });
  if (others.length === 0) {
    then();
    return;
  }
  smpWaitFor(
    xen,
    what,
    () => [...(xen.callData?.pending ?? [])].map((c) => `CPU${c}`),
    () => {
      xen.callData = null;
      then();
    },
  );
}

/** smp_call_function(fn, wait = 1): every other online CPU. */
export function smpCallFunction(xen: Xen, what: string, fn: (xen: Xen) => void, then: () => void): void {
  onSelectedCpus(
    xen,
    [...xen.cpuOnline].filter((c) => c !== xen.cpu.id),
    what,
    fn,
    then,
  );
}

/** The GIC_SGI_CALL_FUNCTION handler on a target CPU: run the function, then say so. */
export function smpCallFunctionInterrupt(xen: Xen): void {
  const d = xen.callData;
  const self = xen.cpu.id;
  if (!d || !d.pending.has(self)) return;
  xen.call('smpCallFunctionInterrupt', () => d.fn(xen));
  d.pending.delete(self);
}

/** Whether this CPU has a cross-call to take (its SGI is pending). */
export function callFunctionPending(xen: Xen, cpu: number): boolean {
  return xen.callData?.pending.has(cpu) ?? false;
}

/**
 * Make the calling CPU wait at smpCallWait until `pending` (what is still awaited, as words
 * for the timeout message) is empty, then run `then` there. The caller must return to its
 * entry; smpPark, at the entry's top level, moves the PC to the loop.
 */
export function smpWaitFor(xen: Xen, what: string, pending: () => string[], then: () => void): void {
  if (xen.smpWait) panic(`${what}: CPU${xen.cpu.id} is already waiting for ${xen.smpWait.what}`);
  xen.smpWait = { cpu: xen.cpu.id, what, done: pending, then, spins: 0 };
}

/** At an entry's top level (outside every routine frame): go and wait if a wait was set up. */
export function smpPark(xen: Xen): void {
  if (xen.smpWait && xen.smpWait.cpu === xen.cpu.id && xen.panicked === null) xen.cpu.setPc(xen.sym('smpCallWait'));
}

/** The wait loop: one spin per entry; the continuation once nothing is pending. */
export function smpCallWait(xen: Xen): void {
  const w = xen.smpWait;
  if (!w) panic(`CPU${xen.cpu.id} at smpCallWait with nothing to wait for`);
  const left = w.done();
  if (left.length) {
    if (w.spins++ >= SMP_CALL_TIMEOUT_SPINS) panic(`${w.what}: ${left.join(', ')} did not answer the cross-call`);
    xen.cpu.setPc(xen.sym('smpCallWait'));
    return;
  }
  xen.smpWait = null;
  w.then();
  smpPark(xen);
}
