/**
 * Where `-kernel`, `-initrd`, `-append` and the device tree go in guest RAM,
 * and what CPU 0 starts with — the rules of QEMU 7.2's hw/arm/boot.c for an
 * AArch64 CPU on `-M virt` (loader_start = RAM base = 0x40000000), so a guest
 * sees the same addresses here as under QEMU.
 *
 * Kernel kinds, tried in QEMU's order (arm_setup_direct_kernel_boot):
 *   ELF      arm_load_elf(): not Linux. Segments at p_paddr, PC = e_entry,
 *            x0..x3 = 0 (QEMU runs no boot stub; do_cpu_reset just sets PC).
 *            The DTB goes at the RAM base if the image leaves room there.
 *   uImage   load_uimage_as(): not supported here → InputError.
 *   other    load_aarch64_image(): treated as a Linux arm64 Image, gunzipped
 *            first if gzip-compressed; with or without the "ARM\x64" header.
 *
 * Linux Image placement:
 *   kernel   RAM base + text_offset, where text_offset comes from the header
 *            only if image_size != 0 (else 0x80000, also used for headerless
 *            raw binaries); if text_offset < 4 KiB (BOOTLOADER_MAX_SIZE, the
 *            room QEMU keeps for its boot stub at the RAM base) it is moved up
 *            by 2 MiB — so modern kernels (text_offset 0) land at base + 2 MiB.
 *            The image is taken to end at entry + image_size (file size if 0).
 *   initrd   page-aligned max(base + min(ram_size / 2, 128 MiB), kernel end).
 *   DTB      2 MiB-aligned just after the initrd (or after where it would go):
 *            ALIGN_UP(initrd_start + initrd_size, 2 MiB). "Some AArch64 kernels
 *            on early bootup map the fdt region as [ALIGN_DOWN(fdt, 2MB) ..
 *            +2MB]", hence the alignment.
 *   CPU 0    QEMU writes a 40-byte stub at the RAM base (ldr x0, =dtb;
 *            x1..x3 = 0; br kernel) and starts there. We give the stub's effect
 *            directly: PC = kernel entry, x0 = DTB address (set `bootStub` to
 *            get the stub itself and PC = RAM base instead).
 *
 * Both kinds start at the highest implemented EL (EL2 with virtualization=on,
 * else EL1) with other CPUs powered off waiting for PSCI CPU_ON; that is the
 * board's business, not this planner's.
 *
 * Deliberate differences from QEMU, each because QEMU's behaviour would hide a
 * mistake: overlapping loads and anything outside RAM are InputErrors (QEMU
 * may write flash or unassigned space); an ELF together with an initrd is an
 * InputError (QEMU silently drops the initrd); a DTB that cannot be placed next
 * to an ELF is reported as dtbAddr = null (QEMU would write it to address 0,
 * which is flash on virt).
 *
 * All addresses and sizes are JS numbers (exact up to 2^53).
 */
import { gunzipSync } from 'node:zlib';
import { InputError, hex } from '../../util/errors.js';
import { buildDtb, cloneNode, type Fdt, type FdtNode } from '../../fdt/dtb.js';
import { applyBootFixups } from './dtbFixup.js';
import { isElf, parseElf, type ElfImage } from './elf.js';
import { ARM64_DEFAULT_TEXT_OFFSET, ARM64_IMAGE_MAGIC_OFFSET, isArm64Image, parseArm64Image } from './image.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** Room QEMU keeps at the RAM base for its boot stub (BOOTLOADER_MAX_SIZE). */
export const BOOTLOADER_MAX_SIZE = 4 * KiB;
/** QEMU's LOAD_IMAGE_MAX_GUNZIP_BYTES. */
const MAX_GUNZIP_BYTES = 256 * MiB;
const PAGE_SIZE = 4 * KiB;
const UIMAGE_MAGIC = 0x27051956;

/** Size of the blob QEMU's virt board generates (FDT_MAX_SIZE in create_device_tree()). */
export const QEMU_BOARD_DTB_SIZE = 0x10_0000;
/** Size QEMU gives a -dtb file of `fileSize` bytes (load_device_tree(): room for its edits). */
export function qemuDtbFileSize(fileSize: number): number {
  return (fileSize + 10000) * 2;
}

export interface BootInput {
  /** Guest RAM (QEMU's loader_start and ram_size). */
  ramBase: number;
  ramSize: number;
  /** All RAM banks when the board has several (the first is [ramBase, +ramSize)); see DtbFixups. */
  ramBanks?: readonly { base: number; size: number }[];
  kernel: Uint8Array;
  /** File name of the kernel, for errors. */
  kernelName: string;
  initrd?: Uint8Array;
  initrdName?: string;
  /** -append. */
  cmdline?: string;
  /** The board's tree or a -dtb file; copied, then fixed up as arm_load_dtb() does. */
  dtb?: Fdt | FdtNode;
  /** Add /psci with this conduit if the tree lacks one. */
  psciMethod?: 'hvc' | 'smc';
  /**
   * Pad the placed DTB to this totalsize, as QEMU does: QEMU_BOARD_DTB_SIZE for
   * a board-generated tree, qemuDtbFileSize(n) for a -dtb file. This matters for
   * ELF kernels, whose DTB is dropped when it does not fit below the image.
   * Default: no padding.
   */
  dtbPadTo?: number;
  /** Also load QEMU's AArch64 boot stub at the RAM base and start there (Linux images only). */
  bootStub?: boolean;
}

export interface BootLoad {
  addr: number;
  data: Uint8Array;
  /** "kernel", "initrd", "dtb", "bootloader" or "kernel segment N". */
  what: string;
}

export interface BootPlan {
  kind: 'linux' | 'elf';
  /** Blobs to copy into guest RAM, sorted by address, non-overlapping, all inside RAM. */
  loads: BootLoad[];
  /** PC of CPU 0 at reset. */
  entry: number;
  /** x0 of CPU 0: the DTB address for Linux images, 0 for ELF. */
  x0: number;
  /** Where the DTB was placed, or null if none was given or it did not fit. */
  dtbAddr: number | null;
  initrdStart: number | null;
  initrdEnd: number | null;
  /** [kernelStart, kernelEnd): the kernel's footprint as QEMU reckons it (incl. image_size/.bss). */
  kernelStart: number;
  kernelEnd: number;
  /** The fixed-up tree actually placed (undefined without a DTB). */
  fdt?: Fdt;
  /** The ELF, for symbols (ELF kernels only). */
  elf?: ElfImage;
}

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

/** Plan a direct kernel boot. Throws InputError for anything QEMU would refuse, and more (see above). */
export function planBoot(input: BootInput): BootPlan {
  const { ramBase, ramSize } = input;
  if (!Number.isSafeInteger(ramBase) || !Number.isSafeInteger(ramSize) || ramSize <= 0 || ramBase < 0) {
    throw new InputError('RAM', `invalid RAM base ${ramBase} / size ${ramSize}`);
  }
  return isElf(input.kernel) ? planElf(input) : planLinux(input);
}

function fixedDtb(input: BootInput, initrd?: { start: number; end: number }): { fdt: Fdt; blob: Uint8Array } | undefined {
  if (!input.dtb) return undefined;
  const src: Fdt = 'root' in input.dtb ? input.dtb : { root: input.dtb, reserve: [], bootCpuidPhys: 0 };
  const fdt: Fdt = { root: cloneNode(src.root), reserve: [...src.reserve], bootCpuidPhys: src.bootCpuidPhys };
  applyBootFixups(fdt.root, {
    ramBase: input.ramBase,
    ramSize: input.ramSize,
    ...(input.ramBanks ? { ramBanks: input.ramBanks } : {}),
    ...(input.cmdline !== undefined ? { cmdline: input.cmdline } : {}),
    ...(initrd ? { initrd } : {}),
    ...(input.psciMethod ? { psciMethod: input.psciMethod } : {}),
    where: 'dtb',
  });
  const compact = buildDtb(fdt);
  const pad = (input.dtbPadTo ?? 0) - compact.length;
  return { fdt, blob: pad > 0 ? buildDtb(fdt, { padding: pad }) : compact };
}

/** arm_load_elf() + the "room left at the base of RAM" DTB rule. */
function planElf(input: BootInput): BootPlan {
  const { ramBase, ramSize } = input;
  const elf = parseElf(input.kernel, input.kernelName);
  if (input.initrd) {
    throw new InputError(input.initrdName ?? 'initrd', 'an initrd needs a Linux Image kernel; QEMU ignores -initrd for ELF kernels');
  }
  if (elf.totalSize > ramSize) {
    throw new InputError(
      input.kernelName,
      `kernel is too large to fit in RAM (kernel size ${hex(elf.totalSize)}, RAM size ${hex(ramSize)})`,
    );
  }
  const loads: BootLoad[] = elf.segments.map((s, i) => ({ addr: s.paddr, data: s.data, what: `kernel segment ${i}` }));

  let dtbAddr: number | null = null;
  const dtb = fixedDtb(input);
  if (dtb && (elf.lowAddr > ramBase || elf.highAddr < ramBase)) {
    // QEMU: dtb_start = loader_start, dtb_limit = image_low_addr if that is in RAM;
    // arm_load_dtb() quietly skips a DTB larger than the gap.
    const limit = elf.lowAddr < ramBase ? 0 : elf.lowAddr;
    if (limit === 0 || dtb.blob.length <= limit - ramBase) {
      dtbAddr = ramBase;
      loads.push({ addr: ramBase, data: dtb.blob, what: 'dtb' });
    }
  }
  return finish(input, {
    kind: 'elf',
    loads,
    entry: elf.entry,
    x0: 0,
    dtbAddr,
    initrdStart: null,
    initrdEnd: null,
    kernelStart: elf.lowAddr,
    kernelEnd: elf.highAddr,
    ...(dtb && dtbAddr !== null ? { fdt: dtb.fdt } : {}),
    elf,
  });
}

/** load_aarch64_image() and the Linux branch of arm_setup_direct_kernel_boot(). */
function planLinux(input: BootInput): BootPlan {
  const { ramBase, ramSize } = input;
  const ramEnd = ramBase + ramSize;
  const name = input.kernelName;
  let image = input.kernel;

  // "On aarch64, it's the bootloader's job to uncompress the kernel."
  if (image.length >= 2 && image[0] === 0x1f && image[1] === 0x8b) {
    try {
      image = new Uint8Array(gunzipSync(image, { maxOutputLength: MAX_GUNZIP_BYTES }));
    } catch (e) {
      throw new InputError(name, `gzip-compressed kernel does not decompress: ${(e as Error).message}`);
    }
  }
  if (image.length >= 4 && new DataView(image.buffer, image.byteOffset).getUint32(0) === UIMAGE_MAGIC) {
    throw new InputError(name, 'U-Boot uImage kernels are not supported; pass the arm64 Image or an ELF');
  }
  if (image.length === 0) throw new InputError(name, 'kernel file is empty');

  let loadOffset = ARM64_DEFAULT_TEXT_OFFSET;
  let kernelSize = 0;
  // QEMU only looks for the magic when the file is longer than 0x38 + 4 bytes.
  if (image.length > ARM64_IMAGE_MAGIC_OFFSET + 4 && isArm64Image(image)) {
    const hdr = parseArm64Image(image, name);
    if (hdr.bigEndian) throw new InputError(name, 'big-endian arm64 Image (flags bit 0) is not supported');
    kernelSize = hdr.imageSize;
    if (kernelSize !== 0) {
      loadOffset = hdr.rawTextOffset;
      // Keep clear of the boot stub at the RAM base: text_offset is relative to
      // any 2 MiB boundary, so base + 2 MiB is as good as base.
      if (loadOffset < BOOTLOADER_MAX_SIZE) loadOffset += 2 * MiB;
    }
  }
  // Pre-3.17 kernels and raw binaries: the file size is the best guess.
  if (kernelSize === 0) kernelSize = image.length;

  const entry = ramBase + loadOffset;
  if (kernelSize > ramSize) {
    throw new InputError(name, `kernel is too large to fit in RAM (kernel size ${hex(kernelSize)}, RAM size ${hex(ramSize)})`);
  }
  const kernelEnd = entry + kernelSize;
  const loads: BootLoad[] = [{ addr: entry, data: image, what: 'kernel' }];

  // Far enough up that a decompressing kernel will not clobber it, low enough to be in lowmem.
  let initrdStart = ramBase + Math.min(Math.floor(ramSize / 2), 128 * MiB);
  initrdStart = alignUp(Math.max(initrdStart, kernelEnd), PAGE_SIZE);
  let initrdSize = 0;
  if (input.initrd) {
    const iname = input.initrdName ?? 'initrd';
    if (initrdStart >= ramEnd)
      throw new InputError(
        iname,
        `not enough space after kernel to load initrd (it would start at ${hex(initrdStart)}, RAM ends at ${hex(ramEnd)})`,
      );
    initrdSize = input.initrd.length;
    if (initrdStart + initrdSize > ramEnd) {
      throw new InputError(
        iname,
        `could not load initrd: too big to fit into RAM after the kernel ([${hex(initrdStart)}, ${hex(initrdStart + initrdSize)}) ends past ${hex(ramEnd)})`,
      );
    }
    loads.push({ addr: initrdStart, data: input.initrd, what: 'initrd' });
  }
  const initrd = input.initrd ? { start: initrdStart, end: initrdStart + initrdSize } : undefined;

  let dtbAddr: number | null = null;
  const dtb = fixedDtb(input, initrd);
  if (dtb) {
    dtbAddr = alignUp(initrdStart + initrdSize, 2 * MiB);
    if (dtbAddr >= ramEnd)
      throw new InputError(
        'dtb',
        `not enough space for DTB after kernel/initrd (it would start at ${hex(dtbAddr)}, RAM ends at ${hex(ramEnd)})`,
      );
    loads.push({ addr: dtbAddr, data: dtb.blob, what: 'dtb' });
  }

  let pc = entry;
  if (input.bootStub) {
    loads.push({ addr: ramBase, data: bootStub(dtbAddr ?? 0, entry), what: 'bootloader' });
    pc = ramBase;
  }
  return finish(input, {
    kind: 'linux',
    loads,
    entry: pc,
    x0: dtbAddr ?? 0,
    dtbAddr,
    initrdStart: initrd ? initrd.start : null,
    initrdEnd: initrd ? initrd.end : null,
    kernelStart: entry,
    kernelEnd,
    ...(dtb ? { fdt: dtb.fdt } : {}),
  });
}

/**
 * QEMU's bootloader_aarch64[]: ldr x0, arg; mov x1..x3, xzr; ldr x4, entry;
 * br x4; arg: .dword dtb; entry: .dword kernel — 40 bytes, little-endian.
 */
export function bootStub(dtb: number, entry: number): Uint8Array {
  const words = [
    0x580000c0,
    0xaa1f03e1,
    0xaa1f03e2,
    0xaa1f03e3,
    0x58000084,
    0xd61f0080,
    dtb % 2 ** 32,
    Math.floor(dtb / 2 ** 32),
    entry % 2 ** 32,
    Math.floor(entry / 2 ** 32),
  ];
  const out = new Uint8Array(words.length * 4);
  const dv = new DataView(out.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w, true));
  return out;
}

/** Sort the loads and reject any outside RAM or overlapping another. */
function finish(input: BootInput, plan: BootPlan): BootPlan {
  const ramEnd = input.ramBase + input.ramSize;
  const range = (l: BootLoad): string => `[${hex(l.addr)}, ${hex(l.addr + l.data.length)})`;
  plan.loads.sort((a, b) => a.addr - b.addr);
  for (const l of plan.loads) {
    if (l.addr < input.ramBase || l.addr + l.data.length > ramEnd) {
      throw new InputError(
        l.what === 'initrd' ? (input.initrdName ?? 'initrd') : l.what === 'dtb' ? 'dtb' : input.kernelName,
        `${l.what} ${range(l)} is outside RAM [${hex(input.ramBase)}, ${hex(ramEnd)})`,
      );
    }
  }
  for (let i = 1; i < plan.loads.length; i++) {
    const a = plan.loads[i - 1]!;
    const b = plan.loads[i]!;
    if (b.addr < a.addr + a.data.length) throw new InputError(input.kernelName, `${a.what} ${range(a)} overlaps ${b.what} ${range(b)}`);
  }
  return plan;
}
