// The mapping hypercalls (seed 004): memory_op XENMEM_add_to_physmap with XENMAPSPACE_dev_mmio,
// and domctl XEN_DOMCTL_memory_mapping with a memory-attribute argument — the ABI the seed found
// missing ("XENMAPSPACE_dev_mmio and XEN_DOMCTL_memory_mapping do not provide enough information
// to know the attribute to be used"). Layouts are Xen's (public/memory.h, public/domctl.h, the
// arm64 ABI: xen_ulong_t and xen_pfn_t are 64-bit); docs/HYPERCALLS.md has the details.
//
// Dom0less has no control domain, so a domain may issue memory_mapping for itself (DOMID_SELF
// or its own id) on frames it has iomem permission for — the permission its partial device
// tree's xen,reg gave it. Every refusal is a Xen error code; nothing here panics.
//
// These run in their caller's image symbol (doTrapHypercall, constructDomain,
// doTrapStage2AbortGuest): the image's one .text page has no room for more (hv/image.ts,
// mm/mpu/layout.ts defaultXenSections).
import type { Xen } from '../xen.js';
import type { Vcpu } from '../domain/domain.js';
import { copyFromGuest } from '../hypercall.js';
import { p2mLookup, p2mRemoveMapping, P2M_IPA_BITS } from '../p2m/p2m.js';
import { iomemAccessPermitted, iomemTypeOf } from './iomem.js';
import { mapRegionsP2mt, PassthroughError } from './mappers.js';
import { MEM_ATTRS, STAGE2_ATTR_POLICY, domainKind } from './policy.js';

export const ERR = { EPERM: 1, ESRCH: 3, E2BIG: 7, EACCES: 13, EFAULT: 14, EINVAL: 22, ENOSYS: 38 } as const;

export const XENMEM_add_to_physmap = 7;
/** memory_op's cmd: the operation in the low bits, a continuation's start extent above (MEMOP_EXTENT_SHIFT). */
const MEMOP_CMD_MASK = (1n << 6n) - 1n;
export const XENMAPSPACE_dev_mmio = 5;
/** sizeof(struct xen_add_to_physmap) on arm64: domid u16, size u16, space u32, idx u64, gpfn u64. */
const XATP_SIZE = 24;

export const XEN_DOMCTL_memory_mapping = 39;
/** XEN_DOMCTL_INTERFACE_VERSION of Xen 4.17 (what xen_version reports). */
export const XEN_DOMCTL_INTERFACE_VERSION = 0x15;
/** sizeof(struct xen_domctl): cmd u32, interface_version u32, domain u16, _pad[3] u16, union u (128 bytes, 8-aligned). */
const DOMCTL_SIZE = 16 + 128;
/**
 * Xen's limit on Arm ("XXX ARM!?", common/domctl.c): larger requests are -E2BIG, to be split
 * by the caller, so one hypercall never holds the CPU for long.
 */
export const MEMORY_MAPPING_MAX_PAGES = 64;
export const DOMID_SELF = 0x7ff0;

const PAGE = 4096;
const PADDR_BITS = 48;
const neg = (e: number): bigint => BigInt.asUintN(64, BigInt(-e));

/** Resolve a domid for a self-only operation: itself, another domain (refused with `other`), or none. */
function selfOnly(v: Vcpu, xen: Xen, domid: number, other: number): number {
  if (domid === DOMID_SELF || domid === v.domain.id) return 0;
  return xen.domains.some((d) => d.id === domid) ? other : ERR.ESRCH;
}

/** do_memory_op: only XENMEM_add_to_physmap is implemented. */
export function doMemoryOp(xen: Xen, v: Vcpu, cmd: bigint, arg: bigint): bigint {
  if ((cmd & MEMOP_CMD_MASK) !== BigInt(XENMEM_add_to_physmap)) return neg(ERR.ENOSYS);
  const b = copyFromGuest(xen, v, Number(arg), XATP_SIZE);
  if (!b) return neg(ERR.EFAULT);
  const dv = new DataView(b.buffer);
  const domid = dv.getUint16(0, true);
  const space = dv.getUint32(4, true);
  const idx = dv.getBigUint64(8, true);
  const gpfn = dv.getBigUint64(16, true);
  // xatp_permission_check: dev_mmio only for the caller itself (Xen: the hardware domain's own).
  const who = selfOnly(v, xen, domid, ERR.EACCES);
  if (who) return neg(who);
  // xenmem_add_to_physmap_one: the other spaces (shared_info, grant_table, gmfn…) are not here.
  if (space !== XENMAPSPACE_dev_mmio) return neg(ERR.ENOSYS);
  if (idx >= 1n << BigInt(PADDR_BITS - 12) || gpfn >= 1n << BigInt(P2M_IPA_BITS - 12)) return neg(ERR.EINVAL);
  const mfn = Number(idx);
  // Xen's map_dev_mmio_page returns 0 without mapping when the frame is not permitted; a
  // silent success hides the refusal, so this is -EPERM.
  if (!iomemAccessPermitted(v.domain, mfn, mfn)) return neg(ERR.EPERM);
  return mapOrErrno(xen, v, Number(gpfn) * PAGE, mfn * PAGE, 1, STAGE2_ATTR_POLICY[domainKind(v.domain)].devMmio);
}

function mapOrErrno(xen: Xen, v: Vcpu, ipa: number, pa: number, nr: number, t: Parameters<typeof mapRegionsP2mt>[3]): bigint {
  try {
    mapRegionsP2mt(xen, v.domain, { ipa, pa, size: nr * PAGE }, t);
    return 0n;
  } catch (e) {
    if (e instanceof PassthroughError) return neg(e.errno);
    throw e;
  }
}

/** do_domctl: only XEN_DOMCTL_memory_mapping (with cache_policy) is implemented. */
export function doDomctl(xen: Xen, v: Vcpu, arg: bigint): bigint {
  const b = copyFromGuest(xen, v, Number(arg), DOMCTL_SIZE);
  if (!b) return neg(ERR.EFAULT);
  const dv = new DataView(b.buffer);
  const cmd = dv.getUint32(0, true);
  if (dv.getUint32(4, true) !== XEN_DOMCTL_INTERFACE_VERSION) return neg(ERR.EACCES);
  if (cmd !== XEN_DOMCTL_memory_mapping) return neg(ERR.ENOSYS);
  // No control domain in dom0less: a domain maps only into itself.
  const who = selfOnly(v, xen, dv.getUint16(8, true), ERR.EPERM);
  if (who) return neg(who);
  return memoryMapping(xen, v, {
    gfn: dv.getBigUint64(16, true),
    mfn: dv.getBigUint64(24, true),
    nr: dv.getBigUint64(32, true),
    add: dv.getUint32(40, true),
    cachePolicy: dv.getUint32(44, true),
  });
}

interface MemoryMapping {
  gfn: bigint;
  mfn: bigint;
  nr: bigint;
  add: number;
  cachePolicy: number;
}

/** XEN_DOMCTL_memory_mapping, in common/domctl.c's order of checks. */
function memoryMapping(xen: Xen, v: Vcpu, m: MemoryMapping): bigint {
  const mask = (1n << 64n) - 1n;
  const mfnEnd = (m.mfn + m.nr - 1n) & mask;
  const gfnEnd = (m.gfn + m.nr - 1n) & mask;
  if (mfnEnd < m.mfn || (m.mfn | mfnEnd) >> BigInt(PADDR_BITS - 12) || gfnEnd < m.gfn || gfnEnd >> BigInt(P2M_IPA_BITS - 12))
    return neg(ERR.EINVAL);
  if (m.nr > BigInt(MEMORY_MAPPING_MAX_PAGES)) return neg(ERR.E2BIG);
  const attr = MEM_ATTRS.find((a) => a.value === m.cachePolicy);
  if (!attr) return neg(ERR.EINVAL);
  const d = v.domain;
  const [gfn, mfn, nr] = [Number(m.gfn), Number(m.mfn), Number(m.nr)];
  if (!iomemAccessPermitted(d, mfn, mfn + nr - 1)) return neg(ERR.EPERM);
  if (m.add) {
    // The attribute argument overrides; "default" is the device's mapper's choice recorded
    // with the permission, else the domain kind's policy.
    const t = attr.p2mt ?? iomemTypeOf(d, mfn) ?? STAGE2_ATTR_POLICY[domainKind(d)].mmio;
    return mapOrErrno(xen, v, gfn * PAGE, mfn * PAGE, nr, t);
  }
  // unmap_mmio_regions: only what maps exactly these frames as device memory.
  if (!d.p2m) return neg(ERR.EINVAL);
  for (let i = 0; i < nr; i++) {
    const hit = p2mLookup(xen, d.p2m, (gfn + i) * PAGE);
    if (!hit || hit.pa !== (mfn + i) * PAGE || !hit.type.startsWith('mmio_')) return neg(ERR.EINVAL);
  }
  p2mRemoveMapping(xen, d.p2m, gfn * PAGE, nr);
  return 0n;
}
