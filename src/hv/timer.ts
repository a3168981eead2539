// The hypervisor's software timers (xen/common/timer.c: init_timer, set_timer, stop_timer,
// timer_softirq_action, reprogram_timer in arch/arm/time.c). Each timer belongs to one pCPU;
// its deadline is a physical count (CNTPCT ticks — the hypervisor's time base, as Xen's NOW()
// is the physical counter scaled to ns). Before a pCPU enters a guest or goes idle it programs
// its EL2 physical timer (CNTHP, PPI 26) for the nearest deadline of its own timers
// (reprogram_timer); the CNTHP interrupt runs the expired ones (TIMER_SOFTIRQ). Users: the
// scheduler's time slice (common/sched/core.c s_timer), a vCPU's virtual timer while it is off
// its pCPU (arch/arm/vtimer.c virt_timer_save → virt_timer_expired) and the emulated EL1
// physical timer (vtimer.c phys_timer_expired). So a pCPU whose vCPUs are all blocked sleeps
// in WFI with CNTHP set for the next deadline, and when every PE sleeps the machine's virtual
// time jumps to it.
//
// Deterministic: expired timers run in deadline order, ties in the order they were set.
import type { Xen } from './xen.js';

export interface Timer {
  /** The pCPU whose CNTHP drives it (Xen's timer->cpu). */
  readonly cpu: number;
  /** Physical count at which it fires; null while stopped. */
  expires: bigint | null;
  readonly fn: (xen: Xen) => void;
  /** Order of set_timer calls, to break ties deterministically. */
  seq: number;
}

interface TimerState {
  /** Active timers per pCPU. */
  readonly active: Map<number, Set<Timer>>;
  seq: number;
}

const state = new WeakMap<Xen, TimerState>();

function timers(xen: Xen): TimerState {
  let s = state.get(xen);
  if (!s) state.set(xen, (s = { active: new Map(), seq: 0 }));
  return s;
}

/** init_timer: a stopped timer on pCPU `cpu` that runs `fn` when it expires. */
export function initTimer(cpu: number, fn: (xen: Xen) => void): Timer {
  return { cpu, expires: null, fn, seq: 0 };
}

/** set_timer: (re)arm `t` for physical count `expires`. */
export function setTimer(xen: Xen, t: Timer, expires: bigint): void {
  const s = timers(xen);
  t.expires = expires;
  t.seq = s.seq++;
  let set = s.active.get(t.cpu);
  if (!set) s.active.set(t.cpu, (set = new Set()));
  set.add(t);
}

/** stop_timer. */
export function stopTimer(xen: Xen, t: Timer): void {
  if (t.expires === null) return;
  t.expires = null;
  timers(xen).active.get(t.cpu)?.delete(t);
}

export function timerActive(t: Timer): boolean {
  return t.expires !== null;
}

/** The nearest deadline among pCPU `cpu`'s timers, or null when none is active. */
export function nextDeadline(xen: Xen, cpu: number): bigint | null {
  let best: bigint | null = null;
  for (const t of timers(xen).active.get(cpu) ?? []) if (t.expires !== null && (best === null || t.expires < best)) best = t.expires;
  return best;
}

/** timer_softirq_action on the running pCPU: run every timer whose deadline has passed. */
export function timerSoftirq(xen: Xen): void {
  const set = timers(xen).active.get(xen.cpu.id);
  if (!set || set.size === 0) return;
  const now = xen.cpu.readSysreg('CNTPCT_EL0');
  const due = [...set].filter((t) => t.expires !== null && t.expires <= now);
  due.sort((a, b) => (a.expires! < b.expires! ? -1 : a.expires! > b.expires! ? 1 : a.seq - b.seq));
  for (const t of due) {
    // A handler may have stopped or re-armed a later one of this batch.
    if (t.expires === null || t.expires > now) continue;
    stopTimer(xen, t);
    t.fn(xen);
  }
}

/**
 * reprogram_timer: CNTHP for this pCPU's nearest deadline (disabled when there is none).
 * Needs the pCPU's GIC set up for PPI 26 (the scheduler does that before a pCPU runs vCPUs).
 */
export function reprogramTimer(xen: Xen): void {
  const cpu = xen.cpu;
  const next = nextDeadline(xen, cpu.id);
  if (next === null) {
    cpu.writeSysreg('CNTHP_CTL_EL2', 0n);
    return;
  }
  cpu.writeSysreg('CNTHP_CVAL_EL2', next);
  cpu.writeSysreg('CNTHP_CTL_EL2', 1n);
}
