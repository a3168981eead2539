// The hypervisor image as the MPU planner sees it: section ranges with their rights and
// whether they die with init. On an MPU system VA == PA (Xen asm/mpu/layout.h:
// XEN_VIRT_START = XEN_START_ADDRESS), so a section's link address is where it sits in RAM.
import type { Perms } from './region.js';
import { buildXenImage } from '../../image.js';

export interface ImageSection {
  name: string;
  /** [start, end): physical = link addresses. */
  start: number;
  end: number;
  perms: Exclude<Perms, 'rwx'>;
  /** Freed by freeInitMemory (Xen's __init_begin..__init_end). */
  init?: boolean;
}

/**
 * Where the hypervisor image sits on r82: an arm64 Image with text_offset 0 is placed at the
 * RAM base + 2 MiB (QEMU's rule, src/platform/loader/place.ts), and r82's DRAM starts at 0.
 */
export const R82_XEN_START = 0x20_0000;

/**
 * The section list of the hypervisor image linked at `start`, in link order: what
 * buildXenImage lays out for the MPU (src/hv/image.ts — one source of truth, so a routine added
 * to .text moves the later sections here too). The grouping into rights is Xen's MPU boot map
 * (arm64/mpu/head.S, xen-facts §4.3): text RX, rodata RO, data RW, init text RX, init data +
 * bss RW. `mpu-plan` plans with it without booting; test/hv/mpuBoot.test.ts checks the booted
 * image is the same.
 */
export function defaultXenSections(start = R82_XEN_START): ImageSection[] {
  const img = buildXenImage({ mpu: true, linkAddr: start });
  return sectionsFromXenImage({ linkAddr: start, sections: img.sections });
}

/** The shape of a linked hypervisor image's section table (offsets from the link address). */
export interface LinkedImage {
  linkAddr: number;
  sections: readonly { name: string; offset: number; size: number; exec: boolean; write: boolean }[];
}

/** The planner's view of a linked image: rights from exec/write, init from the .init prefix. */
export function sectionsFromXenImage(img: LinkedImage): ImageSection[] {
  return img.sections
    .filter((s) => s.size > 0)
    .map((s) => ({
      name: s.name,
      start: img.linkAddr + s.offset,
      end: img.linkAddr + s.offset + s.size,
      perms: s.exec ? 'rx' : s.write ? 'rw' : 'r',
      ...(s.name.startsWith('.init') ? { init: true } : {}),
    }));
}
