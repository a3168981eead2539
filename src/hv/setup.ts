// The start of day: head (arm64/head.S: entered at _start with the MMU off, x0 = DTB) and
// startXen (arm/setup.c start_xen), as the sequence of routines a Xen engineer expects. Memory
// management goes through xen.mm (mm/backend.ts: the MMU or the MPU backend). Each
// runs at its symbol (the notional PC), so where it runs from matters: the head's page-table
// code runs from .init.text by PA with the MMU off, enableMmu and the TTBR switch from the
// identity-mapped .text.idmap page, startXen from .init.text, initDone from .text after .init
// has been unmapped.
import { paddr } from './format.js';
import type { Xen } from './xen.js';
import { SystemState } from './xen.js';
import { panic } from './panic.js';
import { PAGE_SIZE } from './mm/mmu/layout.js';
import { dtCpuMpidrs, earlyScan, fdtTotalSize, parseFdtOrPanic, type EarlyFdt } from './earlyfdt.js';
import { gicInit, gicv3CpuInit, xenTimeLine } from './gic/gicV3.js';
import { BootAllocator, populateBootAllocator } from './mm/bootAllocator.js';
import { Heap } from './mm/pageAlloc.js';
import { bootFdtInfo, bootInfoLog, commandLineLog } from './bootfdt.js';
import type { BootInfo } from './bootinfo.js';
import { createDomUs } from './domain/dom0less.js';
import { smpCallFunction, smpPark, smpWaitFor } from './smp.js';
import { createDom0 } from './domain/dom0.js';

/** PSCI SYSTEM_OFF (SMC32 function ID). */
const PSCI_SYSTEM_OFF = 0x8400_0008;

/** _start: the boot CPU's entry (MMU/MPU off, x0 = DTB PA). */
export function head(xen: Xen): void {
  const cpu = xen.cpu;
  xen.loadPa = cpu.pc;
  xen.physOffset = xen.loadPa - xen.image.linkAddr;
  xen.fdtPa = cpu.x(0);

  const early = xen.call('earlyMemoryBanks', () => {
    const hdr = cpu.copyFrom(xen.fdtPa, 8);
    return earlyScan(cpu.copyFrom(xen.fdtPa, fdtTotalSize(hdr, xen.fdtPa)), xen.fdtPa);
  });
  if (early.uartPa !== null) xen.console.setUart(early.uartPa, true);
  if (early.banks.length === 0) panic('No memory bank found in the device tree (/memory)');
  xen.console.raw('- Boot CPU booting -');
  xen.console.raw(`- Current EL ${paddr(Number(cpu.readSysreg('CurrentEL')))} -`);
  // The EL2 regime on (page tables or MPU regions), .bss zeroed, then start_xen.
  // head.S's common tail, whatever turned the EL2 regime on: zero .bss, then start_xen.
  xen.mm.head(xen, early, () => {
    zeroBss(xen);
    xen.console.raw('- Ready -');
    startXen(xen, early);
  });
  // Secondary CPUs are coming up: the boot CPU waits in cpuUpWait (a native-call spin loop,
  // so the machine runs the other PEs meanwhile).
  if (xen.waitingFor.length) cpu.setPc(xen.sym('cpuUpWait'));
  smpPark(xen);
}

/** zero_bss: .bss at its link address (the EL2 regime maps it by now: MMU or MPU). */
function zeroBss(xen: Xen): void {
  xen.call('zeroBss', () => {
    xen.console.raw('- Zero BSS -');
    const bss = xen.image.section('.bss');
    xen.cpu.zero(xen.image.linkAddr + bss.offset, bss.size);
  });
}

/** start_xen. */
export function startXen(xen: Xen, early: EarlyFdt): void {
  xen.call('startXen', () => {
    const cpu = xen.cpu;
    xen.mm.setupPagetables(xen);

    const fdtVa = xen.call('earlyFdtMap', () => xen.mm.earlyFdtMap(xen, xen.fdtPa));
    const fdt = cpu.copyFrom(fdtVa, fdtTotalSize(cpu.copyFrom(fdtVa, 8), xen.fdtPa));
    // bootFdtInfo reads physical memory only for has_xsm_magic (a module's first word), through
    // the fixmap: the access seed 003's GRUB boots crashed in.
    const xenImage = { start: xen.loadPa, size: xen.image.size };
    const bi = xen.call('bootFdtInfo', () =>
      bootFdtInfo(fdt, xen.fdtPa, (pa, len) => xen.call('hasXsmMagic', () => xen.mm.copyFromPaddr(xen, pa, len)), { xenImage }),
    );
    xen.bootInfo = bi;
    xen.fdtBlob = fdt;
    for (const l of bootInfoLog(bi)) xen.printk(l);
    xen.printk(commandLineLog(bi));

    setupMm(xen, bi, fdt.length);
    xen.mm.vmInit(xen);
    consoleInitPreirq(xen, early);
    const root = parseFdtOrPanic(fdt, xen.fdtPa).root;
    const mpidrs = dtCpuMpidrs(fdt, xen.fdtPa);
    xen.cpuMpidr = mpidrs;
    const timeLine = xenTimeLine(root, xen.cpu.readSysreg('CNTFRQ_EL0'));
    if (timeLine) xen.printk(timeLine);
    gicInit(xen, root);
    smpUp(xen, mpidrs);
    if (xen.waitingFor.length === 0) startXenLate(xen);
  });
}

/** The rest of start_xen, once the secondary CPUs are up (or gave up on). */
function startXenLate(xen: Xen): void {
  const banner = new TextDecoder().decode(xen.cpu.copyFrom(xen.sym('xenBanner'), 0x80)).split('\0')[0];
  xen.printk(banner);
  // create_domUs: the memory side (MPU: direct-mapped static memory, checked against the
  // region budget), then the domains themselves (their stage 2 from xen.mm.p2mInit).
  for (const d of xen.bootInfo?.domains ?? []) for (const l of xen.mm.domainMemory(xen, d)) xen.printk(l);
  // create_dom0 first when a kernel module lies outside every xen,domain node (is_dom0less_mode).
  if (!createDom0(xen) && xen.bootInfo?.domains.length) xen.printk('Xen dom0less mode detected');
  createDomUs(xen);
  xen.state = SystemState.Active;
  if (xen.domains.length) {
    xen.printk('Std. Loglevel: All');
    xen.printk('Guest Loglevel: All');
  }
  // Domains are unpaused only once initDone's freeInitMemory has run on every pCPU. The knob
  // does it here, as upstream Xen's start_xen does, and lets the idle secondaries pick their
  // vCPUs up and run them until their first exit back to EL2 before the boot CPU goes on to
  // init_done (on hardware they would at once; init_done's cross-call SGI, taken at the guest's
  // first instruction boundary, would otherwise decide the interleaving).
  if (xen.knobs.unpauseEarly && xen.domains.length) {
    xen.domainsUnpaused = true;
    xen.cpu.sev();
    const notBack = (): string[] =>
      [...xen.cpuOnline]
        .filter(
          (c) =>
            c !== xen.cpu.id &&
            !xen.guestExited.has(c) &&
            xen.domains.some((d) => d.state === 'running' && d.vcpus.some((v) => v.processor === c)),
        )
        .map((c) => `CPU${c}`);
    smpWaitFor(xen, 'unpause-early', notBack, () => initDone(xen));
    return;
  }
  initDone(xen);
}

/** PSCI CPU_ON (SMC64 function ID). */
const PSCI_CPU_ON64 = 0xc400_0003;
/** How long the boot CPU spins for a secondary (Xen waits a second). */
export const SMP_TIMEOUT_SPINS = 100_000;

/** smp_init_cpus + __cpu_up: start every other CPU through PSCI CPU_ON at initSecondary. */
function smpUp(xen: Xen, mpidrs: number[]): void {
  xen.call('smpUp', () => {
    const cpu = xen.cpu;
    xen.cpuMpidr = mpidrs;
    xen.printk(`SMP: Allowing ${mpidrs.length} CPUs`);
    if (mpidrs.length <= 1) return;
    // update_identity_mapping(true): secondaries turn their MMU on from the identity page.
    xen.mm.updateIdentityMapping(xen, true);
    const entry = xen.mm.secondaryEntry(xen);
    for (let i = 1; i < mpidrs.length; i++) {
      xen.printk(`Bringing up CPU${i}`);
      const r = Number(BigInt.asIntN(32, cpu.smc(PSCI_CPU_ON64, mpidrs[i], entry, i)));
      if (r !== 0) xen.printk(`Failed to bring up CPU${i} (PSCI error ${r})`);
      else xen.waitingFor.push(i);
    }
  });
}

/** The boot CPU's wait loop: one spin per entry, then the rest of start_xen. */
export function cpuUpWait(xen: Xen): void {
  const pending = xen.waitingFor.filter((c) => !xen.cpuOnline.has(c));
  if (pending.length && xen.waitSpins++ < SMP_TIMEOUT_SPINS) {
    xen.cpu.setPc(xen.sym('cpuUpWait'));
    return;
  }
  xen.call('startXen', () => {
    for (const c of pending) xen.printk(`CPU${c} never came online`);
    xen.waitingFor = [];
    // update_identity_mapping(false)
    xen.mm.updateIdentityMapping(xen, false);
    xen.printk(`Brought up ${xen.cpuOnline.size} CPUs`);
    startXenLate(xen);
  });
  smpPark(xen);
}

/**
 * A secondary CPU's entry (PSCI CPU_ON target, in the identity page; x0 = its logical id):
 * cpu_init and the EL2 regime on (enable_secondary_cpu_mm: the MMU straight onto the shared
 * runtime tables with WXN from the start, or the MPU's live table), then the link address,
 * its vectors, and online.
 */
export function initSecondary(xen: Xen): void {
  const cpu = xen.cpu;
  const id = cpu.x(0);
  xen.mm.enableSecondaryMm(xen);
  cpu.call(xen.sym('startSecondary'), () => {
    cpu.writeSysreg('VBAR_EL2', BigInt(xen.sym('hypTrapsVector')));
    if (xen.gic) gicv3CpuInit(xen, xen.gic, id);
    xen.cpuOnline.add(id);
  });
}

/** setup_mm: the boot allocator over free RAM, the directmap, then the heap. */
function setupMm(xen: Xen, bi: BootInfo, fdtSize: number): void {
  xen.call('setupMm', () => {
    const ba = new BootAllocator();
    xen.call('initBootAllocator', () => {
      const ranges = populateBootAllocator(bi, { start: xen.loadPa, size: xen.image.size }, { start: xen.fdtPa, size: fdtSize });
      // A relocated switch page stays out of it: secondary CPUs enter through it.
      const keep = xen.mm.bootAllocatorKeep(xen);
      for (const r of ranges) {
        const end = r.start + r.size;
        if (keep >= r.start && keep < end) {
          ba.initBootPages(r.start, keep);
          ba.initBootPages(keep + PAGE_SIZE, end);
        } else ba.initBootPages(r.start, end);
      }
    });
    const initialFree = ba.freePages();
    xen.bootAlloc = ba;
    xen.mm.setupDirectmap(xen, bi.mem);
    const tables = initialFree - ba.freePages();
    const free = xen.call('endBootAllocator', () => ba.endBootAllocator());
    const heap = new Heap();
    heap.initFromBanks(free);
    xen.heap = heap;
    xen.state = SystemState.Boot;
    const freePages = free.reduce((n, r) => n + r.size / PAGE_SIZE, 0);
    xen.printk(`Boot allocator: ${tables} page(s) used for page tables; ${freePages} free pages handed to the heap`);
    xen.printk('Domain heap initialised');
  });
}

/** console_init_preirq: the dtuart, ioremap'd non-cacheable; the console moves to it. */
function consoleInitPreirq(xen: Xen, early: EarlyFdt): void {
  xen.call('consoleInitPreirq', () => {
    if (early.uartPa === null) return;
    xen.printk(`Looking for dtuart at "${early.uartPath}", options ""`);
    if (!early.uartIrq) {
      // pl011_dt_uart_init (xen/drivers/char/pl011.c) gives up on a UART without an interrupt and
      // real Xen runs on with no console at all (no early printk in a release build): say so
      // in its words, but keep ours, so a tree that is silent on real Xen is visibly flagged.
      xen.printk('pl011: Unable to retrieve the IRQ');
      xen.printk('Unable to initialize dtuart: -22');
      xen.printk('(armvisor keeps this console; real Xen would print nothing from here on)');
    }
    const va = xen.mm.ioremapAttr(xen, early.uartPa, PAGE_SIZE, 'nocache');
    xen.console.setUart(va, false);
  });
}

/**
 * init_done (in .text): free .init — on every pCPU when the backend needs each to act (MPU:
 * each installs and checks the runtime table, by cross-call) — then unpause and run the
 * domains (or power off when there are none).
 */
function initDone(xen: Xen): void {
  xen.call('initDone', () => {
    const kb = xen.call('freeInitMemory', () => {
      xen.requireState('freeInitMemory', SystemState.Active);
      return xen.mm.freeInitMemory(xen);
    });
    const mm = xen.mm;
    if (!mm.freeInitMemoryOnCpu) initDoneLate(xen, kb);
    else
      smpCallFunction(
        xen,
        'freeInitMemory',
        (x) => mm.freeInitMemoryOnCpu!(x),
        () => xen.call('initDone', () => initDoneLate(xen, kb)),
      );
  });
}

/** The rest of init_done, once .init is gone everywhere: the domains are unpaused. */
function initDoneLate(xen: Xen, kb: number): void {
  const cpu = xen.cpu;
  xen.printk(`Freed ${kb}kB init memory.`);
  xen.bootDone = true;
  xen.domainsUnpaused = true;
  // With domains, the entry glue schedules them once this entry returns (schedule() moves
  // the PC for good, so it runs outside every routine frame); without, power off cleanly.
  if (xen.domains.length) return;
  xen.printk('No domain configured: nothing to run. Powering off (PSCI SYSTEM_OFF).');
  cpu.smc(PSCI_SYSTEM_OFF);
}
