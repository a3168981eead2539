// The architecture rules the machine checks. Each is a case the Arm ARM makes CONSTRAINED
// UNPREDICTABLE (or forbids outright) that QEMU accepts silently; real hardware may give a
// stale translation, a TLB conflict abort or worse. References are to the Arm ARM, DDI 0487
// K.a (section numbers move between editions; the titles do not).

export interface RuleDef {
  id: string;
  title: string;
  ref: string;
}

export const RULES = {
  bbm: {
    id: 'bbm',
    title: 'live translation table entry changed without break-before-make',
    ref: 'Arm ARM D8.16.1 "Using break-before-make when updating translation table entries"',
  },
  ttbrSwitch: {
    id: 'ttbr-switch',
    title: 'TTBR written with the MMU on while old and new tables translate the executing code differently',
    ref: 'Arm ARM D8.16.1 (a TTBR write replaces every entry at once, so break-before-make applies); xen-devel seed 002',
  },
  tlbConflict: {
    id: 'tlb-conflict',
    title: 'translation enabled while the TLB holds entries that conflict with the tables or with each other',
    ref: 'Arm ARM D8.16.3 "TLB conflict aborts" and D8.16.1',
  },
  txszRange: {
    id: 'txsz-range',
    title: 'TCR TxSZ outside 16..39 for a 4KB granule (value clamped)',
    ref: 'Arm ARM D8.2.5 "Input address size configuration" (CONSTRAINED UNPREDICTABLE)',
  },
  contiguous: {
    id: 'contiguous',
    title: 'Contiguous bit set on a run of 16 descriptors that do not agree',
    ref: 'Arm ARM D8.7.1 "The Contiguous bit" (misprogramming is CONSTRAINED UNPREDICTABLE: a TLB conflict, or any one of the translations)',
  },
  reservedAttr: {
    id: 'reserved-attr',
    title: 'reserved MAIR or stage-2 MemAttr encoding used by a translation',
    ref: 'Arm ARM D17.2.97 MAIR_EL1 (UNPREDICTABLE encodings) and D8.5.5',
  },
} as const satisfies Record<string, RuleDef>;
