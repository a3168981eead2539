// A PE's two MPUs (EL1 and EL2): the PRBAR/PRLAR pairs behind PRSELR and the numbered
// aliases, and the list of enabled regions the lookup walks (rebuilt lazily after a write).
// The registers are held here rather than in the sysreg storage because they are indexed
// by PRSELR, up to 255 per MPU.
import type { Pe } from '../pe.js';
import { decodeRegion, MAX_REGIONS, type Region } from './regions.js';

/** How MPU faults with no matching region, or several, are reported (arm-facts §5.6). */
export type MpuFaultModel = 'permission' | 'translation';

/** The PMSA half of a PE's configuration (PeConfig.pmsa, set by the r82 board). */
export interface PmsaConfig {
  /** MPUIR_EL1.REGION / MPUIR_EL2.REGION: 0..255 regions. */
  el1Regions: number;
  el2Regions: number;
  /** EL1&0 stage 1 may be VMSAv8-64 (VTCR_EL2.MSA writable; ID_AA64MMFR0_EL1.MSA_frac = 2). */
  el1Vmsa: boolean;
  /** DFSC/IFSC for "no region" and "several regions" (AP/XN violations are always Permission). */
  faultModel: MpuFaultModel;
}

export const DEFAULT_PMSA: PmsaConfig = { el1Regions: 32, el2Regions: 32, el1Vmsa: true, faultModel: 'permission' };

export class MpuBank {
  readonly prbar: bigint[];
  readonly prlar: bigint[];
  private enabled: Region[] | null = null;

  constructor(readonly count: number) {
    if (!Number.isInteger(count) || count < 0 || count > MAX_REGIONS) throw new Error(`MPU with ${count} regions`);
    // Reset values are UNKNOWN (EN included); zero is one of them and keeps runs deterministic.
    this.prbar = new Array<bigint>(count).fill(0n);
    this.prlar = new Array<bigint>(count).fill(0n);
  }

  /** Region `n`'s registers changed (or the PRENR view of them). */
  changed(): void {
    this.enabled = null;
  }

  /** Enabled regions in ascending index order. */
  enabledRegions(): readonly Region[] {
    if (this.enabled) return this.enabled;
    const out: Region[] = [];
    for (let i = 0; i < this.count; i++) if (this.prlar[i] & 1n) out.push(decodeRegion(i, this.prbar[i], this.prlar[i]));
    this.enabled = out;
    return out;
  }

  region(i: number): Region {
    return decodeRegion(i, this.prbar[i], this.prlar[i]);
  }
}

export class PmsaState {
  readonly el1: MpuBank;
  readonly el2: MpuBank;
  constructor(readonly cfg: PmsaConfig) {
    this.el1 = new MpuBank(cfg.el1Regions);
    this.el2 = new MpuBank(cfg.el2Regions);
  }
  bank(el: 1 | 2): MpuBank {
    return el === 2 ? this.el2 : this.el1;
  }
}

const states = new WeakMap<Pe, PmsaState>();

/** The PE's MPUs (created on first use from PeConfig.pmsa, or the defaults). */
export function pmsaOf(pe: Pe): PmsaState {
  let s = states.get(pe);
  if (!s) {
    s = new PmsaState(pe.cfg.pmsa ?? DEFAULT_PMSA);
    states.set(pe, s);
  }
  return s;
}
