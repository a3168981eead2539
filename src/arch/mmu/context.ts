// A PE's translation state: the decoded controls of each regime (recomputed whenever a
// translation register changes, Pe.refreshControl) and its TLB.
import type { Pe } from '../pe.js';
import { Regime, stage1Config, stage2Config, type Stage1Config, type Stage2Config } from './regime.js';
import { Tlb } from './tlb.js';

export class MmuContext {
  el10!: Stage1Config;
  el2!: Stage1Config;
  s2!: Stage2Config;
  /** VMID that tags EL1&0 entries: VTTBR_EL2.VMID whenever EL2 exists (even with VM = 0). */
  vmid = 0;
  readonly tlb = new Tlb();

  /** Recompute every regime's controls; returns the previous ones (for the rule checker). */
  refresh(pe: Pe): { el10: Stage1Config; el2: Stage1Config; s2: Stage2Config } | null {
    const prev = this.el10 ? { el10: this.el10, el2: this.el2, s2: this.s2 } : null;
    this.el10 = stage1Config(pe, Regime.EL10);
    this.el2 = stage1Config(pe, Regime.EL2);
    this.s2 = stage2Config(pe);
    this.vmid = pe.cfg.hasEl2 ? this.s2.vmid : 0;
    return prev;
  }

  stage1(regime: Regime): Stage1Config {
    return regime === Regime.EL2 ? this.el2 : this.el10;
  }
}
