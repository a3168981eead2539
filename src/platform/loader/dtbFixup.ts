/**
 * The edits QEMU makes to the device tree just before placing it in guest RAM
 * — hw/arm/boot.c arm_load_dtb() as of QEMU 7.2 — applied to whichever tree
 * the board generated or the user gave with -dtb:
 *
 *  1. root #address-cells / #size-cells must exist and be non-zero;
 *     #size-cells < 2 cannot describe ≥ 4 GiB of RAM.
 *  2. every root-level /memory or /memory@… node is dropped and one
 *     /memory@<base> { device_type = "memory"; reg = <base size>; } added
 *     (we put it where the first old one was, so QEMU's node order survives).
 *  3. /chosen is created if missing; bootargs is set from -append when that is
 *     non-empty; linux,initrd-start/-end are set when there is an initrd.
 *  4. /psci is added when missing and a PSCI conduit is given (fdt_add_psci_node).
 */
import { InputError, hex } from '../../util/errors.js';
import {
  baseName,
  ensureNode,
  fdtNode,
  findNode,
  getU32,
  setCells,
  setReg,
  setString,
  setStringList,
  toCells,
  type FdtNode,
} from '../../fdt/dtb.js';

export interface DtbFixups {
  ramBase: number;
  ramSize: number;
  /**
   * Every RAM bank, for boards with more than one (juno): the single /memory node then lists
   * them all in its reg, as Juno's own tree does. Default: the one bank [ramBase, +ramSize).
   */
  ramBanks?: readonly { base: number; size: number }[];
  /** -append; empty or undefined leaves bootargs alone. */
  cmdline?: string;
  initrd?: { start: number; end: number };
  /** Add /psci with this conduit if the tree has none ("smc" with EL2, else "hvc", on virt). */
  psciMethod?: 'hvc' | 'smc';
  /** Names the tree in errors. */
  where?: string;
}

/** PSCI 0.2+ SMC64 function IDs QEMU advertises (target/arm/kvm-consts.h). */
export const PSCI_FN = {
  cpuSuspend: 0xc4000001,
  cpuOff: 0x84000002,
  cpuOn: 0xc4000003,
  migrate: 0xc4000005,
} as const;

/** The /psci node QEMU 7.2 writes for a PSCI 1.0-capable CPU (cortex-a57 and later). */
export function makePsciNode(method: 'hvc' | 'smc'): FdtNode {
  const n = fdtNode('psci');
  // Property order as QEMU leaves it (libfdt prepends each new property).
  setCells(n, 'migrate', [PSCI_FN.migrate]);
  setCells(n, 'cpu_on', [PSCI_FN.cpuOn]);
  setCells(n, 'cpu_off', [PSCI_FN.cpuOff]);
  setCells(n, 'cpu_suspend', [PSCI_FN.cpuSuspend]);
  setString(n, 'method', method);
  setStringList(n, 'compatible', ['arm,psci-1.0', 'arm,psci-0.2', 'arm,psci']);
  return n;
}

/** Apply arm_load_dtb()'s edits to `root` in place. */
export function applyBootFixups(root: FdtNode, f: DtbFixups): void {
  const where = f.where ?? 'device tree';
  for (const prop of ['#address-cells', '#size-cells']) {
    if (!root.props.has(prop)) throw new InputError(where, `root node has no ${prop}`);
  }
  const acells = getU32(root, '#address-cells');
  const scells = getU32(root, '#size-cells');
  if (acells === 0 || scells === 0) throw new InputError(where, 'invalid: root #address-cells or #size-cells is 0');
  if (acells > 2 || scells > 2) throw new InputError(where, `root #address-cells ${acells} / #size-cells ${scells} wider than 2 cells`);
  const banks = f.ramBanks ?? [{ base: f.ramBase, size: f.ramSize }];
  for (const b of banks) {
    if (scells < 2 && b.size >= 2 ** 32) throw new InputError(where, 'root #size-cells = 1 cannot describe RAM of 4 GiB or more');
    if (acells < 2 && b.base + b.size > 2 ** 32)
      throw new InputError(where, `root #address-cells = 1 cannot describe RAM at ${hex(b.base)}`);
  }

  // /memory: replace every root-level memory node with one for the RAM we boot with.
  const memory = fdtNode(`memory@${banks[0].base.toString(16)}`);
  setReg(
    memory,
    'reg',
    banks.map((b) => ({ address: b.base, size: b.size })),
    acells,
    scells,
  );
  setString(memory, 'device_type', 'memory');
  const firstOld = root.children.findIndex((c) => baseName(c.name) === 'memory');
  root.children = root.children.filter((c) => baseName(c.name) !== 'memory');
  root.children.splice(firstOld < 0 ? 0 : firstOld, 0, memory);

  const chosen = ensureNode(root, '/chosen');
  if (f.cmdline) setString(chosen, 'bootargs', f.cmdline);
  if (f.initrd) {
    // QEMU 7.2 writes one 32-bit cell (qemu_fdt_setprop_cell); 8.0 switched to
    // #address-cells wide values. Linux and Xen accept either, so we write one
    // cell when it fits (7.2's bytes) and #address-cells cells when it does not
    // (where 7.2 would silently truncate).
    for (const [prop, v] of [
      ['linux,initrd-start', f.initrd.start],
      ['linux,initrd-end', f.initrd.end],
    ] as const) {
      setCells(chosen, prop, v < 2 ** 32 ? [v] : toCells(v, acells, `${where}: /chosen/${prop}`));
    }
  }

  if (f.psciMethod && !findNode(root, '/psci')) root.children.unshift(makePsciNode(f.psciMethod));
}
