// PSCI 1.1 firmware (Arm DEN 0022), the EL3 stand-in the board provides, reached through the
// SMCCC conduit (Arm DEN 0028): SMC when the board starts at EL2, HVC when it starts at EL1.
// Behaviour mirrors QEMU 7.2's target/arm/psci.c, checked on qemu-system-aarch64 -M virt:
//   - every SMC/HVC on the conduit is a firmware call, whatever its immediate; function IDs
//     that are not PSCI (SMCCC_VERSION included) answer NOT_SUPPORTED;
//   - PSCI_VERSION = 1.1; MIGRATE_INFO_TYPE = 2 (no Trusted OS); MIGRATE/MIGRATE_INFO_UP_CPU
//     and SYSTEM_SUSPEND are not supported;
//   - CPU_ON starts the target at the boot EL (EL2 if the board models EL2, else EL1), AArch64,
//     MMU off, DAIF masked, x0 = context id, regardless of the caller's EL;
//   - AFFINITY_INFO above level 0 answers ON (a cluster is always on);
//   - CPU_SUSPEND is a WFI that returns SUCCESS.
// Results go to X0 sign-extended to 64 bits (as QEMU writes them, also for SMC32 IDs).
import type { Pe } from '../../arch/pe.js';

/** PSCI return codes (DEN 0022 §5.2.2). */
export const PSCI_RET = {
  SUCCESS: 0,
  NOT_SUPPORTED: -1,
  INVALID_PARAMETERS: -2,
  DENIED: -3,
  ALREADY_ON: -4,
  ON_PENDING: -5,
  INTERNAL_FAILURE: -6,
  NOT_PRESENT: -7,
  DISABLED: -8,
  INVALID_ADDRESS: -9,
} as const;

/** Function IDs (arm-facts §9.2). SMC64 variants have bit 30 set. */
export const PSCI = {
  VERSION: 0x8400_0000,
  CPU_SUSPEND: 0x8400_0001,
  CPU_SUSPEND64: 0xc400_0001,
  CPU_OFF: 0x8400_0002,
  CPU_ON: 0x8400_0003,
  CPU_ON64: 0xc400_0003,
  AFFINITY_INFO: 0x8400_0004,
  AFFINITY_INFO64: 0xc400_0004,
  MIGRATE: 0x8400_0005,
  MIGRATE64: 0xc400_0005,
  MIGRATE_INFO_TYPE: 0x8400_0006,
  MIGRATE_INFO_UP_CPU: 0x8400_0007,
  MIGRATE_INFO_UP_CPU64: 0xc400_0007,
  SYSTEM_OFF: 0x8400_0008,
  SYSTEM_RESET: 0x8400_0009,
  FEATURES: 0x8400_000a,
} as const;

export const PSCI_VERSION_1_1 = 0x0001_0001;
/** MIGRATE_INFO_TYPE: "Trusted OS is not present or does not require migration". */
const TOS_NOT_PRESENT_MP = 2;
/** AFFINITY_INFO states. */
export const AFF_STATE = { ON: 0, OFF: 1, ON_PENDING: 2 } as const;

const SMC64 = 1 << 30;
/** MPIDR affinity fields Aff3 (39:32) and Aff2..Aff0 (23:0); everything else must be zero. */
const MPIDR_AFF_MASK = 0xff_00ff_ffffn;

/** The functions PSCI_FEATURES reports as implemented (QEMU's list). */
const IMPLEMENTED = new Set<number>([
  PSCI.VERSION,
  PSCI.CPU_SUSPEND,
  PSCI.CPU_SUSPEND64,
  PSCI.CPU_OFF,
  PSCI.CPU_ON,
  PSCI.CPU_ON64,
  PSCI.AFFINITY_INFO,
  PSCI.AFFINITY_INFO64,
  PSCI.MIGRATE_INFO_TYPE,
  PSCI.SYSTEM_OFF,
  PSCI.SYSTEM_RESET,
  PSCI.FEATURES,
]);

/** What the firmware needs from the machine. */
export interface PsciPlatform {
  readonly pes: readonly Pe[];
  /** EL secondaries start in (the board's boot EL). */
  readonly bootEl: number;
  /** The whole system powers off / resets: the machine stops. `by` made the call. */
  systemOff(by: Pe): void;
  systemReset(by: Pe): void;
}

/** Xn as an unsigned 64-bit value. */
export function getX(pe: Pe, n: number): bigint {
  return (BigInt(pe.x[2 * n + 1]) << 32n) | BigInt(pe.x[2 * n]);
}

/** Xn = v (taken modulo 2^64, so negative return codes sign-extend). */
export function putX(pe: Pe, n: number, v: bigint | number): void {
  const u = BigInt.asUintN(64, BigInt(v));
  pe.x[2 * n] = Number(u & 0xffff_ffffn);
  pe.x[2 * n + 1] = Number(u >> 32n);
}

/** The PE's affinity as PSCI's target_cpu argument names it. */
function peByMpidr(plat: PsciPlatform, mpidr: bigint): Pe | undefined {
  if (mpidr & ~MPIDR_AFF_MASK) return undefined;
  return plat.pes.find((p) => BigInt(p.cfg.affinity) === mpidr);
}

export class Psci {
  constructor(private readonly plat: PsciPlatform) {}

  /** Handle one firmware call from `pe` (function ID in W0). Always consumes the call. */
  call(pe: Pe): true {
    const fid = pe.x[0];
    // SMC32 calls take 32-bit arguments (SMCCC §2.6): the upper halves are ignored.
    const arg = (n: number): bigint => (fid & SMC64 ? getX(pe, n) : getX(pe, n) & 0xffff_ffffn);
    const ret = this.dispatch(pe, fid, arg);
    if (ret !== null) putX(pe, 0, ret);
    return true;
  }

  private dispatch(pe: Pe, fid: number, arg: (n: number) => bigint): number | bigint | null {
    switch (fid) {
      case PSCI.VERSION:
        return PSCI_VERSION_1_1;
      case PSCI.FEATURES:
        return IMPLEMENTED.has(Number(arg(1) & 0xffff_ffffn)) ? PSCI_RET.SUCCESS : PSCI_RET.NOT_SUPPORTED;
      case PSCI.MIGRATE_INFO_TYPE:
        return TOS_NOT_PRESENT_MP;
      case PSCI.CPU_ON:
      case PSCI.CPU_ON64:
        return this.cpuOn(arg(1), arg(2), arg(3));
      case PSCI.CPU_OFF:
        // Does not return on success: the PE powers down now (DEN 0022 §5.5).
        pe.off = true;
        pe.sleeping = '';
        pe.attention = 1;
        return null;
      case PSCI.CPU_SUSPEND:
      case PSCI.CPU_SUSPEND64:
        // A standby (or a powerdown we treat as one): wait for an interrupt, then return
        // SUCCESS to the caller, as QEMU does.
        pe.sleeping = 'wfi';
        pe.attention = 1;
        return PSCI_RET.SUCCESS;
      case PSCI.AFFINITY_INFO:
      case PSCI.AFFINITY_INFO64:
        return this.affinityInfo(arg(1), arg(2));
      case PSCI.SYSTEM_OFF:
        this.plat.systemOff(pe);
        return null;
      case PSCI.SYSTEM_RESET:
        this.plat.systemReset(pe);
        return null;
      default:
        return PSCI_RET.NOT_SUPPORTED;
    }
  }

  private cpuOn(target: bigint, entry: bigint, contextId: bigint): number {
    const t = peByMpidr(this.plat, target);
    if (!t) return PSCI_RET.INVALID_PARAMETERS;
    if (!t.off) return PSCI_RET.ALREADY_ON;
    // Start it as from a cold reset (MMU off, caches off, DAIF masked), at the boot EL.
    t.reset(this.plat.bootEl, Number(BigInt.asIntN(64, entry)));
    putX(t, 0, contextId);
    t.off = false;
    t.attention = 1;
    return PSCI_RET.SUCCESS;
  }

  private affinityInfo(target: bigint, level: bigint): number {
    // Levels above 0 are clusters, which are always on (QEMU's answer, checked on 7.2).
    if (level !== 0n) return AFF_STATE.ON;
    const t = peByMpidr(this.plat, target);
    if (!t) return PSCI_RET.INVALID_PARAMETERS;
    return t.off ? AFF_STATE.OFF : AFF_STATE.ON;
  }
}
