// Exclusive monitors (Arm ARM B2.9, "Synchronization and semaphores").
//
// Each PE has a local monitor holding one reservation: a physical address granule. The global
// monitor is modelled by clearing every *other* PE's reservation on the same granule when a
// store lands there; to see those stores, a reserved page takes the slow store path on every
// PE (RamPage.monitors). Granule: 64 bytes, matching CTR_EL0.ERG = 4 (16 words).
import type { Pe } from '../pe.js';
import type { Bus, RamPage } from '../../platform/bus.js';

export const ERG_BYTES = 64;

const holders = new WeakMap<Bus, Set<Pe>>();
const reservedPage = new WeakMap<Pe, RamPage>();

function holdersOf(bus: Bus): Set<Pe> {
  let s = holders.get(bus);
  if (!s) holders.set(bus, (s = new Set()));
  return s;
}

/** LDXR/LDAXR/LDXP: open a reservation on the granule holding `pa`. */
export function markExclusive(pe: Pe, pa: number, size: number, page: RamPage | undefined): void {
  clearExclusiveLocal(pe);
  pe.exclusivePa = pa - (pa % ERG_BYTES);
  pe.exclusiveSize = size;
  holdersOf(pe.bus).add(pe);
  if (page) {
    reservedPage.set(pe, page);
    if (page.monitors++ === 0) pe.bus.forceSlowWrites(page.ppn);
  }
}

/** STXR/STLXR/STXP: does the reservation still cover `pa`? (Clears it either way.) */
export function checkExclusive(pe: Pe, pa: number): boolean {
  const ok = pe.exclusivePa >= 0 && pe.exclusivePa === pa - (pa % ERG_BYTES);
  clearExclusiveLocal(pe);
  return ok;
}

/** CLREX, exception entry/return, or a failed/consumed store-exclusive. */
export function clearExclusiveLocal(pe: Pe): void {
  if (pe.exclusivePa < 0) return;
  pe.exclusivePa = -1;
  holdersOf(pe.bus).delete(pe);
  const page = reservedPage.get(pe);
  if (page) {
    page.monitors--;
    reservedPage.delete(pe);
  }
}

/** A store by `writer` to [pa, pa+size): clear the other PEs' reservations it touches. */
export function storeClearsMonitors(writer: Pe, pa: number, size: number): void {
  const s = holders.get(writer.bus);
  if (!s || s.size === 0) return;
  for (const other of [...s]) {
    if (other === writer) continue;
    const g = other.exclusivePa;
    if (g >= 0 && pa < g + ERG_BYTES && g < pa + size) clearExclusiveLocal(other);
  }
}
