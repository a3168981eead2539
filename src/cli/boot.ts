// `armvisor boot` and `armvisor layout`: the hypervisor's start of day on a board, and its
// memory layout / identity-map decision without booting.
//
// boot exit status: 0 when the start of day completes (with no domain to run, the hypervisor
// powers the machine off with PSCI SYSTEM_OFF); 3 when the hypervisor panicked (the (XEN) log
// says why) or the machine wedged; 4 for a --strict architecture-rule violation; 1 bad input.
import { dcacheOptions } from './run.js';
import { MMU_OFF_POLICIES } from '../hv/cacheCoherency.js';
import { InputError, hex } from '../util/errors.js';
import { sr } from '../arch/sysreg/index.js';
import { describeEsr } from '../arch/esr-decode.js';
import { dumpTables, explainWalk } from '../arch/mmu/dump.js';
import { Bus } from '../platform/bus.js';
import { Machine, describeStop, type StopReason } from '../platform/machine.js';
import { Pl011 } from '../platform/devices/pl011.js';
import { VIRT_MEMMAP, makeVirtDtb, virtCpuMpidr } from '../platform/boards/virtDt.js';
import { createBoard, type Board } from '../platform/boards/index.js';
import { wireVirtInterrupts } from '../platform/boards/virt.js';
import { planXenBoot, type XenBootModule, type XenDomainSpec, type XenModuleKind } from '../platform/loader/xenBoot.js';
import { fileURLToPath } from 'node:url';
import { buildDtb, fdtNode, getReg, setReg, setString, type FdtNode } from '../fdt/dtb.js';
import { buildXenImage } from '../hv/image.js';
import { installHypervisor, type Hypervisor } from '../hv/entry.js';
import { decideIdentityMap, layoutLines, layoutSelfChecks, makeLayout } from '../hv/mm/mmu/layout.js';
import type { XenKnobs } from '../hv/xen.js';
import { parseAddr, parseCount, parseSize, readInput } from './run.js';
import { readTree } from './mpuPlan.js';
import { parseDom0, withDom0Mem } from './dom0Option.js';
import type { Fdt } from '../fdt/dtb.js';
import type { PmsaConfig } from '../arch/pmsa/state.js';
import { r82DefaultLoads, r82DefaultTree, r82HostTree } from '../hv/configs/r82.js';

export interface RamBankSpec {
  start: number;
  size: number;
}

export interface XenBootSpec {
  board: string;
  /** RAM banks (default: the board's). */
  ram?: RamBankSpec[];
  memSize?: number;
  /** Number of PEs (secondaries come up through PSCI CPU_ON). */
  smp?: number;
  loadAddr?: number;
  loader: 'direct' | 'grub';
  modules?: XenBootModule[];
  /** dom0less domains (/chosen xen,domain nodes). */
  domains?: XenDomainSpec[];
  /** A whole host device tree in place of the board's (QEMU's -dtb): its /chosen is kept. */
  hostTree?: FdtNode;
  /** Blobs to put in RAM at fixed addresses before boot (QEMU's -device loader,file=,addr=). */
  loads?: { addr: number; data: Uint8Array; name: string }[];
  xenBootargs?: string;
  strict?: boolean;
  knobs?: XenKnobs;
  layout?: 'seed' | 'upstream';
  maxInsns?: number;
  console: (byte: number) => void;
  /** Rule-checker events as they happen. */
  onRule?: (line: string) => void;
  /** r82: the hypervisor configuration (a host tree or a /chosen fragment; default the built-in one). */
  config?: Fdt;
  /** r82: MPU options (MPUIR_EL2 region count…), as the board registry takes them. */
  pmsa?: Partial<PmsaConfig>;
  /** Edit the board's device tree before modules are added (tests: bad trees). */
  editTree?: (root: FdtNode) => void;
  /** Called with the machine before it runs (tests: hooks on the PEs). */
  onMachine?: (m: Machine) => void;
  /** Replace the placed DTB blob (tests: truncated blobs). */
  editDtb?: (blob: Uint8Array) => Uint8Array;
}

export interface XenBootResult {
  stop: StopReason;
  hv: Hypervisor;
  machine: Machine;
  status: number;
  message: string | null;
  ruleEvents: number;
}

/** PA bits of the boards' CPUs (Cortex-A57: 44). */
const PA_BITS = 44;

/** The board registry's board `name` as the hypervisor boots on it: EL2 PEs, PSCI over SMC. */
function registryBoard(
  name: string,
  smp: number,
  memSize: number | undefined,
  console: (b: number) => void,
  pmsa?: Partial<PmsaConfig>,
  maxInsns?: number,
): Board {
  if (pmsa && name !== 'r82') throw new InputError('--mpu-el2-regions', `'${name}' has no MPU (only the r82 board does)`);
  return createBoard(name, {
    el: 2,
    cpus: smp,
    console,
    ...(memSize !== undefined ? { memSize } : {}),
    ...(pmsa ? { pmsa } : {}),
    ...(maxInsns !== undefined ? { maxInsns } : {}),
  });
}

/**
 * r82 for the MPU backend: the registry's board (its GICv3 is what the hypervisor's gicInit
 * drives) and the host tree of the configuration (the built-in r82 one by default) for this
 * RAM and CPUs.
 */
function r82HvBoard(spec: XenBootSpec, smp: number): HvBoard {
  const board = registryBoard('r82', smp, spec.memSize, spec.console, spec.pmsa, spec.maxInsns);
  const machine = board.machine;
  const banks = board.ramBanks.map((b) => ({ start: b.base, size: b.size }));
  const host = { ramSize: banks[0].size, cpus: smp };
  const tree = spec.config ? r82HostTree(spec.config, host) : r82DefaultTree(host);
  // The built-in configuration brings its own domain kernels (guests/bin/*-r82d*.img).
  return { machine, banks, tree: tree.root, ...(spec.config ? {} : { loads: r82DefaultLoads(tree) }) };
}

/** The RAM banks of a board. */
export function boardBanks(board: string, memSize?: number): RamBankSpec[] {
  return registryBoard(board, 1, memSize, () => {}).ramBanks.map((b) => ({ start: b.base, size: b.size }));
}

/** The virt device tree with `banks` as its /memory nodes. */
function boardTree(banks: RamBankSpec[], cpus: number): FdtNode {
  const root = makeVirtDtb({ ramBase: banks[0].start, ramSize: banks[0].size, cpus, el: 2, gicVersion: 3 });
  const chosen = root.children.find((c) => c.name === 'chosen') ?? fdtNode('chosen');
  if (!root.children.includes(chosen)) root.children.push(chosen);
  setString(chosen, 'stdout-path', `/pl011@${VIRT_MEMMAP.uart.base.toString(16)}`);
  root.children = root.children.filter((c) => !c.name.startsWith('memory'));
  for (const b of banks) {
    const m = fdtNode(`memory@${b.start.toString(16)}`);
    setReg(m, 'reg', [{ address: b.start, size: b.size }], 2, 2);
    setString(m, 'device_type', 'memory');
    root.children.splice(1, 0, m);
  }
  return root;
}

/** What the start of day needs from a board: its machine (EL2 PEs), RAM banks and device tree. */
export interface HvBoard {
  machine: Machine;
  banks: RamBankSpec[];
  tree: FdtNode;
  /** Files the board's configuration needs in RAM (r82's built-in domain kernels). */
  loads?: { addr: number; data: Uint8Array; name: string }[];
}

/**
 * The board the hypervisor boots on: virt's devices (PL011, PSCI over SMC, Cortex-A57 PEs
 * with EL2) with the board's RAM banks, or `spec.ram`. The seam for the board registry: once
 * it exists, this builds the named board instead.
 */
export function makeHvBoard(spec: XenBootSpec): HvBoard {
  const smp = spec.smp ?? 1;
  if (!Number.isInteger(smp) || smp < 1 || smp > 8) throw new InputError('--smp', `'${spec.smp}' must be 1..8`);
  if (spec.board === 'r82') {
    if (spec.ram) throw new InputError('--ram', 'the r82 board has its own DRAM window (use --mem)');
    return r82HvBoard(spec, smp);
  }
  if (!spec.ram) {
    const board = registryBoard(spec.board, smp, spec.memSize, spec.console, spec.pmsa, spec.maxInsns);
    const banks = board.ramBanks.map((b) => ({ start: b.base, size: b.size }));
    return { machine: board.machine, banks, tree: board.deviceTree() };
  }
  const banks = [...spec.ram].sort((a, b) => a.start - b.start);
  for (const b of banks) {
    if (b.start % 4096 || b.size % 4096 || b.size <= 0)
      throw new InputError('--ram', `bank ${hex(b.start)}+${hex(b.size)} is not page aligned`);
    if (b.start + b.size > 2 ** PA_BITS)
      throw new InputError('--ram', `bank ${hex(b.start)}+${hex(b.size)} is beyond the ${PA_BITS}-bit PA space`);
  }
  for (let i = 1; i < banks.length; i++) {
    const a = banks[i - 1];
    if (banks[i].start < a.start + a.size)
      throw new InputError('--ram', `bank ${hex(banks[i].start)} overlaps bank ${hex(a.start)}+${hex(a.size)}`);
  }
  const bus = new Bus();
  for (const b of banks) bus.addRam(b.start, b.size);
  const uart = new Pl011({ tx: spec.console });
  bus.addMmio(VIRT_MEMMAP.uart.base, VIRT_MEMMAP.uart.size, uart);
  const machine = new Machine({
    bus,
    cpus: Array.from({ length: smp }, (_, i) => ({
      id: i,
      affinity: virtCpuMpidr(i),
      hasEl2: true,
      paBits: PA_BITS,
      profile: 'A' as const,
    })),
    bootEl: 2,
    conduit: 'smc',
    console: spec.console,
    ...(spec.maxInsns !== undefined ? { maxInsns: spec.maxInsns } : {}),
  });
  wireVirtInterrupts(machine, bus, uart);
  return { machine, banks, tree: boardTree(banks, smp) };
}

/**
 * A user's host tree whose /memory claims RAM the board does not have would send the hypervisor
 * into a Data Abort on its first touch of it: say so up front (the usual cause: --mem missing).
 */
function checkTreeMemory(root: FdtNode, banks: RamBankSpec[]): void {
  for (const m of root.children.filter((c) => c.name === 'memory' || c.name.startsWith('memory@'))) {
    for (const r of getReg(root, m)) {
      if (r.size === 0 || banks.some((b) => r.address >= b.start && r.address + r.size <= b.start + b.size)) continue;
      const have = banks.map((b) => `[${hex(b.start)}, ${hex(b.start + b.size)})`).join(', ');
      throw new InputError(
        '--dtb',
        `/${m.name} [${hex(r.address)}, ${hex(r.address + r.size)}) is not RAM on this board (RAM: ${have}; --mem?)`,
      );
    }
  }
}

/** Boot the hypervisor's start of day on a board; runs to a stop. */
export function bootXen(spec: XenBootSpec): XenBootResult {
  const board = makeHvBoard(spec);
  const { machine, banks } = board;
  const tree = spec.hostTree ?? board.tree;
  if (spec.hostTree) checkTreeMemory(spec.hostTree, banks);
  const bus = machine.bus;
  machine.rules.strict = spec.strict === true;
  machine.rules.sink = spec.onRule ?? null;
  // On the MPU the image is linked at its load address (no XEN_VIRT_START): RAM base + 2 MiB
  // unless --load-addr says otherwise.
  const mpu = spec.board === 'r82';
  const mpuLoad = spec.loadAddr ?? banks[0].start + 2 * 1024 * 1024;
  if (mpu && mpuLoad % 4096 !== 0) throw new InputError('--load-addr', `${hex(mpuLoad)} is not 4 KiB aligned`);
  const image = buildXenImage(mpu ? { mpu: true, linkAddr: mpuLoad } : makeLayout(spec.layout ?? 'seed'));
  const hv = installHypervisor(machine, image, { knobs: spec.knobs ?? {} });
  spec.editTree?.(tree);
  const plan = planXenBoot({
    banks,
    image: image.bytes,
    imageSize: image.size,
    ...(mpu ? { loadAddr: mpuLoad } : spec.loadAddr !== undefined ? { loadAddr: spec.loadAddr } : {}),
    loader: spec.loader,
    dtb: tree,
    ...(spec.editDtb ? { editDtb: spec.editDtb } : {}),
    modules: spec.modules ?? [],
    domains: spec.domains ?? [],
    ...(spec.xenBootargs !== undefined ? { xenBootargs: spec.xenBootargs } : {}),
  });
  const extra = [...(board.loads ?? []), ...(spec.loads ?? [])];
  for (const l of extra) {
    if (!banks.some((b) => l.addr >= b.start && l.addr + l.data.length <= b.start + b.size))
      throw new InputError('--load', `${l.name} [${hex(l.addr)}, ${hex(l.addr + l.data.length)}) is not inside RAM`);
    const clash = plan.loads.find((p) => l.addr < p.addr + p.data.length && p.addr < l.addr + l.data.length);
    if (clash)
      throw new InputError('--load', `${l.name} at ${hex(l.addr)} overlaps the ${clash.what} the boot loader placed at ${hex(clash.addr)}`);
  }
  for (const l of [...plan.loads, ...extra]) bus.writeBytes(l.addr, l.data);
  machine.boot(0, plan.entry, plan.x0);
  spec.onMachine?.(machine);
  const stop = machine.run()!;
  let { status, message } = describeStop(stop);
  if (hv.panicked !== null) {
    status = 3;
    message = `the hypervisor panicked: ${hv.panicked}`;
  } else if (stop.kind === 'wedged') {
    // An exception the hypervisor could not even enter its vectors for (e.g. no identity map
    // when the MMU came on): say what the PE last took.
    const pe = machine.pes[0];
    const esr = Number(pe.sys[sr('ESR_EL2')] & 0xffff_ffffn);
    const ec = describeEsr(BigInt(esr), { el2: true })[1]?.replace(/^\s*EC\s+0x[0-9a-f]+\s+/, '') ?? '';
    message += `; last exception: ESR_EL2 ${hex(esr)} (${ec}), FAR_EL2 ${hex(pe.sys[sr('FAR_EL2')])}`;
  }
  const ruleEvents = [...machine.rules.counts.values()].reduce((a, b) => a + b, 0);
  return { stop, hv, machine, status, message, ruleEvents };
}

// --- CLI ------------------------------------------------------------------------------------------

export interface BootOptions {
  board: string;
  mem?: string;
  smp?: string;
  ram?: string;
  loadAddr?: string;
  loader: string;
  module?: string[];
  domu?: string[];
  dom0?: string;
  dtb?: string;
  /** --dts: an alias of --dtb (readTree takes either format). */
  dts?: string;
  load?: string[];
  xenBootargs?: string;
  strict?: boolean;
  layout?: string;
  knob?: string[];
  maxInsns?: string;
  mpuEl2Regions?: string;
  config?: string;
  dumpTables?: boolean;
  explain?: boolean;
  /** The data-cache model (seed 001), as `run --dcache`. */
  dcache?: boolean;
  dcacheSeed?: string;
  dcacheSize?: string;
  dcacheWays?: string;
}

/** --ram base:size[,base:size...] (hex base, size with units). */
export function parseRam(text: string): RamBankSpec[] {
  return text.split(',').map((part) => {
    const [a, s] = part.split(':');
    if (!a || !s) throw new InputError('--ram', `'${part}' is not base:size (e.g. 0x8000000000:2G)`);
    return { start: parseAddr(a, '--ram'), size: parseSize(s, '--ram') };
  });
}

const MODULE_KINDS: XenModuleKind[] = ['kernel', 'ramdisk', 'device-tree', 'xsm', 'module'];

function parseModule(text: string): XenBootModule {
  const eq = text.indexOf('=');
  const kind = text.slice(0, eq) as XenModuleKind;
  const path = text.slice(eq + 1);
  if (eq < 0 || !MODULE_KINDS.includes(kind) || !path) {
    throw new InputError('--module', `'${text}' is not <kind>=<file> with kind one of ${MODULE_KINDS.join(', ')}`);
  }
  return { kind, data: readInput(path, '--module'), name: path };
}

/** The built-in configuration of `armvisor boot` with no modules: two self-checking domUs. */
export const DEFAULT_DOMUS = ['hello-domu.img', 'cprog-domu.img'].map((f) =>
  fileURLToPath(new URL(`../../../guests/bin/${f}`, import.meta.url)),
);
/** memory of a --domu domain unless mem= says otherwise (Xen's binding counts KiB). */
const DEFAULT_DOMU_MEM = 16 * 1024 * 1024;

/**
 * --domu FILE[,mem=SIZE][,cpus=N][,dtb=PARTIAL][,ramdisk=FILE2][,policy=none|seed|xen][,bootargs=TEXT]:
 * shorthand for a /chosen/domU<n> node (compatible "xen,domain", memory in KiB, cpus, vpl011)
 * with FILE as its multiboot,kernel module, PARTIAL (DTS or DTB) as its multiboot,device-tree
 * one (passthrough devices), FILE2 as its multiboot,ramdisk one and policy as
 * armvisor,mmu-off-policy (seed 001). bootargs, when given,
 * must come last (it may contain commas).
 */
export function parseDomu(text: string, index: number): XenDomainSpec {
  const at = text.indexOf(',bootargs=');
  const head = at < 0 ? text : text.slice(0, at);
  const bootargs = at < 0 ? undefined : text.slice(at + ',bootargs='.length);
  const [file, ...opts] = head.split(',');
  if (!file) throw new InputError('--domu', `'${text}' does not name a kernel file`);
  let mem = DEFAULT_DOMU_MEM;
  let cpus = 1;
  let pdt: XenBootModule | undefined;
  let ramdisk: XenBootModule | undefined;
  let policy: string | undefined;
  for (const o of opts) {
    const eq = o.indexOf('=');
    const k = o.slice(0, eq);
    const v = o.slice(eq + 1);
    if (k === 'mem') mem = parseSize(v, '--domu mem');
    else if (k === 'cpus') cpus = parseCount(v, '--domu cpus');
    else if (k === 'dtb') pdt = { kind: 'device-tree', data: buildDtb(readTree(v)), name: v };
    else if (k === 'ramdisk' && v) ramdisk = { kind: 'ramdisk', data: readInput(v, '--domu ramdisk'), name: v };
    else if (k === 'policy' && (MMU_OFF_POLICIES as readonly string[]).includes(v)) policy = v;
    else if (k === 'policy') throw new InputError('--domu', `policy=${v} must be one of ${MMU_OFF_POLICIES.join(', ')}`);
    else throw new InputError('--domu', `'${o}' is not mem=SIZE, cpus=N, dtb=FILE, ramdisk=FILE, policy=NAME or bootargs=TEXT`);
  }
  if (mem % 4096 || mem < 2 * 1024 * 1024) throw new InputError('--domu', `mem=${mem} must be a multiple of 4K and at least 2M`);
  if (cpus < 1 || cpus > 8) throw new InputError('--domu', `cpus=${cpus} must be 1..8`);
  return {
    name: `domU${index + 1}`,
    memKb: mem / 1024,
    cpus,
    vpl011: true,
    kernel: { kind: 'kernel', data: readInput(file, '--domu'), name: file, ...(bootargs !== undefined ? { cmdline: bootargs } : {}) },
    ...(pdt || ramdisk ? { modules: [pdt, ramdisk].filter((m): m is XenBootModule => m !== undefined) } : {}),
    ...(policy !== undefined ? { mmuOffPolicy: policy } : {}),
  };
}

/** --load FILE@ADDR (QEMU's -device loader,file=FILE,addr=ADDR,force-raw=on). */
function parseLoad(text: string): { addr: number; data: Uint8Array; name: string } {
  const at = text.lastIndexOf('@');
  if (at <= 0) throw new InputError('--load', `'${text}' is not FILE@ADDR`);
  const name = text.slice(0, at);
  return { name, addr: parseAddr(text.slice(at + 1), '--load'), data: readInput(name, '--load') };
}

function parseLayout(v: string | undefined): 'seed' | 'upstream' {
  if (v === undefined || v === 'seed' || v === 'upstream') return v ?? 'seed';
  throw new InputError('--layout', `'${v}' must be seed or upstream`);
}

export function bootCommand(opts: BootOptions): number {
  if (opts.dts !== undefined && opts.dtb !== undefined) throw new InputError('--dts', 'give the host tree once (--dts or --dtb)');
  const o: BootOptions = opts.dts !== undefined ? { ...opts, dtb: opts.dts } : opts;
  if (o.loader !== 'direct' && o.loader !== 'grub') throw new InputError('--loader', `'${o.loader}' must be direct or grub`);
  const knobs: XenKnobs = {};
  for (const k of o.knob ?? []) {
    if (k === 'map-tables-with-domain-page-only') knobs.mapTablesWithDomainPageOnly = true;
    else if (k === 'omit-identity-map') knobs.omitIdentityMap = true;
    else if (k === 'unpause-early') knobs.unpauseEarly = true;
    else throw new InputError('--knob', `'${k}' is not a knob (knobs: map-tables-with-domain-page-only, omit-identity-map, unpause-early)`);
  }
  if ((o.mpuEl2Regions !== undefined || o.config !== undefined) && o.board !== 'r82') {
    throw new InputError(o.config !== undefined ? '--config' : '--mpu-el2-regions', `only the r82 board (MPU) takes it, not '${o.board}'`);
  }
  // No modules at all: the built-in configuration — on the MMU boards two domUs side by side on
  // two pCPUs; on r82 the configuration's own /chosen domains.
  const builtIn = o.module === undefined && o.dtb === undefined && o.dom0 === undefined && o.board !== 'r82';
  const dom0 = o.dom0 !== undefined ? parseDom0(o.dom0) : undefined;
  const domus = o.domu ?? (builtIn ? DEFAULT_DOMUS : []);
  const hostTree = o.dtb !== undefined ? readTree(o.dtb).root : undefined;
  const loads = (o.load ?? []).map(parseLoad);
  const domains = domus.map(parseDomu);
  const dcache = dcacheOptions(o);
  const smp =
    o.smp !== undefined ? parseCount(o.smp, '--smp') : domains.length || dom0 ? Math.min(8, Math.max(2, domains.length)) : undefined;
  let out = '';
  const flush = (): void => {
    if (out) process.stdout.write(out);
    out = '';
  };
  const r = bootXen({
    board: o.board,
    ...(o.ram !== undefined ? { ram: parseRam(o.ram) } : {}),
    ...(o.mem !== undefined ? { memSize: parseSize(o.mem, '--mem') } : {}),
    ...(smp !== undefined ? { smp } : {}),
    ...(o.loadAddr !== undefined ? { loadAddr: parseAddr(o.loadAddr, '--load-addr') } : {}),
    loader: o.loader,
    modules: [...(dom0 ? [dom0.kernel] : []), ...(o.module ?? []).map(parseModule)],
    domains,
    ...(hostTree ? { hostTree } : {}),
    loads,
    ...(withDom0Mem(o.xenBootargs, dom0) !== undefined ? { xenBootargs: withDom0Mem(o.xenBootargs, dom0) } : {}),
    strict: o.strict === true,
    knobs,
    layout: parseLayout(o.layout),
    ...(o.maxInsns !== undefined ? { maxInsns: parseCount(o.maxInsns, '--max-insns') } : {}),
    ...(o.mpuEl2Regions !== undefined ? { pmsa: { el2Regions: parseCount(o.mpuEl2Regions, '--mpu-el2-regions') } } : {}),
    ...(o.config !== undefined ? { config: readTree(o.config) } : {}),
    console: (b) => {
      out += String.fromCharCode(b);
      if (out.length > 4096) flush();
    },
    onRule: (line) => {
      flush();
      process.stderr.write(line + '\n');
    },
    ...(o.explain || dcache
      ? {
          onMachine: (m: Machine) => {
            if (dcache) m.enableDataCache(dcache);
            if (o.explain)
              for (const pe of m.pes) {
                pe.onTranslationFault = (p, va, fel, fetch, what) => {
                  flush();
                  process.stderr.write(`armvisor: PE${p.id} translation fault at PC ${hex(p.curPc)} (${what}):\n`);
                  process.stderr.write(explainWalk(p, va, fel, fetch).join('\n') + '\n');
                };
              }
          },
        }
      : {}),
  });
  flush();
  if (r.message) process.stderr.write(`armvisor: ${r.message}\n`);
  for (const l of r.machine.rules.summary()) process.stderr.write(`armvisor: ${l}\n`);
  if (o.dumpTables) for (const pe of r.machine.pes) if (pe.retired > 0) process.stderr.write(dumpTables(pe).join('\n') + '\n');
  return r.status;
}

export interface LayoutOptions {
  board: string;
  mem?: string;
  ram?: string;
  loadAddr?: string;
  layout?: string;
}

/** `armvisor layout`: the layout, its self-checks, and the identity-map decision for a load. */
export function layoutCommand(o: LayoutOptions): string {
  if (o.board === 'r82') {
    throw new InputError(
      '--board',
      "'r82' has no virtual layout: its hypervisor runs at physical addresses behind the EL2 MPU (see armvisor mpu-plan)",
    );
  }
  const banks = o.ram !== undefined ? parseRam(o.ram) : boardBanks(o.board, o.mem !== undefined ? parseSize(o.mem, '--mem') : undefined);
  banks.sort((a, b) => a.start - b.start);
  const l = makeLayout(parseLayout(o.layout));
  const image = buildXenImage(l);
  const load = o.loadAddr !== undefined ? parseAddr(o.loadAddr, '--load-addr') : banks[0].start + 2 * 1024 * 1024;
  if (load % 4096 !== 0) throw new InputError('--load-addr', `${hex(load)} is not 4 KiB aligned`);
  if (!banks.some((b) => load >= b.start && load + image.size <= b.start + b.size)) {
    throw new InputError('--load-addr', `the hypervisor image [${hex(load)}, ${hex(load + image.size)}) is not inside one RAM bank`);
  }
  const lines = [...layoutLines(l)];
  const bad = layoutSelfChecks(l, image.size);
  lines.push(bad.length ? `Self-checks FAILED: ${bad.join('; ')}` : 'Self-checks: all build-time assertions hold');
  lines.push('RAM banks:');
  for (const b of banks) {
    const clash = l.regions.filter((r) => b.start < r.start + r.size && r.start < b.start + b.size).map((r) => r.name);
    const note = clash.length ? `  (VA = PA would clash with ${clash.join(', ')})` : '';
    lines.push(`  ${b.start.toString(16).padStart(16, '0')} - ${(b.start + b.size - 1).toString(16).padStart(16, '0')}${note}`);
  }
  // The direct loader puts the DTB at the next 2 MB boundary after the image (loader/xenBoot.ts).
  const dtb = Math.ceil((load + image.size) / (2 * 1024 * 1024)) * 2 * 1024 * 1024;
  const d = decideIdentityMap(l, {
    image: { start: load, end: load + image.size },
    banks,
    avoid: [{ start: dtb, end: dtb + 2 * 1024 * 1024 }],
  });
  lines.push(
    `Xen image: ${hex(load)} - ${hex(load + image.size)} (phys_offset ${load >= l.xenVirtStart ? '' : '-'}${hex(Math.abs(load - l.xenVirtStart))})`,
  );
  lines.push(`Identity map: ${d.kind}: ${d.log}`);
  return lines.join('\n') + '\n';
}
