// ioremap on an MPU (seed 000 §2.4: with no virtual addressing "ioremap will return input
// address directly", and if the attributes would have to change it returns NULL). Here the
// refusal carries its reason: an attribute the MPU cannot give is an error, never a silent
// wrong mapping. Xen's xen_mpumap_update (mpu/mm.c) gives the rules this follows: a range
// already inside a region with the same attributes reuses it (refcount++), a partial or
// differently-attributed overlap is refused, a new range takes a free slot or fails with
// "EL2 MPU memory region mapping pool exhausted".
import { REGION_GRANULE } from '../../../arch/pmsa/regions.js';
import { hex } from '../../../util/errors.js';
import type { MpuPlan } from './plan.js';
import { inSlot, overlap, spanText, typeName, type MemType, type MpuRegion, type SlotRegion } from './region.js';

export type IoremapResult = { ok: true; region: SlotRegion; reused: boolean } | { ok: false; error: string };

/** PRBAR.BASE / PRLAR.LIMIT hold address bits [47:6]. */
const PA_LIMIT = 2 ** 48;

/**
 * Map [base, base + size) for the hypervisor as `type` (ioremap_nocache = 'device',
 * ioremap_wc = 'normal-nc', ioremap_cache = 'normal'), read-write, execute-never. On success the
 * region is recorded in plan.runtime (a new one) and returned.
 */
export function mpuIoremap(plan: MpuPlan, base: number, size: number, type: MemType = 'device'): IoremapResult {
  const what = `ioremap [${hex(base)}, ${hex(base + size)}) ${typeName(type)}`;
  const fail = (why: string): IoremapResult => ({ ok: false, error: `${what}: ${why}` });
  if (!Number.isSafeInteger(base) || !Number.isSafeInteger(size) || base < 0 || size <= 0) return fail('empty or invalid range');
  if (base + size > PA_LIMIT) return fail('beyond the 48-bit range PRBAR/PRLAR can describe');
  if (base % REGION_GRANULE !== 0 || size % REGION_GRANULE !== 0) {
    return fail(
      `not on the ${REGION_GRANULE}-byte MPU region granule; a region cannot start or end inside a granule, and widening it would map its neighbours`,
    );
  }
  const want: MpuRegion = {
    base,
    limit: base + size - 1,
    perms: 'rw',
    type,
    guest: false,
    lifetime: 'permanent',
    owner: 'xen',
    purpose: `ioremap ${typeName(type)}`,
  };
  for (const r of plan.runtime) {
    if (!overlap(r, want)) continue;
    const same = r.type === type && r.perms === 'rw' && !r.guest;
    if (same && r.base <= want.base && want.limit <= r.limit) return { ok: true, region: r, reused: true };
    return fail(
      same
        ? `straddles the edge of region ${r.index} (${r.purpose} ${spanText(r)}); regions may not overlap on PMSA`
        : `overlaps region ${r.index} (${r.purpose} ${spanText(r)}, ${typeName(r.type)} ${r.perms.toUpperCase()}); the MPU cannot give one address two sets of attributes`,
    );
  }
  for (const d of plan.domains) {
    for (const r of d.regions) {
      if (overlap(r, want)) return fail(`overlaps domain ${d.name}'s ${r.purpose} ${spanText(r)}, which is loaded while ${d.name} runs`);
    }
  }
  // The first plan.reserve free slots stay for transient mappings (mapDomainPage, copyFromPaddr).
  const used = new Set(plan.runtime.map((r) => r.index));
  const slot = plan.free.slice(plan.reserve).find((i) => !used.has(i));
  if (slot === undefined) {
    return fail(
      `EL2 MPU memory region mapping pool exhausted: needs 1 region, 0 available (MPUIR_EL2 ${plan.regions} = ${plan.runtime.length} hypervisor + ${plan.guestSlots.count} guest + ${plan.reserve} reserved for transient mappings)`,
    );
  }
  const region = inSlot(want, slot);
  plan.runtime.push(region);
  return { ok: true, region, reused: false };
}
