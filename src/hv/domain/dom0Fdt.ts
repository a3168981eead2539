// The hardware domain's device tree (prepare_dtb_hwdom / handle_node / write_properties in
// xen/arch/arm/domain_build.c, Xen 4.17): the host tree walked in order, each node copied with
// its properties unless Xen keeps or replaces it, and Xen's own nodes added at the end of the
// root. The reference is ../shared/reference/real-xen-dom0-fdt.dts (what real Xen built for
// dom0 on QEMU virt from qemu-virt-host.dts). Pure: the caller (dom0.ts) applies the side
// effects handle_device has in Xen — the nodes' MMIO mapped 1:1 and their SPIs routed —
// from the lists returned here.
//
// Per node, as handle_node decides:
//   - skipped with their subtree: compatible xen,xen / xen,multiboot-module / multiboot,module
//     / arm,psci* / the PMUs and the A53 EDAC / arm,armv7-timer-mem, the path /cpus, nodes with
//     device_type "memory";
//   - replaced: the GIC Xen drives → "interrupt-controller" (make_gic_node +
//     gicv3_make_hwdom_dt_node: phandle, cells, compatible, #redistributor-regions, the host's
//     GICD + redistributor regions — dom0's vGIC sits at the hardware addresses, its ITS child
//     dropped); the architected timer → "timer" with the host's PPIs, level-low (make_timer_node);
//   - hidden: the UART Xen uses (dt_device_used_by == DOMID_XEN), and any node with a PPI in its
//     interrupts (the vGIC cannot route a hardware PPI to a guest);
//   - everything else is copied (a "disabled" node too, with its status; a "xen,passthrough"
//     node with status "disabled" and neither its MMIO mapped nor its interrupts routed:
//     it is kept for a domU); /chosen drops xen,xen-bootargs, stdout-path, the initrd and UEFI
//     properties and bootargs, and gets dom0's bootargs and initrd placeholders;
//   - after the root's children: /hypervisor (grant table region + extended regions, the event
//     channel PPI), /psci (hvc), /cpus for the vCPUs (the host CPUs' compatible), /memory, and
//     a second memory node for the /reserved-memory ranges when there are any.
import {
  fdtNode,
  getCells,
  getString,
  isCompatible,
  readCells,
  setBytes,
  setCells,
  setString,
  setStringList,
  setU32,
  type FdtNode,
} from '../../fdt/dtb.js';
import { makeGuestPsciNode } from './guestFdt.js';

/** What Xen's handle_node compares against (skip_matches). */
const SKIP_COMPATIBLE = [
  'xen,xen',
  'xen,multiboot-module',
  'multiboot,module',
  'arm,psci',
  'arm,psci-0.2',
  'arm,psci-1.0',
  'arm,cortex-a7-pmu',
  'arm,cortex-a15-pmu',
  'arm,cortex-a53-edac',
  'arm,armv8-pmuv3',
  'arm,armv7-timer-mem',
];
/** DT_MATCH_TIMER. */
const TIMER_COMPATIBLE = ['arm,armv7-timer', 'arm,armv8-timer'];
/** GIC compatibles Xen's GICv3 driver binds (device class DEVICE_GIC). */
const GICV3_COMPATIBLE = ['arm,gic-v3'];
/** Paths Xen re-uses for its own nodes (reserved_matches): a host node there gets a warning. */
const RESERVED_PATHS = ['/psci', '/memory', '/hypervisor'];
/** /chosen properties write_properties drops (bootargs and xen,dom0-bootargs are read, then dropped). */
const CHOSEN_DROPPED = [
  'xen,xen-bootargs',
  'linux,initrd-start',
  'linux,initrd-end',
  'stdout-path',
  'linux,uefi-system-table',
  'linux,uefi-mmap-start',
  'linux,uefi-mmap-size',
  'linux,uefi-mmap-desc-size',
  'linux,uefi-mmap-desc-ver',
];
/** Interrupt specifier flags Xen writes for the timer and event-channel PPIs: all CPUs, level-low. */
const PPI_ALL_CPUS_LEVEL_LOW = 0xf08;
const GIC_SPI = 0;
const GIC_PPI = 1;

export interface Dom0FdtSpec {
  /** Path of the UART Xen's console uses (dtuart= or stdout-path): hidden from dom0. */
  xenUartPath: string | null;
  /** kinfo->cmdline: the dom0 kernel module's bootargs (wins over /chosen's). */
  moduleBootargs: string | null;
  /** Whether dom0 has an initrd: linux,initrd-start/-end placeholders (filled by initrdLoad). */
  initrd: boolean;
  vcpus: number;
  /** Dom0's RAM (1:1: IPA = PA), by address. */
  memory: { address: number; size: number }[];
  /** The event channel's PPI as an INTID (vgic_allocate_ppi: 16 on QEMU virt). */
  evtchnIntid: number;
  /** Grant table region (find_gnttab_region) and the extended regions, /hypervisor's reg. */
  gnttab: { start: number; size: number };
  extRegions: { start: number; size: number }[];
  /** bootinfo.reserved_mem (/reserved-memory ranges): a second memory node when non-empty. */
  reservedMemory?: { start: number; size: number }[];
}

/** An MMIO range handle_device maps 1:1 into dom0. */
export interface Dom0Mmio {
  node: string;
  address: number;
  size: number;
}

export interface Dom0Fdt {
  root: FdtNode;
  /** MMIO ranges to map (map_range_to_domain), in tree order. */
  mmio: Dom0Mmio[];
  /** SPIs routed to dom0 (map_irq_to_domain with need_mapping), INTIDs in tree order. */
  spis: { node: string; intid: number }[];
  /** The GIC node Xen drives (its path) and its registers, for dom0's vGIC at the host addresses. */
  gic: { path: string; dist: { address: number; size: number }; rdist: { address: number; size: number }[] };
  /** Lines Xen prints while building it (the reserved-path warning). */
  log: string[];
}

const te = new TextEncoder();
const str = (s: string): Uint8Array => te.encode(s + '\0');

function path(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

function cellsOf(n: FdtNode, prop: string, fallback: number): number {
  const v = n.props.get(prop);
  if (!v || v.length !== 4) return fallback;
  return new DataView(v.buffer, v.byteOffset, 4).getUint32(0);
}

function phandleOf(n: FdtNode): number | undefined {
  for (const p of ['phandle', 'linux,phandle']) if (n.props.has(p)) return cellsOf(n, p, 0);
  return undefined;
}

/**
 * dt_device_get_address: a node's reg entries translated to CPU addresses through its
 * ancestors' `ranges` (an empty `ranges` is the identity; a bus without `ranges` has no CPU
 * addresses, so its children's reg is not MMIO — e.g. /cpus).
 */
function cpuAddresses(ancestors: FdtNode[], n: FdtNode): { address: number; size: number }[] {
  if (!n.props.has('reg') || ancestors.length === 0) return [];
  const parent = ancestors[ancestors.length - 1];
  const ac = cellsOf(parent, '#address-cells', 2);
  const sc = cellsOf(parent, '#size-cells', 1);
  const cells = getCells(n, 'reg');
  const out: { address: number; size: number }[] = [];
  for (let i = 0; i + ac + sc <= cells.length; i += ac + sc) {
    let addr = readCells(cells, i, ac, n.name);
    const size = readCells(cells, i + ac, sc, n.name);
    let ok = true;
    // Walk up: each bus between the node and the root maps its child addresses through `ranges`.
    for (let k = ancestors.length - 1; k >= 1 && ok; k--) {
      const bus = ancestors[k];
      const up = ancestors[k - 1];
      if (!bus.props.has('ranges')) {
        ok = false;
        break;
      }
      const r = getCells(bus, 'ranges');
      if (r.length === 0) continue;
      const cac = cellsOf(bus, '#address-cells', 2);
      const csc = cellsOf(bus, '#size-cells', 1);
      const pac = cellsOf(up, '#address-cells', 2);
      const stride = cac + pac + csc;
      let hit = false;
      for (let j = 0; j + stride <= r.length; j += stride) {
        const child = readCells(r, j, cac, bus.name);
        const parentAddr = readCells(r, j + cac, pac, bus.name);
        const len = readCells(r, j + cac + pac, csc, bus.name);
        if (addr >= child && addr < child + len) {
          addr = parentAddr + (addr - child);
          hit = true;
          break;
        }
      }
      if (!hit) ok = false;
    }
    if (ok && size > 0) out.push({ address: addr, size });
  }
  return out;
}

/** The GIC interrupts of a node as INTIDs (3-cell GIC specifiers whose parent is `gicPhandle`). */
function gicIntids(ancestors: FdtNode[], n: FdtNode, gicPhandle: number | undefined): number[] {
  if (!n.props.has('interrupts')) return [];
  let parent: number | undefined;
  for (const a of [n, ...[...ancestors].reverse()]) {
    if (a.props.has('interrupt-parent')) {
      parent = cellsOf(a, 'interrupt-parent', 0);
      break;
    }
  }
  if (parent === undefined || parent !== gicPhandle) return [];
  const c = getCells(n, 'interrupts');
  const out: number[] = [];
  for (let i = 0; i + 3 <= c.length; i += 3) {
    if (c[i] === GIC_SPI) out.push(32 + c[i + 1]);
    else if (c[i] === GIC_PPI) out.push(16 + c[i + 1]);
  }
  return out;
}

/** The GIC node Xen drives: the interrupt controller the root's interrupt-parent names. */
function findGic(root: FdtNode): { node: FdtNode; path: string; parent: FdtNode } | null {
  const want = root.props.has('interrupt-parent') ? cellsOf(root, 'interrupt-parent', 0) : undefined;
  let found: { node: FdtNode; path: string; parent: FdtNode } | null = null;
  const visit = (n: FdtNode, p: string, parent: FdtNode): void => {
    if (found) return;
    if (n.props.has('interrupt-controller') && GICV3_COMPATIBLE.some((c) => isCompatible(n, c))) {
      if (want === undefined || phandleOf(n) === want) {
        found = { node: n, path: p, parent };
        return;
      }
    }
    for (const c of n.children) visit(c, path(p, c.name), n);
  };
  for (const c of root.children) visit(c, `/${c.name}`, root);
  return found;
}

export function makeDom0Fdt(host: FdtNode, s: Dom0FdtSpec): Dom0Fdt {
  const gicHit = findGic(host);
  if (!gicHit) throw new Error('no GICv3 interrupt controller in the host device tree');
  const gicNode = gicHit.node;
  const gicPhandle = phandleOf(gicNode);
  const gicAc = cellsOf(gicHit.parent, '#address-cells', 2);
  const gicSc = cellsOf(gicHit.parent, '#size-cells', 1);
  const gicRegs = cpuAddresses([host], gicNode);
  const nrRegions = cellsOf(gicNode, '#redistributor-regions', 1);
  if (gicRegs.length < 1 + nrRegions)
    throw new Error(`${gicHit.path}: reg has ${gicRegs.length} entries, expected GICD + ${nrRegions} redistributor region(s)`);
  const out: Dom0Fdt = {
    root: fdtNode(''),
    mmio: [],
    spis: [],
    gic: { path: gicHit.path, dist: gicRegs[0], rdist: gicRegs.slice(1, 1 + nrRegions) },
    log: [],
  };

  const makeGicNode = (): FdtNode => {
    const g = fdtNode('interrupt-controller');
    if (gicPhandle !== undefined) setU32(g, 'phandle', gicPhandle);
    for (const p of ['#address-cells', '#size-cells']) {
      const v = gicNode.props.get(p);
      if (v) setBytes(g, p, v);
    }
    setU32(g, '#interrupt-cells', 3);
    setBytes(g, 'interrupt-controller', new Uint8Array(0));
    setBytes(g, 'compatible', gicNode.props.get('compatible')!);
    setU32(g, '#redistributor-regions', nrRegions);
    // The host's reg, cut to GICD + the redistributor regions (no GICC/GICH/GICV: system registers).
    setBytes(g, 'reg', gicNode.props.get('reg')!.subarray(0, (gicAc + gicSc) * 4 * (1 + nrRegions)));
    return g;
  };

  const makeTimerNode = (hostTimer: FdtNode): FdtNode => {
    const t = fdtNode('timer');
    setString(t, 'compatible', 'arm,armv8-timer');
    // timer_get_irq(): the host's secure, non-secure and virtual PPIs, exposed level-low to all CPUs.
    const hostPpis = getCells(hostTimer, 'interrupts');
    const ppi = (i: number): number[] => [GIC_PPI, hostPpis[i * 3 + 1] ?? 0, PPI_ALL_CPUS_LEVEL_LOW];
    setCells(t, 'interrupts', [...ppi(0), ...ppi(1), ...ppi(2)]);
    if (gicPhandle !== undefined) setU32(t, 'interrupt-parent', gicPhandle);
    if (hostTimer.props.has('clock-frequency')) setBytes(t, 'clock-frequency', hostTimer.props.get('clock-frequency')!);
    return t;
  };

  const writeProperties = (n: FdtNode, p: string, copy: FdtNode, passthrough: boolean): void => {
    let bootargs = s.moduleBootargs && s.moduleBootargs !== '' ? s.moduleBootargs : null;
    let hadDom0Bootargs = false;
    let status: Uint8Array | undefined;
    const isChosen = p === '/chosen';
    for (const [name, value] of n.props) {
      if (isChosen) {
        if (CHOSEN_DROPPED.includes(name)) continue;
        if (name === 'xen,dom0-bootargs') {
          hadDom0Bootargs = true;
          bootargs = getString(n, name);
          continue;
        }
        if (name === 'bootargs') {
          if (bootargs === null && !hadDom0Bootargs) bootargs = getString(n, name);
          continue;
        }
      }
      if (name === 'xen,passthrough') continue;
      if (name === 'status') {
        status = value;
        continue;
      }
      setBytes(copy, name, value);
    }
    if (passthrough) setString(copy, 'status', 'disabled');
    else if (status) setBytes(copy, 'status', status);
    if (isChosen) {
      if (bootargs !== null) setBytes(copy, 'bootargs', str(bootargs));
      if (s.initrd) {
        setBytes(copy, 'linux,initrd-start', new Uint8Array(8));
        setBytes(copy, 'linux,initrd-end', new Uint8Array(8));
      }
    }
  };

  const handleNode = (n: FdtNode, p: string, ancestors: FdtNode[]): FdtNode | null => {
    if (SKIP_COMPATIBLE.some((c) => isCompatible(n, c))) return null;
    if (p === '/cpus') return null;
    if (n.props.has('device_type') && getString(n, 'device_type') === 'memory') return null;
    if (n === gicNode) return makeGicNode();
    // A secondary GIC (another arm,gic-v3 interrupt controller) is discarded.
    if (n.props.has('interrupt-controller') && GICV3_COMPATIBLE.some((c) => isCompatible(n, c))) return null;
    if (TIMER_COMPATIBLE.some((c) => isCompatible(n, c))) return makeTimerNode(n);
    if (s.xenUartPath !== null && p === s.xenUartPath) return null;
    const intids = gicIntids(ancestors, n, gicPhandle);
    if (intids.some((i) => i >= 16 && i < 32)) return null;
    if (RESERVED_PATHS.some((r) => p === r || p.startsWith(r + '@')))
      out.log.push(`WARNING: Path ${p} is reserved, skip the node as we may re-use the path.`);

    // handle_device: a device flagged for passthrough stays Xen's to give to a domU.
    const passthrough = n.props.has('xen,passthrough');
    if (!passthrough) {
      for (const i of intids) if (i >= 32) out.spis.push({ node: p, intid: i });
      // /reserved-memory children are mapped too (only their iomem permission is withheld).
      for (const r of cpuAddresses(ancestors, n)) out.mmio.push({ node: p, ...r });
      if (n.props.has('device_type') && getString(n, 'device_type') === 'pci') mapPciChildren(n, p, ancestors, gicNode, gicPhandle, out);
    }
    const copy = fdtNode(n.name);
    writeProperties(n, p, copy, passthrough);
    for (const c of n.children) {
      const cc = handleNode(c, path(p, c.name), [...ancestors, n]);
      if (cc) copy.children.push(cc);
    }
    return copy;
  };

  const root = out.root;
  writeProperties(host, '/', root, false);
  for (const c of host.children) {
    const cc = handleNode(c, `/${c.name}`, [host]);
    if (cc) root.children.push(cc);
  }
  const ac = cellsOf(host, '#address-cells', 2);
  const sc = cellsOf(host, '#size-cells', 1);
  const regCells = (rs: { start: number; size: number }[]): number[] => rs.flatMap((r) => [...split(r.start, ac), ...split(r.size, sc)]);

  const hyp = fdtNode('hypervisor');
  setStringList(hyp, 'compatible', ['xen,xen-4.17', 'xen,xen']);
  setCells(hyp, 'reg', regCells([s.gnttab, ...s.extRegions]));
  setCells(hyp, 'interrupts', [GIC_PPI, s.evtchnIntid - 16, PPI_ALL_CPUS_LEVEL_LOW]);
  if (gicPhandle !== undefined) setU32(hyp, 'interrupt-parent', gicPhandle);
  root.children.push(hyp);

  root.children.push(makeGuestPsciNode());

  root.children.push(makeCpusNode(host, s.vcpus));

  const mem = fdtNode(`memory@${s.memory[0].address.toString(16)}`);
  setString(mem, 'device_type', 'memory');
  setCells(mem, 'reg', regCells(s.memory.map((m) => ({ start: m.address, size: m.size }))));
  root.children.push(mem);
  const resv = s.reservedMemory ?? [];
  if (resv.length > 0) {
    // make_memory_node(&bootinfo.reserved_mem): the reserved ranges are dom0's RAM as well.
    const rm = fdtNode(`memory@${resv[0].start.toString(16)}`);
    setString(rm, 'device_type', 'memory');
    setCells(rm, 'reg', regCells(resv));
    root.children.push(rm);
  }
  return out;
}

/**
 * map_device_children for a PCI host bridge: its `ranges` windows (child address 3 cells) map
 * 1:1 like any MMIO, and the SPIs its `interrupt-map` names go to dom0 with it.
 */
function mapPciChildren(n: FdtNode, p: string, ancestors: FdtNode[], gic: FdtNode, gicPhandle: number | undefined, out: Dom0Fdt): void {
  const parent = ancestors[ancestors.length - 1];
  const cac = cellsOf(n, '#address-cells', 3);
  const csc = cellsOf(n, '#size-cells', 2);
  const pac = cellsOf(parent, '#address-cells', 2);
  if (n.props.has('ranges')) {
    const r = getCells(n, 'ranges');
    for (let j = 0; j + cac + pac + csc <= r.length; j += cac + pac + csc) {
      const address = readCells(r, j + cac, pac, n.name);
      const size = readCells(r, j + cac + pac, csc, n.name);
      if (size > 0) out.mmio.push({ node: p, address, size });
    }
  }
  if (n.props.has('interrupt-map') && gicPhandle !== undefined) {
    const m = getCells(n, 'interrupt-map');
    const cic = cellsOf(n, '#interrupt-cells', 1);
    const gac = cellsOf(gic, '#address-cells', 0);
    for (let j = 0; j + cac + cic + 1 <= m.length;) {
      const ph = m[j + cac + cic];
      if (ph !== gicPhandle) break; // another controller: its specifier size is unknown here
      const spec = j + cac + cic + 1 + gac;
      if (spec + 3 > m.length) break;
      if (m[spec] === GIC_SPI && !out.spis.some((x) => x.intid === 32 + m[spec + 1])) out.spis.push({ node: p, intid: 32 + m[spec + 1] });
      j = spec + 3;
    }
  }
}

/** A value as `n` big-endian cells. */
function split(v: number, n: number): number[] {
  const hi = Math.floor(v / 2 ** 32);
  const lo = v >>> 0;
  if (n === 1) return [lo];
  return [...new Array<number>(n - 2).fill(0), hi, lo];
}

/** make_cpus_node: one cpu@<vaffinity> per vCPU with the host CPUs' compatible. */
function makeCpusNode(host: FdtNode, vcpus: number): FdtNode {
  const hostCpus = host.children.find((c) => c.name === 'cpus');
  const first = hostCpus?.children.find((c) => c.props.has('device_type') && getString(c, 'device_type') === 'cpu');
  if (!first || !first.props.has('compatible')) throw new Error("Can't find cpu in the device tree");
  const cpus = fdtNode('cpus');
  setU32(cpus, '#address-cells', 1);
  setU32(cpus, '#size-cells', 0);
  for (let i = 0; i < vcpus; i++) {
    // vcpuid_to_vaffinity: Aff0 = id % 16, Aff1 = id / 16.
    const aff = (i % 16) | (Math.floor(i / 16) << 8);
    const c = fdtNode(`cpu@${aff.toString(16)}`);
    setBytes(c, 'compatible', first.props.get('compatible')!);
    setString(c, 'device_type', 'cpu');
    setU32(c, 'reg', aff);
    if (first.props.has('clock-frequency')) setBytes(c, 'clock-frequency', first.props.get('clock-frequency')!);
    setString(c, 'enable-method', 'psci');
    cpus.children.push(c);
  }
  return cpus;
}
