// The default stage-2 attribute policy, per domain kind (seed 004): what a device's MMIO is
// mapped as in a domain's p2m when neither the device's mapper (mappers.ts) nor the mapping
// request's attribute (the domctl's cache_policy, the partial DT's armvisor,stage2-attr) says
// otherwise. The table is Xen's behaviour made explicit:
//
//   kind   device MMIO (reg / xen,reg)     XENMAPSPACE_dev_mmio   where Xen does it
//   dom0   mmio_direct_c  (Normal WB)      mmio_direct_c          prepare_dtb_hwdom: default_p2mt
//   domU   mmio_direct_dev (Device-nGnRE)  mmio_direct_c          arch_dt_passthrough_p2m_type,
//                                                                 map_mmio_regions (domctl)
//
// dom0's Normal WB at stage 2 leaves the choice to the guest's stage 1 (the combination takes
// the stronger type: Arm ARM D8.5.5), so a dom0 kernel's ioremap (Device) stays Device and its
// memremap of an SRAM stays Normal. A domU's passthrough is forced Device-nGnRE whatever its
// stage 1 says — the failure seed 004 reports for mmio-sram (memcpy, unaligned accesses and
// DC ZVA fault), fixed by the mmio-sram mapper (sram.ts), not by weakening the domU default.
// XENMAPSPACE_dev_mmio's type is fixed by its ABI (public/memory.h: "mapped in Stage-2 using
// the Normal Memory Inner/Outer Write-Back Cacheable memory attribute"). The physical GIC is
// never mapped, whatever the kind (mappers.ts refuses it).
import type { P2mType } from '../p2m/p2m.js';
import type { Domain } from '../domain/domain.js';

export type DomainKind = 'dom0' | 'domU';

export interface Stage2AttrPolicy {
  /** A device's MMIO regions when the device has no mapper of its own. */
  mmio: P2mType;
  /** XENMAPSPACE_dev_mmio (memory_op add_to_physmap). */
  devMmio: P2mType;
}

/** The default stage-2 attribute policy per domain kind (see the table above). */
export const STAGE2_ATTR_POLICY: Readonly<Record<DomainKind, Readonly<Stage2AttrPolicy>>> = {
  dom0: { mmio: 'mmio_direct_c', devMmio: 'mmio_direct_c' },
  domU: { mmio: 'mmio_direct_dev', devMmio: 'mmio_direct_c' },
};

/** Xen's hardware domain is domain 0; every dom0less domain is a domU. */
export function domainKind(d: Domain): DomainKind {
  return d.id === 0 ? 'dom0' : 'domU';
}

/**
 * The memory-attribute argument of a mapping request (seed 004's missing ABI, docs/HYPERCALLS.md):
 * its value in xen_domctl_memory_mapping.cache_policy, its name in the partial DT's
 * armvisor,stage2-attr, and the p2m type it asks for (null: the policy decides).
 */
export const MEM_ATTRS: readonly { value: number; name: string; p2mt: P2mType | null }[] = [
  { value: 0, name: 'default', p2mt: null },
  { value: 1, name: 'device-nGnRE', p2mt: 'mmio_direct_dev' },
  { value: 2, name: 'normal-nc', p2mt: 'mmio_direct_nc' },
  { value: 3, name: 'normal-wb', p2mt: 'mmio_direct_c' },
  { value: 4, name: 'normal-wb-exec', p2mt: 'mmio_direct_c_rwx' },
];
