// Device passthrough for a dom0less domain from its partial device tree (Xen's
// domain_handle_dtb_bootmodule / scan_pfdt_node / handle_passthrough_prop, dom0less-build.c;
// docs/misc/arm/passthrough.txt): the "multiboot,device-tree" module of a xen,domain node is
// a DTB whose /passthrough node holds the guest's view of its devices. For each device node:
//
//   xen,reg = <machine-address size guest-address …>   cells of /passthrough (default 2 and 1):
//       the domain gets iomem permission for the frames and the mapping in its p2m
//   xen,path = "/host/node"       the host device it is (whose compatible picks the mapper)
//       and the host node's `interrupts` (GIC SPIs) are routed to the domain at the same INTIDs
//       (irq.ts: HW = 1 list registers; the partial node's own `interrupts` tells the guest)
//   xen,force-assign-without-iommu  required here, as on Xen without an IOMMU: this machine
//       has none, so a device is always assigned unprotected (it could DMA anywhere)
//   armvisor,stage2-attr = "…"    (our extension) the memory attribute, overriding the mapper
//       and the policy: default | device-nGnRE | normal-nc | normal-wb | normal-wb-exec — the
//       same values as memory_mapping's cache_policy (docs/HYPERCALLS.md)
//
// The /passthrough subtree is copied into the guest's device tree without the xen,* and
// armvisor,* properties, as Xen does. A configuration Xen would refuse stops the boot (panic).
//
// These run in their caller's image symbol (doTrapHypercall, constructDomain,
// doTrapStage2AbortGuest): the image's one .text page has no room for more (hv/image.ts,
// mm/mpu/layout.ts defaultXenSections).
import type { Xen } from '../xen.js';
import type { Domain } from '../domain/domain.js';
import { domName } from '../domain/domain.js';
import { panic } from '../panic.js';
import { paddr } from '../format.js';
import { cellCounts, cloneNode, findNode, getCells, getString, parseDtb, readCells, walk, type FdtNode } from '../../fdt/dtb.js';
import { InputError } from '../../util/errors.js';
import { MEM_ATTRS } from './policy.js';
import { assignDeviceRegion, PassthroughError, type PassthroughRegion } from './mappers.js';
import './devices.js';
import { routeIrqToGuest } from '../irq.js';
import { GUEST_VPL011_SPI } from '../domain/guestFdt.js';

const PAGE = 4096;
const HIDDEN = /^(xen,|armvisor,)/;

/** Map the domain's passthrough devices; returns the nodes to add to its device tree. */
export function domainHandleDtbBootmodule(xen: Xen, d: Domain, mod: { start: number; size: number }): FdtNode[] {
  const where = `${domName(d)} (${d.node})`;
  const fail = (msg: string): never => panic(`Unable to create ${where}: ${msg}`);
  let pfdt: FdtNode;
  try {
    pfdt = parseDtb(xen.mm.copyFromPaddr(xen, mod.start, mod.size), `device-tree module @ ${paddr(mod.start)}`).root;
  } catch (e) {
    if (e instanceof InputError) fail(`its multiboot,device-tree module is not a device tree: ${e.message}`);
    throw e;
  }
  const pt = pfdt.children.find((c) => c.name === 'passthrough');
  if (!pt) return [];
  const host = parseDtb(xen.fdtBlob!, 'host device tree').root;
  try {
    const { addressCells, sizeCells } = cellCounts(pt);
    walk(pt, (n, path) => {
      if (n !== pt && n.props.has('xen,reg')) handlePassthroughNode(xen, d, host, n, `/passthrough${path}`, addressCells, sizeCells);
    });
  } catch (e) {
    if (e instanceof InputError || e instanceof PassthroughError) fail(e.message);
    throw e;
  }
  const copy = cloneNode(pt);
  walk(copy, (n) => {
    for (const p of [...n.props.keys()]) if (HIDDEN.test(p)) n.props.delete(p);
  });
  return [copy];
}

function handlePassthroughNode(xen: Xen, d: Domain, host: FdtNode, n: FdtNode, path: string, ac: number, sc: number): void {
  const cells = getCells(n, 'xen,reg');
  const stride = 2 * ac + sc;
  if (cells.length === 0 || cells.length % stride)
    throw new InputError(
      `${path} xen,reg`,
      `has ${cells.length} cells, not triples of <address size guest-address> (${ac}+${sc}+${ac} cells)`,
    );
  const force = n.props.has('xen,force-assign-without-iommu');
  let hostNode: FdtNode | null = null;
  let hostPath = '';
  if (n.props.has('xen,path')) {
    hostPath = getString(n, 'xen,path');
    hostNode = findNode(host, hostPath) ?? null;
    if (!hostNode) throw new InputError(`${path} xen,path`, `couldn't find node ${hostPath} in the host device tree`);
  }
  if (!force)
    throw new InputError(
      path,
      hostNode
        ? `${hostPath} cannot be protected: this machine has no IOMMU (xen,force-assign-without-iommu assigns it unprotected)`
        : 'xen,path is missing (needed unless xen,force-assign-without-iommu)',
    );
  let attr: (typeof MEM_ATTRS)[number] | undefined;
  if (n.props.has('armvisor,stage2-attr')) {
    const name = getString(n, 'armvisor,stage2-attr');
    attr = MEM_ATTRS.find((a) => a.name === name);
    if (!attr) throw new InputError(`${path} armvisor,stage2-attr`, `'${name}' is not one of ${MEM_ATTRS.map((a) => a.name).join(', ')}`);
  }
  // handle_device_interrupts(d, host node, need_mapping): the host node's SPIs are the domain's,
  // at the same INTIDs (the partial node's own `interrupts` only tells the guest).
  if (hostNode?.props.has('interrupts')) {
    const irqs = getCells(hostNode, 'interrupts');
    if (irqs.length % 3) throw new InputError(`${hostPath} interrupts`, `has ${irqs.length} cells, not <type number flags> GIC triples`);
    for (let i = 0; i < irqs.length; i += 3) {
      if (irqs[i] !== 0) throw new InputError(`${hostPath} interrupts`, `only SPIs (type 0) can be given to a domU, not type ${irqs[i]}`);
      const irq = 32 + irqs[i + 1];
      if (d.vpl011 && irq === GUEST_VPL011_SPI)
        throw new InputError(`${hostPath} interrupts`, `SPI ${irq} is the vpl011's (Unable to reserve vIRQ)`);
      routeIrqToGuest(xen, d, irq);
      xen.printk(`${domName(d)}: passthrough ${hostPath}: IRQ ${irq} routed (vIRQ ${irq})`);
    }
  }
  for (let i = 0; i < cells.length; i += stride) {
    const r: PassthroughRegion = {
      pa: readCells(cells, i, ac, path),
      size: readCells(cells, i + ac, sc, path),
      ipa: readCells(cells, i + ac + sc, ac, path),
    };
    if (r.pa % PAGE || r.size % PAGE || r.ipa % PAGE || r.size === 0)
      throw new InputError(`${path} xen,reg`, 'DomU passthrough config has not page aligned addresses/sizes');
    const { type: t, why } = assignDeviceRegion(xen, d, r, hostNode, attr?.p2mt ? { p2mt: attr.p2mt, name: attr.name } : null);
    xen.printk(
      `${domName(d)}: passthrough ${hostPath || path}: ${paddr(r.pa)}-${paddr(r.pa + r.size)} at IPA ${paddr(r.ipa)} as ${t} (${why})`,
    );
  }
}
