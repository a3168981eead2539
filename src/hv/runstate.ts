// vCPU runstate accounting and the guest's runstate area (xen/common/sched/core.c
// vcpu_runstate_change, common/domain.c VCPUOP_register_runstate_memory_area,
// arch/arm/domain.c update_runstate_area; public/vcpu.h struct vcpu_runstate_info). Each vCPU
// is running, runnable, blocked or offline; the time spent in each state accumulates in ns of
// the hypervisor's clock (NOW(): the physical count scaled from CNTFRQ). A guest that
// registered an area gets the record copied there whenever its vCPU is switched in, as Xen
// does in context_switch → update_runstate_area(next).
import type { Xen } from './xen.js';
import type { Vcpu } from './domain/domain.js';

export const RUNSTATE = { running: 0, runnable: 1, blocked: 2, offline: 3 } as const;
/** sizeof(struct vcpu_runstate_info) on arm64: int state (+4 pad), u64 state_entry_time, u64 time[4]. */
export const RUNSTATE_INFO_SIZE = 48;

interface Runstate {
  state: number;
  entry: bigint;
  time: bigint[];
  /** Registered guest address (an IPA for our MMU-off guests, as copyFromGuest takes it), or null. */
  area: number | null;
}

const runstates = new WeakMap<Vcpu, Runstate>();

/** NOW(): ns since the counter started. */
function now(xen: Xen): bigint {
  const cpu = xen.cpu;
  return (cpu.readSysreg('CNTPCT_EL0') * 1_000_000_000n) / cpu.readSysreg('CNTFRQ_EL0');
}

function runstate(xen: Xen, v: Vcpu): Runstate {
  let r = runstates.get(v);
  if (!r) runstates.set(v, (r = { state: RUNSTATE.offline, entry: now(xen), time: [0n, 0n, 0n, 0n], area: null }));
  return r;
}

/** The runstate a vCPU that is not running is in. */
export function idleRunstate(v: Vcpu): number {
  if (v.state === 'runnable') return RUNSTATE.runnable;
  if (v.state === 'blocked') return RUNSTATE.blocked;
  return RUNSTATE.offline;
}

/** vcpu_runstate_change: account the time in the old state, enter `state`. */
export function runstateChange(xen: Xen, v: Vcpu, state: number): void {
  const r = runstate(xen, v);
  if (r.state === state) return;
  const t = now(xen);
  if (t > r.entry) r.time[r.state] += t - r.entry;
  r.state = state;
  r.entry = t;
}

/** struct vcpu_runstate_info, little-endian. */
export function runstateInfoBytes(xen: Xen, v: Vcpu): Uint8Array {
  const r = runstate(xen, v);
  const out = new Uint8Array(RUNSTATE_INFO_SIZE);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, r.state, true);
  dv.setBigUint64(8, r.entry, true);
  r.time.forEach((x, i) => dv.setBigUint64(16 + 8 * i, x, true));
  return out;
}

/** VCPUOP_register_runstate_memory_area: remember the area (the caller writes it once now). */
export function setRunstateArea(xen: Xen, v: Vcpu, area: number): void {
  runstate(xen, v).area = area;
}

export function runstateArea(xen: Xen, v: Vcpu): number | null {
  return runstate(xen, v).area;
}
