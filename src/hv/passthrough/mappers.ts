// Per-device passthrough mappers (seed 004: "a distributed way to deal with these kind of
// special/custom mapping needs … registered by means of a .map method in the device_spec"):
// a device module registers, by compatible string, the function that chooses the stage-2 type
// of its regions; the domain builder and the hypercalls ask the registry and never name a
// device. Devices without a mapper get the domain kind's default (policy.ts).
//
// mapRegionsP2mt is the one path by which device memory enters a p2m: it refuses what no
// domain may have — the physical GIC (the hypervisor's own interface to every vCPU: it stays
// with the most restrictive attributes, in the hypervisor only, seed 004), system RAM (the
// hypervisor's and other domains' memory), and IPAs an emulated device answers.
import type { Xen } from '../xen.js';
import type { Domain } from '../domain/domain.js';
import type { FdtNode } from '../../fdt/dtb.js';
import { getStringList } from '../../fdt/dtb.js';
import { p2mInsertMapping, P2mError, type P2mType } from '../p2m/p2m.js';
import { paddr } from '../format.js';
import { STAGE2_ATTR_POLICY, domainKind } from './policy.js';
import { iomemPermitAccess } from './iomem.js';

export const EPERM = 1;
export const EINVAL = 22;
export const EEXIST = 17;

/** A region of a device as assigned: machine address, guest address, size (page multiples). */
export interface PassthroughRegion {
  pa: number;
  ipa: number;
  size: number;
}

/** Chooses the stage-2 type of a device's region for domain `d` (node: the host device, if known; throw PassthroughError to refuse). */
export type PassthroughMapper = (xen: Xen, d: Domain, r: PassthroughRegion, node: FdtNode | null) => P2mType;

/** A refused mapping: errno is what a hypercall returns negated; the domain builder panics. */
export class PassthroughError extends Error {
  constructor(
    msg: string,
    readonly errno: number,
  ) {
    super(msg);
    this.name = 'PassthroughError';
  }
}

const MAPPERS = new Map<string, PassthroughMapper>();

/** A device's registration (its module calls this when loaded; devices.ts loads them all). */
export function registerPassthroughMapper(compatible: string, mapper: PassthroughMapper): void {
  if (MAPPERS.has(compatible)) throw new Error(`passthrough: a mapper for "${compatible}" is already registered`);
  MAPPERS.set(compatible, mapper);
}

/** The default mapper: the domain kind's MMIO type (Device-nGnRE for a domU, Normal WB for dom0). */
export const mapDeviceMmio: PassthroughMapper = (_xen, d) => STAGE2_ATTR_POLICY[domainKind(d)].mmio;

/** The mapper for a host device node: the first of its compatibles with one, else the default. */
export function passthroughMapperFor(node: FdtNode | null): { compatible: string; mapper: PassthroughMapper } {
  const compats = node?.props.has('compatible') ? getStringList(node, 'compatible') : [];
  for (const c of compats) {
    const m = MAPPERS.get(c);
    if (m) return { compatible: c, mapper: m };
  }
  return { compatible: 'default', mapper: mapDeviceMmio };
}

const overlaps = (a: number, as: number, b: number, bs: number): boolean => a < b + bs && b < a + as;
const range = (a: number, s: number): string => `${paddr(a)}-${paddr(a + s)}`;

/** The physical GIC's frames (distributor 64 KiB, each redistributor region). */
export function physicalGicRanges(xen: Xen): { base: number; size: number }[] {
  const g = xen.gic;
  if (!g) return [];
  return [{ base: g.distPa, size: 0x1_0000 }, ...g.rdist.map((r) => ({ base: r.pa, size: r.size }))];
}

/** Refuse machine ranges no domain may map: the physical GIC and system RAM. */
export function checkMachineRange(xen: Xen, pa: number, size: number): void {
  for (const g of physicalGicRanges(xen)) {
    if (overlaps(pa, size, g.base, g.size))
      throw new PassthroughError(
        `${range(pa, size)} overlaps the physical GIC (${range(g.base, g.size)}): the GIC is never mapped to a guest`,
        EPERM,
      );
  }
  for (const b of xen.bootInfo?.mem ?? []) {
    if (overlaps(pa, size, b.start, b.size))
      throw new PassthroughError(
        `${range(pa, size)} overlaps system RAM (${range(b.start, b.size)}): only device memory can be passed through`,
        EPERM,
      );
  }
}

/** map_regions_p2mt: map `r` into `d` with type `t`, after the checks above. */
export function mapRegionsP2mt(xen: Xen, d: Domain, r: PassthroughRegion, t: P2mType): void {
  if (r.pa % 4096 || r.ipa % 4096 || r.size % 4096 || r.size <= 0)
    throw new PassthroughError(`${range(r.pa, r.size)} at IPA ${paddr(r.ipa)}: not page aligned`, EINVAL);
  if (!d.p2m) throw new PassthroughError('passthrough needs stage-2 translation tables (the MMU backend)', EINVAL);
  checkMachineRange(xen, r.pa, r.size);
  const emu = d.mmio.find((h) => overlaps(r.ipa, r.size, h.base, h.size));
  if (emu)
    throw new PassthroughError(`IPA ${range(r.ipa, r.size)} overlaps the emulated ${emu.name} at ${range(emu.base, emu.size)}`, EEXIST);
  try {
    p2mInsertMapping(xen, d.p2m, r.ipa, r.size / 4096, r.pa, t);
  } catch (e) {
    if (e instanceof P2mError) throw new PassthroughError(e.message, e.errno);
    throw e;
  }
}

/**
 * Assign one region of a host device to `d` (Xen's map_range_to_domain for dom0, the xen,reg
 * loop of handle_passthrough_prop for a domU): the type is `attr` when given, else the mapper
 * the host node's compatible registered, else the domain kind's policy; the frames get iomem
 * permission (remembering that type, for memory_mapping's default) and are mapped. The dom0
 * builder and the partial-DT path both come here. Returns the type and why it was chosen.
 */
export function assignDeviceRegion(
  xen: Xen,
  d: Domain,
  r: PassthroughRegion,
  hostNode: FdtNode | null,
  attr: { p2mt: P2mType; name: string } | null = null,
): { type: P2mType; why: string } {
  const { compatible, mapper } = passthroughMapperFor(hostNode);
  const type = attr?.p2mt ?? mapper(xen, d, r, hostNode);
  iomemPermitAccess(d, r.pa / 4096, (r.pa + r.size) / 4096 - 1, type);
  mapRegionsP2mt(xen, d, r, type);
  return { type, why: attr ? `armvisor,stage2-attr ${attr.name}` : `${compatible} mapper` };
}
