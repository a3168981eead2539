// Armv8-R controls of the EL1&0 memory system that live in A-profile registers:
// VTCR_EL2.MSA (bit 31) picks VMSAv8-64 (1) or PMSAv8-64 (0) for EL1&0 stage 1 — writable
// only when the board implements an EL1 VMSA, RES0 otherwise (arm-facts §5.5; Xen
// arm64/mpu/p2m.c, Bao armv8-r/vm.c) — and ID_AA64MMFR0_EL1.MSA / MSA_frac, which report it.
import type { Pe } from '../pe.js';
import { lazySr } from '../sysreg/build.js';

export const VTCR_MSA = 1n << 31n;

const VTCR = lazySr('VTCR_EL2');

/** EL1&0 stage 1 is the VMSAv8-64 MMU (an R-profile PE with an EL1 VMSA and VTCR_EL2.MSA = 1). */
export function vtcrMsa(pe: Pe): boolean {
  return pe.cfg.profile === 'R' && (pe.cfg.pmsa?.el1Vmsa ?? false) && (pe.sys[VTCR()] & VTCR_MSA) !== 0n;
}

/** VTCR_EL2 bits writable beyond the A-profile ones: MSA, when an EL1 VMSA exists. */
export function vtcrExtraWriteMask(pe: Pe): bigint {
  return pe.cfg.profile === 'R' && pe.cfg.pmsa?.el1Vmsa ? VTCR_MSA : 0n;
}

/**
 * ID_AA64MMFR0_EL1 fields of an R-profile PE: MSA [51:48] = 0xF ("PMSAv8-64, see MSA_frac"),
 * MSA_frac [55:52] = 2 with an EL1 VMSA (PMSA and VMSA for EL1&0) else 1 (PMSA only), and
 * TGran4 [31:28] = 0xF (no 4 KB granule) without one. Returns [bits to set, bits to clear].
 */
export function mmfr0Profile(pe: Pe): { set: bigint; clear: bigint } {
  if (pe.cfg.profile !== 'R') return { set: 0n, clear: 0n };
  const vmsa = pe.cfg.pmsa?.el1Vmsa ?? false;
  const set = (0xfn << 48n) | ((vmsa ? 2n : 1n) << 52n) | (vmsa ? 0n : 0xfn << 28n);
  return { set, clear: vmsa ? 0n : 0xfn << 28n };
}
