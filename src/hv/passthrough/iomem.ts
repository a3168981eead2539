// iomem permissions (Xen's d->iomem_caps rangeset, iomem_permit_access / iomem_access_permitted):
// which machine frames a domain may have mapped. Granted when a device is assigned to it (the
// partial DT's xen,reg), checked by the mapping hypercalls. Each range remembers the stage-2
// type its device's mapper chose, which the hypercalls use when asked for the default attribute.
import type { Domain } from '../domain/domain.js';
import type { P2mType } from '../p2m/p2m.js';

export interface IomemRange {
  /** First and last machine frame (inclusive, as Xen's rangesets). */
  smfn: number;
  emfn: number;
  /** The type the device's mapper chose (null: the domain kind's default). */
  p2mt: P2mType | null;
}

// Kept beside the domain rather than in struct domain: only passthrough needs it.
const caps = new WeakMap<Domain, IomemRange[]>();

export function iomemPermitAccess(d: Domain, smfn: number, emfn: number, p2mt: P2mType | null = null): void {
  const list = caps.get(d) ?? [];
  list.push({ smfn, emfn, p2mt });
  list.sort((a, b) => a.smfn - b.smfn);
  caps.set(d, list);
}

export function iomemRanges(d: Domain): readonly IomemRange[] {
  return caps.get(d) ?? [];
}

/** Whether every frame of [smfn, emfn] is permitted (ranges may be adjacent). */
export function iomemAccessPermitted(d: Domain, smfn: number, emfn: number): boolean {
  let next = smfn;
  for (const r of iomemRanges(d)) {
    if (r.smfn > next) break;
    if (r.emfn >= next) next = r.emfn + 1;
    if (next > emfn) return true;
  }
  return false;
}

/** The type recorded for the range holding frame `mfn`, if one is. */
export function iomemTypeOf(d: Domain, mfn: number): P2mType | null {
  return iomemRanges(d).find((r) => mfn >= r.smfn && mfn <= r.emfn)?.p2mt ?? null;
}
