// The GICv3 programmers' model: register offsets of the distributor and the redistributor
// frames (GICv3/v4 architecture specification IHI 0069, §12.9 GICD_*, §12.10–12.11 GICR_*).
// One source for the machine's GIC model (platform/devices/gic), the hypervisor's host driver
// (hv/gic) and its guest-facing emulation (hv/vgic).

/** Distributor offsets; the bit-per-interrupt banks (IGROUPR…ICFGR) also sit in each SGI frame. */
export const GICD = {
  CTLR: 0x0000,
  TYPER: 0x0004,
  IIDR: 0x0008,
  TYPER2: 0x000c,
  STATUSR: 0x0010,
  IGROUPR: 0x0080,
  ISENABLER: 0x0100,
  ICENABLER: 0x0180,
  ISPENDR: 0x0200,
  ICPENDR: 0x0280,
  ISACTIVER: 0x0300,
  ICACTIVER: 0x0380,
  IPRIORITYR: 0x0400,
  ICFGR: 0x0c00,
  IGRPMODR: 0x0d00,
  IROUTER: 0x6000,
  PIDR2: 0xffe8,
} as const;

/** RD_base frame offsets. */
export const GICR = {
  CTLR: 0x0000,
  IIDR: 0x0004,
  TYPER: 0x0008,
  STATUSR: 0x0010,
  WAKER: 0x0014,
  PIDR2: 0xffe8,
} as const;

/** Each redistributor is an RD_base frame followed by an SGI_base frame, 64 KiB each. */
export const GICR_SGI_FRAME = 0x1_0000;
export const GICR_STRIDE = 0x2_0000;
/** GICR_TYPER.Last: the last redistributor of its region. */
export const GICR_TYPER_LAST = 1 << 4;
/** GICR_WAKER.ProcessorSleep and ChildrenAsleep. */
export const GICR_WAKER_PROCESSOR_SLEEP = 1 << 1;
export const GICR_WAKER_CHILDREN_ASLEEP = 1 << 2;

/**
 * ICC_SGI1R_EL1 (§12.2.23): INTID [27:24], TargetList [15:0] (Aff0 = RS × 16 + bit), Aff1
 * [23:16], Aff2 [39:32], IRM [40] (0: the list; 1: every PE but the writer), RS [47:44], Aff3
 * [55:48]. One write reaches the PEs of one Aff3.Aff2.Aff1 cluster whose Aff0 lies in one
 * 16-wide range. The one codec for the machine's GIC, the host driver and the vGIC.
 */
export interface Sgi1r {
  intid: number;
  targets: number;
  aff1: number;
  aff2: number;
  aff3: number;
  rs: number;
  irm?: boolean;
}

export function encodeSgi1r(f: Sgi1r): bigint {
  return (
    BigInt(f.targets & 0xffff) |
    (BigInt(f.aff1 & 0xff) << 16n) |
    (BigInt(f.intid & 0xf) << 24n) |
    (BigInt(f.aff2 & 0xff) << 32n) |
    (f.irm ? 1n << 40n : 0n) |
    (BigInt(f.rs & 0xf) << 44n) |
    (BigInt(f.aff3 & 0xff) << 48n)
  );
}

export function decodeSgi1r(v: bigint): Required<Sgi1r> {
  const lo = Number(v & 0xffff_ffffn);
  const hi = Number((v >> 32n) & 0xffff_ffffn);
  return {
    intid: (lo >>> 24) & 0xf,
    targets: lo & 0xffff,
    aff1: (lo >>> 16) & 0xff,
    aff2: hi & 0xff,
    irm: ((hi >>> 8) & 1) === 1,
    rs: (hi >>> 12) & 0xf,
    aff3: (hi >>> 16) & 0xff,
  };
}

/**
 * ICH_LR<n>_EL2 (§12.4.6): State [63:62] (pending 01, active 10), HW [61] (the vINTID is backed
 * by physical pINTID [41:32] and deactivated with it), Group [60], Priority [55:48], EOI [41]
 * (HW = 0: a maintenance interrupt on deactivation), vINTID [31:0].
 */
export const ICH_LR = {
  STATE_SHIFT: 62n,
  PENDING: 1n << 62n,
  ACTIVE: 1n << 63n,
  HW: 1n << 61n,
  GROUP1: 1n << 60n,
  PRIO_SHIFT: 48n,
  PINTID_SHIFT: 32n,
  EOI: 1n << 41n,
} as const;
