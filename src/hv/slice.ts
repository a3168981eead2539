// The time slice of each pCPU (Xen's credit2 runs a vCPU until its budget is used, whatever it
// traps meanwhile): a slice belongs to the vCPU it was started for and ends at a fixed counter
// value. Re-entering the same vCPU after a trap (a hypercall, an emulated MMIO access, an
// injected abort) keeps the deadline, so a guest that traps more often than the slice is long —
// a hypercall flood — is preempted as surely as one that never traps.
import type { Xen } from './xen.js';
import type { Vcpu } from './domain/domain.js';

interface Slice {
  vcpu: Vcpu;
  start: bigint;
  end: bigint;
}
const slices = new WeakMap<Xen, Map<number, Slice>>();

/**
 * Arm CNTHP (the tick) for `next` about to run on this pCPU: at the end of its slice — a new
 * slice of `ticks` when the pCPU switches vCPU or the last tick was taken — or sooner, `due`
 * ticks from now, when its emulated physical timer is due.
 */
export function armSlice(xen: Xen, next: Vcpu, ticks: bigint, due: bigint | null): void {
  const cpu = xen.cpu;
  let m = slices.get(xen);
  if (!m) slices.set(xen, (m = new Map()));
  const now = cpu.readSysreg('CNTPCT_EL0');
  const cur = m.get(cpu.id);
  // The slice goes on while its tick has not been taken (gicInterrupt clears CNTHP_CTL_EL2,
  // as does idling): a slice already over stays over, so the pending tick preempts the vCPU
  // right after the ERET instead of being pushed back by every trap. (The counter is compared
  // only within one slice: a reading before its start begins a new one.)
  const ticking = (cpu.readSysreg('CNTHP_CTL_EL2') & 1n) !== 0n;
  const keep = cur !== undefined && cur.vcpu === next && ticking && now >= cur.start;
  const start = keep ? cur.start : now;
  const end = keep ? cur.end : now + ticks;
  m.set(cpu.id, { vcpu: next, start, end });
  cpu.writeSysreg('CNTHP_CVAL_EL2', due !== null && now + due < end ? now + due : end);
  cpu.writeSysreg('CNTHP_CTL_EL2', 1n);
}
