// What the start of day learns from the device tree (Xen's `struct bootinfo`,
// xen/include/xen/bootfdt.h): memory banks, reserved ranges, boot modules and the command
// line. bootFdtInfo (bootfdt.ts) fills it; setup, the allocators and the domain builder read it.

/** A physical range [start, start + size). Addresses are exact JS numbers (< 2^53). */
export interface MemBank {
  start: number;
  size: number;
}

/** Xen's bootmodule kinds (BOOTMOD_*): what a /chosen module node is, by its compatible. */
export type BootModuleKind = 'xen' | 'fdt' | 'kernel' | 'ramdisk' | 'xsm' | 'guest-dtb' | 'unknown';

export interface BootModule {
  kind: BootModuleKind;
  start: number;
  size: number;
  /** Device-tree path of the node it came from (for messages). */
  node: string;
  /** bootargs of the module node (kernels), if any. */
  cmdline?: string;
  /** Path of the xen,domain node it belongs to; absent for top-level /chosen modules. */
  domain?: string;
}

export interface BootInfo {
  /** RAM banks from /memory nodes, sorted by address, non-overlapping. */
  mem: MemBank[];
  /** /memreserve/ entries and /reserved-memory children (name = node path or "memreserve"). */
  reserved: (MemBank & { name: string })[];
  /** /chosen xen,static-heap banks (MPU systems; empty otherwise). */
  staticHeap: MemBank[];
  modules: BootModule[];
  /** /chosen xen,xen-bootargs (falls back to bootargs when no dom0 kernel module says otherwise). */
  xenBootargs: string;
  /** Paths of /chosen children compatible "xen,domain" (dom0less domains), in tree order. */
  domains: string[];
}
