// Virtual time for the hypervisor's TypeScript (DESIGN.md §2): every primitive of the PE
// interface costs a fixed number of "instructions", charged to the PE's retired count, so a
// boot takes the same virtual time on every host. The numbers are rough A64 equivalents.
export const COST = {
  /** One load or store (LDR/STR). */
  access: 1,
  /** MRS / MSR. */
  sysreg: 1,
  /** A TLBI, DC, IC or AT operation. */
  maintenance: 1,
  /** DSB / ISB. */
  barrier: 1,
  /** A call into a hypervisor routine (BL, prologue, epilogue). */
  call: 4,
  /** Per 8 bytes of a byte copy or clear. */
  copy8: 1,
} as const;
