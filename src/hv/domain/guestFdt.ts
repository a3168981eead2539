// The guest device tree of a dom0less domU (prepare_dtb_domU, dom0less-build.c), in the node
// order and with the properties of the real Xen 4.17 domU tree in ../shared/reference
// (real-xen-domU-fdt.dts): chosen, psci (method hvc), cpus, memory, gic-v3 at Xen's guest
// addresses, timer on the guest PPIs, sbsa-uart (vpl011) on GUEST_VPL011_SPI — plus a
// /hypervisor node (compatible "xen,xen-4.17", "xen,xen"), which real Xen adds only for
// xen,enhanced domains: our guests use the hypercall ABI, so they always get it.
import { fdtNode, setBytes, setCells, setEmpty, setReg, setString, setStringList, setU32, type FdtNode } from '../../fdt/dtb.js';

/** public/arch-arm.h guest layout. */
export const GUEST_RAM0_BASE = 0x4000_0000;
export const GUEST_RAM0_SIZE = 0xc000_0000;
export const GUEST_GICV3_GICD_BASE = 0x0300_1000;
export const GUEST_GICV3_GICD_SIZE = 0x1_0000;
export const GUEST_GICV3_GICR0_BASE = 0x0302_0000;
export const GUEST_GICV3_GICR0_SIZE = 0x100_0000;
export const GUEST_PL011_BASE = 0x2200_0000;
export const GUEST_PL011_SIZE = 0x1000;
export const GUEST_VPL011_SPI = 32;
/** GUEST_TIMER_PHYS_S_PPI 29, GUEST_TIMER_PHYS_NS_PPI 30, GUEST_TIMER_VIRT_PPI 27 (as DT PPI numbers 13, 14, 11). */
const GUEST_TIMER_PPIS = [29, 30, 27];
const GIC_PHANDLE = 0xfde8;
/** IRQ_TYPE_LEVEL_LOW with all-CPU mask (0xf08) for the timers, level high (4) for the SPI. */
const PPI_FLAGS = 0xf08;

export interface GuestFdtSpec {
  memKb: number;
  cpus: number;
  vpl011: boolean;
  bootargs: string;
  /** A ramdisk module: linux,initrd-start/-end placeholders in /chosen (make_chosen_node; loadModules fills them). */
  initrd?: boolean;
  /** Guest RAM banks (default: memKb at GUEST_RAM0_BASE; direct-mapped domains: their static memory). */
  memory?: { address: number; size: number }[];
  /** Nodes appended to the root (the partial device tree's /passthrough). */
  extra?: FdtNode[];
}

export function makeGuestFdt(s: GuestFdtSpec): FdtNode {
  const root = fdtNode('');
  setCells(root, '#address-cells', [2]);
  setCells(root, '#size-cells', [2]);
  setString(root, 'compatible', 'xen,xenvm');

  const chosen = fdtNode('chosen');
  if (s.bootargs) setString(chosen, 'bootargs', s.bootargs);
  if (s.initrd) {
    setBytes(chosen, 'linux,initrd-start', new Uint8Array(8));
    setBytes(chosen, 'linux,initrd-end', new Uint8Array(8));
  }
  if (s.vpl011) setString(chosen, 'stdout-path', `/sbsa-uart@${GUEST_PL011_BASE.toString(16)}`);
  root.children.push(chosen);

  const hyp = fdtNode('hypervisor');
  setStringList(hyp, 'compatible', ['xen,xen-4.17', 'xen,xen']);
  root.children.push(hyp);

  root.children.push(makeGuestPsciNode());

  const cpus = fdtNode('cpus');
  setCells(cpus, '#address-cells', [1]);
  setCells(cpus, '#size-cells', [0]);
  for (let i = 0; i < s.cpus; i++) {
    const c = fdtNode(`cpu@${i.toString(16)}`);
    setString(c, 'compatible', 'arm,cortex-a57');
    setString(c, 'device_type', 'cpu');
    setCells(c, 'reg', [i]);
    setString(c, 'enable-method', 'psci');
    cpus.children.push(c);
  }
  root.children.push(cpus);

  const banks = s.memory ?? [{ address: GUEST_RAM0_BASE, size: s.memKb * 1024 }];
  const mem = fdtNode(`memory@${banks[0].address.toString(16)}`);
  setString(mem, 'device_type', 'memory');
  setReg(mem, 'reg', banks, 2, 2);
  root.children.push(mem);

  const gic = fdtNode(`interrupt-controller@${GUEST_GICV3_GICD_BASE.toString(16)}`);
  setCells(gic, '#address-cells', [0]);
  setCells(gic, '#interrupt-cells', [3]);
  setEmpty(gic, 'interrupt-controller');
  setString(gic, 'compatible', 'arm,gic-v3');
  setReg(
    gic,
    'reg',
    [
      { address: GUEST_GICV3_GICD_BASE, size: GUEST_GICV3_GICD_SIZE },
      { address: GUEST_GICV3_GICR0_BASE, size: GUEST_GICV3_GICR0_SIZE },
    ],
    2,
    2,
  );
  setU32(gic, 'linux,phandle', GIC_PHANDLE);
  setU32(gic, 'phandle', GIC_PHANDLE);
  root.children.push(gic);

  const timer = fdtNode('timer');
  setString(timer, 'compatible', 'arm,armv8-timer');
  setCells(
    timer,
    'interrupts',
    GUEST_TIMER_PPIS.flatMap((p) => [1, p - 16, PPI_FLAGS]),
  );
  setU32(timer, 'interrupt-parent', GIC_PHANDLE);
  root.children.push(timer);

  if (s.vpl011) {
    const u = fdtNode(`sbsa-uart@${GUEST_PL011_BASE.toString(16)}`);
    setString(u, 'compatible', 'arm,sbsa-uart');
    setReg(u, 'reg', [{ address: GUEST_PL011_BASE, size: GUEST_PL011_SIZE }], 2, 2);
    setCells(u, 'interrupts', [0, GUEST_VPL011_SPI - 32, 4]);
    setU32(u, 'interrupt-parent', GIC_PHANDLE);
    setU32(u, 'current-speed', 115200);
    root.children.push(u);
  }
  root.children.push(...(s.extra ?? []));
  return root;
}

/**
 * make_psci_node: PSCI over HVC, answered by the hypervisor (vpsci.ts), with the PSCI 0.1
 * function IDs Xen still lists for old kernels.
 */
export function makeGuestPsciNode(): FdtNode {
  const psci = fdtNode('psci');
  setStringList(psci, 'compatible', ['arm,psci-1.0', 'arm,psci-0.2', 'arm,psci']);
  setString(psci, 'method', 'hvc');
  setU32(psci, 'cpu_off', 1);
  setU32(psci, 'cpu_on', 2);
  return psci;
}
