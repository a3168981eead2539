// The fidelity boundary's glue (DESIGN.md §1; docs/ARCHITECTURE.md "The hypervisor"): the
// hypervisor is entered only through the native calls at its entry points — the image entry,
// the 16 EL2 vector slots and the idle loop — and leaves only by ERET, or by idling the PE.
// A fault inside the TypeScript flow has already been taken by the PE (ESR/FAR/ELR written,
// PC at VBAR_EL2): the flow is abandoned and the PE goes on to fetch the vector, which enters
// the hypervisor again through its vector slot. A panic prints Xen's banner and idles.
import type { Machine } from '../platform/machine.js';
import type { Pe } from '../arch/pe.js';
import { Cpu, HvFault } from './arch/cpu.js';
import { HvPanic } from './panic.js';
import { PtError } from './mm/mmu/pt.js';
import { NATIVE, type XenImage } from './image.js';
import { Xen, type XenKnobs } from './xen.js';
import { cpuUpWait, head, initSecondary } from './setup.js';
import { trap } from './traps.js';
import { schedule } from './sched.js';
import { timerSoftirq } from './timer.js';
import { GIC_SGI_CALL_FUNCTION, gicAck, gicEoi, TIMER_HYP_PPI } from './gic/gicV3.js';
import { doGuestIrq } from './irq.js';
import { TIMER_VIRT_PPI, vtimerInterrupt } from './vgic/vgic.js';
import { doTrapGuestSync, domainCrash, enterHypervisorFromGuest, vName } from './guestTraps.js';
import { callFunctionPending, smpCallFunctionInterrupt, smpCallWait } from './smp.js';

export interface HypervisorOptions {
  knobs?: XenKnobs;
}

/** The hypervisor installed on a machine: its state once PE0 has entered it. */
export class Hypervisor {
  xen: Xen | null = null;
  constructor(
    readonly machine: Machine,
    readonly image: XenImage,
    readonly opts: HypervisorOptions,
  ) {}

  /** Every console line so far (Xen's console ring). */
  get log(): string[] {
    return this.xen?.console.ring ?? [];
  }

  get panicked(): string | null {
    return this.xen?.panicked ?? null;
  }
}

/**
 * The idle loop. Secondary CPUs idle in WFE rather than Xen's WFI: the hypervisor does not
 * drive the GIC yet, so it wakes them with SEV instead of an SGI when domains are ready.
 */
function idle(xen: Xen): void {
  const cpu = xen.cpu;
  cpu.setPc(xen.mmuOn ? xen.sym('idleLoop') : xen.pa('idleLoop'));
  if (xen.panicked === null && xen.bootDone === false && xen.cpu.id !== 0) cpu.wfe();
  else cpu.wfi();
}

function reportPanic(xen: Xen, reason: string): void {
  xen.panicked = reason;
  try {
    xen.printk('');
    xen.printk('****************************************');
    xen.printk(`Panic on CPU ${xen.cpu.id}:`);
    xen.printk(reason);
    xen.printk('****************************************');
    xen.printk('');
  } catch (e) {
    // The console itself faults: the PE is at the vector now, which idles it (traps.ts).
    if (!(e instanceof HvFault)) throw e;
    return;
  }
  idle(xen);
}

/** Run one entry into the hypervisor on `cpu`; see the header for how it can end. */
function run(xen: Xen, cpu: Cpu, fn: () => void): void {
  xen.cpu = cpu;
  cpu.resetFrames();
  try {
    fn();
  } catch (e) {
    if (e instanceof HvFault) {
      xen.faultTrace = e.trace;
      return;
    }
    if (e instanceof HvPanic || e instanceof PtError) {
      reportPanic(xen, e.message);
      return;
    }
    throw e;
  }
}

/** After init_done: the boot CPU runs the domains and wakes the idle secondaries. */
function startDomains(xen: Xen): void {
  if (!xen.bootDone || xen.domains.length === 0 || xen.panicked !== null) return;
  xen.cpu.sev();
  schedule(xen);
}

/**
 * gic_interrupt: every pending physical interrupt, until the GIC says spurious — CNTHP runs
 * the expired software timers (the slice among them: timer.ts), PPI 27 the loaded vCPU's
 * virtual timer; an SGI is the event check (smpSendEventCheck), acted on by the schedule()
 * that follows every entry.
 */
function gicInterrupt(xen: Xen): void {
  xen.call('gicInterrupt', () => {
    for (let n = 0; n < 64; n++) {
      const intid = gicAck(xen);
      if (intid >= 1020) return;
      if (intid === TIMER_HYP_PPI) {
        xen.cpu.writeSysreg('CNTHP_CTL_EL2', 0n);
        timerSoftirq(xen);
      } else if (intid === TIMER_VIRT_PPI) vtimerInterrupt(xen);
      else if (intid === GIC_SGI_CALL_FUNCTION) smpCallFunctionInterrupt(xen);
      // A device SPI given to a domain: priority dropped, deactivated by the guest's EOI (irq.ts).
      else if (doGuestIrq(xen, intid)) continue;
      // GIC_SGI_EVENT_CHECK needs nothing here: the schedule() after every entry is the check.
      gicEoi(xen, intid);
    }
  });
}

/** An exception from the vCPU running on this pCPU (vector slots 8..15), then schedule. */
function guestTrap(xen: Xen, slot: number): void {
  const v = xen.curr.get(xen.cpu.id)!;
  xen.guestExited.add(xen.cpu.id);
  enterHypervisorFromGuest(xen, v);
  const kind = slot & 3;
  if (slot >= 12) {
    xen.printk(`${vName(v)} exception from AArch32 state, which domains cannot use`);
    domainCrash(xen, v.domain, 'enterHypervisorFromGuest');
  } else if (kind === 0) doTrapGuestSync(xen, v);
  else if (kind === 3) {
    xen.printk(`${vName(v)} SError from the guest`);
    domainCrash(xen, v.domain, 'doTrapGuestSerror');
  } else if (kind === 1) gicInterrupt(xen);
  // FIQ: Group 0 is not used by the hypervisor; go back.
  schedule(xen);
}

/** Register the hypervisor's native calls on `machine`. */
export function installHypervisor(machine: Machine, image: XenImage, opts: HypervisorOptions = {}): Hypervisor {
  const hv = new Hypervisor(machine, image, opts);
  const cpus = new Map<number, Cpu>();
  const cpuFor = (pe: Pe): Cpu => {
    const known = cpus.get(pe.id);
    if (known) return known;
    const cpu = new Cpu(pe);
    cpus.set(pe.id, cpu);
    cpu.symbolName = (va) => {
      const x = hv.xen;
      const s =
        image.symbolize(va) ??
        (x ? image.symbolize(va - x.physOffset) : null) ??
        (x && x.idPa && va >= x.idPa && va < x.idPa + 4096 ? image.symbolize(va - x.idPa + image.linkAddr) : null);
      return s ?? '(unknown)';
    };
    return cpu;
  };
  machine.nativeCalls.set(NATIVE.entry, (pe) => {
    if (pe.id !== 0 || hv.xen) {
      // Only PE0 boots through _start; anything else entering here is parked.
      cpuFor(pe).wfi();
      return;
    }
    const xen = new Xen(cpuFor(pe), image, opts.knobs ?? {});
    hv.xen = xen;
    run(xen, xen.cpu, () => {
      head(xen);
      startDomains(xen);
    });
  });
  for (let n = 0; n < 16; n++) {
    machine.nativeCalls.set(NATIVE.vectorBase + n, (pe) => {
      const xen = hv.xen!;
      const cpu = cpuFor(pe);
      const v = xen.curr.get(cpu.id);
      // From a guest (the lower-EL slots while a vCPU runs here): the guest trap path.
      if (n >= 8 && v && xen.panicked === null) run(xen, cpu, () => guestTrap(xen, n));
      else run(xen, cpu, () => trap(xen, n));
    });
  }
  machine.nativeCalls.set(NATIVE.idle, (pe) => {
    const xen = hv.xen;
    if (!xen) return;
    // A cross-call's SGI woke this CPU: take it (the IRQ path) before anything else.
    if (callFunctionPending(xen, pe.id) && xen.panicked === null) run(xen, cpuFor(pe), () => gicInterrupt(xen));
    if (xen.domainsUnpaused && xen.domains.length && xen.panicked === null) {
      // Woken from WFI: take what woke it (Xen's idle loop re-enables IRQs after wfi).
      run(xen, cpuFor(pe), () => {
        if (xen.gic) gicInterrupt(xen);
        schedule(xen);
      });
      return;
    }
    xen.cpu = cpuFor(pe);
    idle(xen);
  });
  machine.nativeCalls.set(NATIVE.cpuUpWait, (pe) => {
    const xen = hv.xen!;
    run(xen, cpuFor(pe), () => {
      cpuUpWait(xen);
      startDomains(xen);
    });
  });
  machine.nativeCalls.set(NATIVE.smpCallWait, (pe) => {
    const xen = hv.xen!;
    const cpu = cpuFor(pe);
    if (xen.panicked !== null) {
      xen.cpu = cpu;
      idle(xen);
      return;
    }
    run(xen, cpu, () => {
      smpCallWait(xen);
      startDomains(xen);
    });
  });
  machine.nativeCalls.set(NATIVE.secondary, (pe) => {
    const xen = hv.xen;
    if (!xen) return cpuFor(pe).wfi();
    run(xen, cpuFor(pe), () => {
      initSecondary(xen);
      idle(xen);
    });
  });
  return hv;
}
