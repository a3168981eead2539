// TLB maintenance instructions: the scope each TLBI reaches (Arm ARM C5.5 "A64 System
// instructions for TLB maintenance"; arm-facts §4.11). "Current VMID" is VTTBR_EL2.VMID;
// last-level (…L…) forms are treated like the full ones, which the architecture permits
// (they may invalidate more, never less).
import type { Pe } from '../pe.js';
import { HCR } from '../sysreg/fields.js';
import type { TlbiScope } from './tlb.js';

/** Xt of a by-VA TLBI: VA[55:12] in bits [43:0], sign-extended from VA bit 55. */
export function tlbiVa(xt: bigint): number {
  const va = Number(xt & 0xfff_ffff_ffffn) * 4096;
  return va >= 2 ** 55 ? va - 2 ** 56 : va;
}

/** Xt of a by-IPA TLBI: IPA[47:12] in bits [35:0]. */
export function tlbiIpa(xt: bigint): number {
  return Number(xt & 0xf_ffff_ffffn) * 4096;
}

/** The ASID in Xt[63:48]; with 8-bit ASIDs (TCR_EL1.AS = 0) the upper byte is ignored. */
function tlbiAsid(pe: Pe, xt: bigint): number {
  const asid = Number(xt >> 48n) & 0xffff;
  const as16 = (pe.sys[pe.srTCR_EL1] >> 36n) & 1n;
  return as16 ? asid : asid & 0xff;
}

type ScopeOf = (pe: Pe, xt: bigint, vmid: number) => TlbiScope;

const byVaAsid: ScopeOf = (pe, xt, vmid) => ({ el10: true, vmid, asid: tlbiAsid(pe, xt), withGlobal: true, addr: tlbiVa(xt) });
const byVaAllAsid: ScopeOf = (_pe, xt, vmid) => ({ el10: true, vmid, addr: tlbiVa(xt) });
const byIpa: ScopeOf = (_pe, xt, vmid) => ({ stage2: true, vmid, addr: tlbiIpa(xt) });
const byVaEl2: ScopeOf = (_pe, xt) => ({ el2: true, addr: tlbiVa(xt) });

/** Scope by operation name (the IS suffix only adds the broadcast). */
const SCOPES: Record<string, ScopeOf> = {
  VMALLE1: (_pe, _xt, vmid) => ({ el10: true, vmid }),
  VAE1: byVaAsid,
  VALE1: byVaAsid,
  ASIDE1: (pe, xt, vmid) => ({ el10: true, vmid, asid: tlbiAsid(pe, xt) }),
  VAAE1: byVaAllAsid,
  VAALE1: byVaAllAsid,
  IPAS2E1: byIpa,
  IPAS2LE1: byIpa,
  ALLE2: () => ({ el2: true }),
  VAE2: byVaEl2,
  VALE2: byVaEl2,
  ALLE1: () => ({ el10: true, stage2: true }),
  VMALLS12E1: (_pe, _xt, vmid) => ({ el10: true, stage2: true, vmid }),
};

/** Execute TLBI `name` ("TLBI VAE1IS") with operand `xt` on `pe` (and broadcast when shareable). */
export function tlbi(pe: Pe, name: string, xt: bigint, shareable: boolean): void {
  const op = name.slice(5).replace(/IS$/, '');
  const scopeOf = SCOPES[op];
  if (!scopeOf) throw new Error(`no TLBI scope for ${name}`);
  const scope = scopeOf(pe, xt, pe.mmu.vmid);
  pe.invalidateTlb(scope);
  // HCR_EL2.FB upgrades EL1 TLBIs to Inner Shareable.
  if (shareable || (pe.el === 1 && pe.cfg.hasEl2 && pe.hcrLo & HCR.FB)) pe.host.tlbiBroadcast(pe, scope);
}
