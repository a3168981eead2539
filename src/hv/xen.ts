// The hypervisor's global state (what Xen keeps in file-scope statics): the boot CPU's PE
// interface, the image and where it was loaded, the system_state phase, the console, the
// page-table roots, the allocators. Private bookkeeping is ordinary TypeScript (DESIGN.md §1);
// everything the hardware walks lives in simulated RAM and is reached through `cpu`.
import type { Cpu } from './arch/cpu.js';
import { Console } from './console.js';
import type { XenImage } from './image.js';
import type { IdentityDecision, XenLayout } from './mm/mmu/layout.js';
import type { BootAllocator } from './mm/bootAllocator.js';
import type { Heap } from './mm/pageAlloc.js';
import type { HostGic } from './gic/gicV3.js';
import type { BootInfoExt } from './bootfdt.js';
import type { Domain, Vcpu } from './domain/domain.js';
import { panic } from './panic.js';
import { mmBackendFor, type MmBackend } from './mm/backend.js';
import type { CallData, SmpWait } from './smp.js';

/** Xen's system_state (xen/include/xen/kernel.h), the phases that guard what may be used. */
export const enum SystemState {
  EarlyBoot = 0,
  Boot = 1,
  Active = 2,
}
export const SYSTEM_STATE_NAMES = ['early_boot', 'boot', 'active'];

/** Test-only knobs that revert a fix to reproduce a seed's failure. */
export interface XenKnobs {
  /**
   * Seed 003: map page tables with mapDomainPage only (the code before Julien Grall's fix),
   * so an early xenPtUpdate reaches for the directmap before it exists: a Data Abort at EL2.
   */
  mapTablesWithDomainPageOnly?: boolean;
  /**
   * Seed 002: leave the switch page out of the boot tables. Turning the MMU on then fetches
   * through tables without the identity map: an Instruction Abort at EL2, as on hardware.
   */
  omitIdentityMap?: boolean;
  /**
   * Seed 000: unpause the domains at the end of start_xen, before init_done's
   * free_init_memory has installed the runtime MPU configuration on every pCPU (Xen's
   * upstream order). An idle secondary picks up its vCPU at once and switches into the
   * domain while its EL2 MPU still holds the boot-time table.
   */
  unpauseEarly?: boolean;
}

export class Xen {
  readonly console: Console;
  /** The memory-management backend the machine's profile chose (DESIGN.md §7). */
  readonly mm: MmBackend;
  /** PA of _start, and PA - VA for the image (signed; any load address, seed 003's sign bug class). */
  loadPa = 0;
  physOffset = 0;
  state: SystemState = SystemState.EarlyBoot;
  mmuOn = false;
  fdtPa = 0;
  /** The early UART's FIX_CONSOLE address, used from the moment the MMU is on. */
  earlyUartVa: number | null = null;
  identity: IdentityDecision | null = null;
  /** PA (= VA) of the identity-mapped switch page (the image's first page, or its relocated copy). */
  idPa = 0;
  /** Roots of the boot and runtime hierarchies (PA) and the next free page in each static pool. */
  bootRoot = 0;
  xenRoot = 0;
  bootPoolUsed = 0;
  xenPoolUsed = 0;
  bootAlloc: BootAllocator | null = null;
  heap: Heap | null = null;
  bootInfo: BootInfoExt | null = null;
  /** The host GICv3, once gicInit has mapped it. */
  gic: HostGic | null = null;
  /** The directmap: VA of PA `base` (1 GB aligned together), once set up. */
  directmap: { base: number; virtStart: number; end: number } | null = null;
  /** VMAP: one flag per page of the area (bookkeeping; the mappings are in the tables). */
  vmapUsed: Uint8Array | null = null;
  /** Call trace of the last fault, kept for the vector's dump. */
  faultTrace: string[] | null = null;
  inTrap = false;
  /** PMAP slot uses so far (a boot maps its boot-allocated tables through them). */
  pmapMaps = 0;
  panicked: string | null = null;
  bootDone = false;

  /** The CPU running hypervisor code now (Xen's smp_processor_id()); set at every entry. */
  cpu: Cpu;
  /** Secondary CPUs asked to come up (by logical id) and those that did (cpu_online_map). */
  readonly cpuOnline = new Set<number>([0]);
  /** MPIDR of each logical CPU, from /cpus. */
  cpuMpidr: number[] = [];
  /** The boot CPU waits at cpuUpWait for these; spins so far. */
  waitingFor: number[] = [];
  waitSpins = 0;
  /** A wait some CPU spins in at smpCallWait (smp.ts: a cross-call's completion), or null. */
  smpWait: SmpWait | null = null;
  /** The cross-call in flight (smp.ts: on_selected_cpus' call_data), or null. */
  callData: CallData | null = null;
  /** domain_unpause_by_systemcontroller has run: idle pCPUs may pick up the domains' vCPUs. */
  domainsUnpaused = false;
  /** The host device tree as bootFdtInfo saw it (the domain builder reads xen,domain nodes). */
  fdtBlob: Uint8Array | null = null;
  /** Domains (d1, d2, …), vCPUs created so far (round-robin placement), and per pCPU the vCPU
   *  running on it (curr) and the one whose registers the PE holds (loaded). */
  readonly domains: Domain[] = [];
  vcpuCount = 0;
  readonly curr = new Map<number, Vcpu | null>();
  readonly loaded = new Map<number, Vcpu | null>();
  /** pCPUs whose running vCPU reached a scheduling point (Xen's SCHEDULE_SOFTIRQ). */
  readonly yieldReq = new Set<number>();
  /** The physical GICv3 as the hypervisor drives it (the scheduler tick), and CPUs set up for it. */
  readonly gicCpuReady = new Set<number>();
  /** pCPUs that have taken an exit from a guest (--knob unpause-early waits for the secondaries' first). */
  readonly guestExited = new Set<number>();

  constructor(
    cpu: Cpu,
    readonly image: XenImage,
    readonly knobs: XenKnobs,
    mm?: MmBackend,
  ) {
    this.cpu = cpu;
    this.mm = mm ?? mmBackendFor(cpu.pe.cfg.profile);
    this.console = new Console(() => this.cpu);
  }

  /** The virtual layout: only the MMU backend has one (an MPU image has no virtual addresses). */
  get layout(): XenLayout {
    if (!this.image.layout) panic(`no virtual layout: this image is linked for the MPU at ${this.image.linkAddr.toString(16)}`);
    return this.image.layout;
  }

  printk(msg: string): void {
    this.console.printk(msg);
  }

  /** VA of an image symbol at its link address. */
  sym(name: string): number {
    return this.image.sym(name);
  }

  /** PA of an image symbol (where the loader put it). */
  pa(name: string): number {
    return this.image.sym(name) + this.physOffset;
  }

  /** virt_to_maddr for image addresses. */
  virtToMaddr(va: number): number {
    return va + this.physOffset;
  }

  /** The image VA of `pa`, or null if `pa` is not inside the loaded image (is_kernel). */
  imageVaOf(pa: number): number | null {
    const va = pa - this.physOffset;
    return va >= this.image.linkAddr && va < this.image.linkAddr + this.image.size ? va : null;
  }

  /** Panic unless the system is in one of `states` (what may be used when). */
  requireState(what: string, ...states: SystemState[]): void {
    if (!states.includes(this.state)) {
      panic(
        `${what} used in system_state ${SYSTEM_STATE_NAMES[this.state]} (allowed: ${states.map((s) => SYSTEM_STATE_NAMES[s]).join(', ')})`,
      );
    }
  }

  /** Run routine `name` at its symbol (notional PC), e.g. call('startXen', ...). */
  call<T>(name: string, fn: () => T): T {
    const va = this.mmuOn ? this.sym(name) : this.pa(name);
    return this.cpu.call(va, fn);
  }
}
