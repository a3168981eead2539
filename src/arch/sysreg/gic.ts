// GICv3 CPU interface system registers (IHI 0069 §12.2 ICC_*, §12.4 ICH_*; Arm ARM D17.7).
// The catalogue holds their encodings and access rules; their behaviour belongs to the
// interrupt controller the board wires to the PE (`pe.gic`, see platform/devices/gic/). A PE
// with no GIC attached finds them UNDEFINED, as a PE without the system-register interface.
//
// EL1 accesses under HCR_EL2.IMO/FMO: the architecture redirects group-1 (IMO), group-0 (FMO)
// and common (IMO or FMO) registers to the virtual CPU interface ICV_* (IHI 0069 §12.3), subject
// to the ICH_HCR_EL2 traps (TALL0, TALL1, TC, TDIR). A controller without a virtual interface
// (`GicCpuInterface.virtualView` false) makes such accesses, and the ICH_* registers, UNDEFINED
// — never silently served by the physical interface.
// The SGI generation registers are not virtualised: they trap to EL2 (traps.ts, §12.2.21).
import type { Pe } from '../pe.js';
import { registerSysRegs } from './catalogue.js';
import { Access, type SysRegDef } from './types.js';
import { reg } from './build.js';
import { HCR } from './fields.js';

/** The ICC_* registers the CPU interface answers, by role. */
export const enum Icc {
  PMR,
  IAR0,
  EOIR0,
  HPPIR0,
  BPR0,
  AP0R0,
  AP1R0,
  DIR,
  RPR,
  SGI1R,
  ASGI1R,
  SGI0R,
  IAR1,
  EOIR1,
  HPPIR1,
  BPR1,
  CTLR,
  SRE,
  IGRPEN0,
  IGRPEN1,
  SRE_EL2,
  // The virtualization control registers (ICH_*_EL2, IHI 0069 §12.4).
  ICH_AP0R0,
  ICH_AP1R0,
  ICH_HCR,
  ICH_VTR,
  ICH_MISR,
  ICH_EISR,
  ICH_ELRSR,
  ICH_VMCR,
  ICH_LR0,
  ICH_LR1,
  ICH_LR2,
  ICH_LR3,
}

/** List registers implemented (ICH_VTR_EL2.ListRegs + 1, as QEMU 7.2). */
export const ICH_LR_COUNT = 4;

/** How an EL1 access under IMO/FMO is classified for the ICH_HCR_EL2 trap controls. */
export const enum VirtClass {
  Group0 = 0,
  Group1 = 1,
  /** ICV_CTLR, ICV_PMR, ICV_RPR (ICH_HCR_EL2.TC). */
  Common = 2,
  /** ICV_DIR (ICH_HCR_EL2.TC and TDIR). */
  Dir = 3,
}

/** What the board's interrupt controller provides to a PE's system-register interface. */
export interface GicCpuInterface {
  read(pe: Pe, r: Icc): bigint;
  write(pe: Pe, r: Icc, v: bigint): void;
  /** Does the controller serve the ICV_* view (EL1 access with IMO/FMO set) and the ICH_* registers? */
  readonly virtualView: boolean;
  /** ICH_HCR_EL2.TALL0/TALL1/TC/TDIR: may this EL1 access reach the virtual interface? */
  virtualAccess?(pe: Pe, cls: VirtClass): Access;
  /** The PE was reset (cold reset or PSCI CPU_ON): its CPU interface registers reset too. */
  resetPe?(pe: Pe): void;
  readVirtual?(pe: Pe, r: Icc): bigint;
  writeVirtual?(pe: Pe, r: Icc, v: bigint): void;
}

/** Which HCR_EL2 routing bits (fields.ts) send an EL1 access of this register to the virtual interface. */
const Virt = {
  None: 0,
  G0: HCR.FMO,
  G1: HCR.IMO,
  Common: HCR.FMO | HCR.IMO,
} as const;
type Virt = (typeof Virt)[keyof typeof Virt];

function virtualised(pe: Pe, v: Virt): boolean {
  return v !== Virt.None && pe.el === 1 && pe.cfg.hasEl2 && (pe.hcrLo & v) !== 0 && (pe.hcrLo & HCR.TGE) === 0;
}

const CLASS_OF: Record<Virt, VirtClass> = {
  [Virt.None]: VirtClass.Common,
  [Virt.G0]: VirtClass.Group0,
  [Virt.G1]: VirtClass.Group1,
  [Virt.Common]: VirtClass.Common,
};

function iccReg(name: string, op1: number, crm: number, op2: number, r: Icc, v: Virt, extra: Partial<SysRegDef> = {}): SysRegDef {
  const minEl = op1 === 4 ? 2 : 1;
  const cls = r === Icc.DIR ? VirtClass.Dir : CLASS_OF[v];
  return reg(name, 3, op1, 12, crm, op2, minEl, {
    check: (pe) => {
      if (!pe.gic) return Access.Undef;
      if (!virtualised(pe, v)) return Access.Ok;
      if (!pe.gic.virtualView) return Access.Undef;
      return pe.gic.virtualAccess ? pe.gic.virtualAccess(pe, cls) : Access.Ok;
    },
    read: (pe) => (virtualised(pe, v) ? pe.gic!.readVirtual!(pe, r) : pe.gic!.read(pe, r)),
    write: (pe, x) => (virtualised(pe, v) ? pe.gic!.writeVirtual!(pe, r, x) : pe.gic!.write(pe, r, x)),
    ...extra,
  });
}

/** An ICH_*_EL2 register: EL2 only, present when the controller implements virtualization. */
function ichReg(name: string, crm: number, op2: number, r: Icc, extra: Partial<SysRegDef> = {}): SysRegDef {
  return reg(name, 3, 4, 12, crm, op2, 2, {
    check: (pe) => (pe.gic?.virtualView ? Access.Ok : Access.Undef),
    read: (pe) => pe.gic!.read(pe, r),
    write: (pe, x) => pe.gic!.write(pe, r, x),
    ...extra,
  });
}

export const GIC_SYSREGS: SysRegDef[] = [
  // ICC_PMR_EL1 sits at CRn = 4, the rest at CRn = 12.
  { ...iccReg('ICC_PMR_EL1', 0, 6, 0, Icc.PMR, Virt.Common), crn: 4 },
  iccReg('ICC_IAR0_EL1', 0, 8, 0, Icc.IAR0, Virt.G0, { ro: true }),
  iccReg('ICC_EOIR0_EL1', 0, 8, 1, Icc.EOIR0, Virt.G0, { wo: true }),
  iccReg('ICC_HPPIR0_EL1', 0, 8, 2, Icc.HPPIR0, Virt.G0, { ro: true }),
  iccReg('ICC_BPR0_EL1', 0, 8, 3, Icc.BPR0, Virt.G0),
  // 5 priority bits (ICC_CTLR_EL1.PRIbits = 4): only AP0R0/AP1R0 exist (§12.2.1).
  iccReg('ICC_AP0R0_EL1', 0, 8, 4, Icc.AP0R0, Virt.G0),
  iccReg('ICC_AP1R0_EL1', 0, 9, 0, Icc.AP1R0, Virt.G1),
  iccReg('ICC_DIR_EL1', 0, 11, 1, Icc.DIR, Virt.Common, { wo: true }),
  iccReg('ICC_RPR_EL1', 0, 11, 3, Icc.RPR, Virt.Common, { ro: true }),
  iccReg('ICC_SGI1R_EL1', 0, 11, 5, Icc.SGI1R, Virt.None, { wo: true }),
  iccReg('ICC_ASGI1R_EL1', 0, 11, 6, Icc.ASGI1R, Virt.None, { wo: true }),
  iccReg('ICC_SGI0R_EL1', 0, 11, 7, Icc.SGI0R, Virt.None, { wo: true }),
  iccReg('ICC_IAR1_EL1', 0, 12, 0, Icc.IAR1, Virt.G1, { ro: true }),
  iccReg('ICC_EOIR1_EL1', 0, 12, 1, Icc.EOIR1, Virt.G1, { wo: true }),
  iccReg('ICC_HPPIR1_EL1', 0, 12, 2, Icc.HPPIR1, Virt.G1, { ro: true }),
  iccReg('ICC_BPR1_EL1', 0, 12, 3, Icc.BPR1, Virt.G1),
  iccReg('ICC_CTLR_EL1', 0, 12, 4, Icc.CTLR, Virt.Common),
  // ICC_SRE_EL1 is not virtualised; EL1 accesses trap when ICC_SRE_EL2.Enable = 0, which
  // never happens here (Enable is RAO/WI, as on QEMU 7.2).
  iccReg('ICC_SRE_EL1', 0, 12, 5, Icc.SRE, Virt.None),
  iccReg('ICC_IGRPEN0_EL1', 0, 12, 6, Icc.IGRPEN0, Virt.G0),
  iccReg('ICC_IGRPEN1_EL1', 0, 12, 7, Icc.IGRPEN1, Virt.G1),
  iccReg('ICC_SRE_EL2', 4, 9, 5, Icc.SRE_EL2, Virt.None),
  // 5 virtual priority bits (ICH_VTR_EL2.PREbits = 4): only ICH_AP0R0/AP1R0 exist.
  ichReg('ICH_AP0R0_EL2', 8, 0, Icc.ICH_AP0R0),
  ichReg('ICH_AP1R0_EL2', 9, 0, Icc.ICH_AP1R0),
  ichReg('ICH_HCR_EL2', 11, 0, Icc.ICH_HCR),
  ichReg('ICH_VTR_EL2', 11, 1, Icc.ICH_VTR, { ro: true }),
  ichReg('ICH_MISR_EL2', 11, 2, Icc.ICH_MISR, { ro: true }),
  ichReg('ICH_EISR_EL2', 11, 3, Icc.ICH_EISR, { ro: true }),
  ichReg('ICH_ELRSR_EL2', 11, 5, Icc.ICH_ELRSR, { ro: true }),
  ichReg('ICH_VMCR_EL2', 11, 7, Icc.ICH_VMCR),
  ...Array.from({ length: ICH_LR_COUNT }, (_, n) => ichReg(`ICH_LR${n}_EL2`, 12 + (n >> 3), n & 7, Icc.ICH_LR0 + n)),
];

registerSysRegs(GIC_SYSREGS);
