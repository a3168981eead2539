// PMAP (xen/common/pmap.c; xen-facts §2.3): a handful of fixmap slots that map a page table
// allocated by the boot allocator while nothing else can — before the directmap exists, so
// before mapDomainPage works. This is the general form of seed 003's fix: Julien Grall's patch
// handled static tables (reachable through the image); tables from allocBootPages need PMAP.
// pmapMap writes the fixmap's L3 entry directly (not through xenPtUpdate, which would recurse).
import type { Xen } from '../../xen.js';
import { SystemState } from '../../xen.js';
import { panic } from '../../panic.js';
import { FIX_PMAP_BEGIN, NUM_FIX_PMAP, PAGE_SIZE, fixmapAddr } from './layout.js';
import { PAGE_HYPERVISOR_RW, xenLeaf } from './pte.js';

/** The in-use bitmap lives in .init.data (Xen's __initdata `inuse`). */
function inuseVa(xen: Xen): number {
  return xen.sym('pmapInuse');
}

export function pmapMap(xen: Xen, pa: number): number {
  return xen.call('pmapMap', () => {
    xen.requireState('pmapMap', SystemState.EarlyBoot);
    const cpu = xen.cpu;
    const inuse = Number(cpu.read64(inuseVa(xen)));
    let slot = -1;
    for (let i = 0; i < NUM_FIX_PMAP; i++) if ((inuse & (1 << i)) === 0) slot = slot < 0 ? i : slot;
    if (slot < 0) panic('Out of PMAP slots');
    xen.pmapMaps++;
    cpu.write64(inuseVa(xen), BigInt(inuse | (1 << slot)));
    const idx = FIX_PMAP_BEGIN + slot;
    cpu.write64(xen.sym('xenFixmap') + idx * 8, xenLeaf(pa - (pa % PAGE_SIZE), 3, PAGE_HYPERVISOR_RW));
    // An invalid -> valid change: no TLB maintenance, the ISB makes it visible.
    cpu.isb();
    return fixmapAddr(xen.layout, idx) + (pa % PAGE_SIZE);
  });
}

/** Whether `va` is a PMAP slot address. */
export function isPmapVa(xen: Xen, va: number): boolean {
  const first = fixmapAddr(xen.layout, FIX_PMAP_BEGIN);
  return va >= first && va < first + NUM_FIX_PMAP * PAGE_SIZE;
}

export function pmapUnmap(xen: Xen, va: number): void {
  xen.call('pmapUnmap', () => {
    const cpu = xen.cpu;
    const slot = Math.floor((va - fixmapAddr(xen.layout, FIX_PMAP_BEGIN)) / PAGE_SIZE);
    const idx = FIX_PMAP_BEGIN + slot;
    cpu.write64(xen.sym('xenFixmap') + idx * 8, 0n);
    cpu.dsb();
    cpu.tlbi('VAE2', fixmapAddr(xen.layout, idx));
    cpu.dsb();
    cpu.isb();
    const inuse = Number(cpu.read64(inuseVa(xen)));
    cpu.write64(inuseVa(xen), BigInt(inuse & ~(1 << slot)));
  });
}
