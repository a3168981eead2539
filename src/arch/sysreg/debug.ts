// Debug and PMU registers a kernel touches at boot (arm-facts §1.4). Of self-hosted debug only
// software step is modelled (softwareStep.ts); breakpoint/watchpoint registers are plain
// storage that never fire. The PMU is
// minimal: PMUVer = 1 (as the A57) but PMCR_EL0.N = 0 (no event counters), and the cycle
// counter counts one cycle per retired instruction (the machine's virtual time, DESIGN.md §2)
// while PMCR_EL0.E and PMCNTENSET_EL0.C are both set. Not modelled: PMCCFILTR_EL0's EL
// filtering (stored; every EL counts), overflow (PMOVSSET.C never sets, no PMU interrupt).
// MDCR_EL2 traps for all of these are in traps.ts.
import type { Pe } from '../pe.js';
import { registerSysRegs } from './catalogue.js';
import type { SysRegDef } from './types.js';
import { reg, lazySr, M32 } from './build.js';

const OSLSR = lazySr('OSLSR_EL1');
const PMCNTEN = lazySr('PMCNTENSET_EL0');
const PMINTEN = lazySr('PMINTENSET_EL1');
const PMOVS = lazySr('PMOVSSET_EL0');
const PMCR = lazySr('PMCR_EL0');
const PMCCNTR = lazySr('PMCCNTR_EL0');

/** OSLSR_EL1 reset as QEMU: OSLM = 0b10 (OS lock implemented), OSLK = 1 (locked at reset). */
const OSLSR_RESET = 0xan;
const OSLK = 2n;

const attend = (pe: Pe): void => void (pe.attention = 1);

type Enc = [op1: number, crm: number, op2: number];

/** A set/clear register pair over one storage cell (write-1-to-set, write-1-to-clear); CRn = 9. */
function setClear(set: string, setEnc: Enc, clr: string, clrEnc: Enc, minEl: 0 | 1, cell: () => number, mask: bigint): SysRegDef[] {
  const read = (pe: Pe): bigint => pe.sys[cell()];
  const setW = (pe: Pe, v: bigint): void => ccntControl(pe, () => void (pe.sys[cell()] |= v & mask));
  const clrW = (pe: Pe, v: bigint): void => ccntControl(pe, () => void (pe.sys[cell()] &= ~(v & mask)));
  return [
    reg(set, 3, setEnc[0], 9, setEnc[1], setEnc[2], minEl, { read, write: setW, note: 'PMU' }),
    reg(clr, 3, clrEnc[0], 9, clrEnc[1], clrEnc[2], minEl, { read, write: clrW, note: 'PMU' }),
  ];
}

/** Only the cycle counter (bit 31) exists when PMCR_EL0.N = 0. */
const PMU_CNT_MASK = 1n << 31n;
const PMCR_E = 1n;
const PMCR_C = 4n;
const M64 = (1n << 64n) - 1n;

/**
 * The cycle counter (Arm ARM D13.2): PMCCNTR_EL0's storage holds the count itself while the
 * counter is stopped, and count − retired instructions while it runs, so that a read is one
 * addition and nothing needs updating per instruction.
 */
function ccntCounting(pe: Pe): boolean {
  return (pe.sys[PMCR()] & PMCR_E) !== 0n && (pe.sys[PMCNTEN()] & PMU_CNT_MASK) !== 0n;
}
function ccntRead(pe: Pe): bigint {
  const c = pe.sys[PMCCNTR()];
  return ccntCounting(pe) ? (c + BigInt(pe.retired)) & M64 : c;
}
function ccntStore(pe: Pe, v: bigint): void {
  pe.sys[PMCCNTR()] = ccntCounting(pe) ? (v - BigInt(pe.retired)) & M64 : v & M64;
}
/** Change a register that may start or stop the cycle counter without changing its count. */
function ccntControl(pe: Pe, change: () => void): void {
  const v = ccntRead(pe);
  change();
  ccntStore(pe, v);
}

function breakpoints(): SysRegDef[] {
  const out: SysRegDef[] = [];
  // Cortex-A57: 6 breakpoints, 4 watchpoints (ID_AA64DFR0_EL1.BRPs = 5, WRPs = 3).
  for (let n = 0; n < 6; n++) {
    out.push(reg(`DBGBVR${n}_EL1`, 2, 0, 0, n, 4, 1, { note: 'TDA' }));
    out.push(reg(`DBGBCR${n}_EL1`, 2, 0, 0, n, 5, 1, { writeMask: M32, note: 'TDA' }));
  }
  for (let n = 0; n < 4; n++) {
    out.push(reg(`DBGWVR${n}_EL1`, 2, 0, 0, n, 6, 1, { note: 'TDA' }));
    out.push(reg(`DBGWCR${n}_EL1`, 2, 0, 0, n, 7, 1, { writeMask: M32, note: 'TDA' }));
  }
  return out;
}

export const DEBUG_SYSREGS: SysRegDef[] = [
  reg('MDCCINT_EL1', 2, 0, 0, 2, 0, 1, { writeMask: 0x6000_0000n, note: 'TDA' }),
  // SS, ERR, TDCC, KDE, HDE, MDE, SC2... (TXfull/RXfull are read-only status, read 0).
  // MDSCR_EL1.SS/KDE and the OS locks decide software step (softwareStep.ts): re-evaluate.
  reg('MDSCR_EL1', 2, 0, 0, 2, 2, 1, { writeMask: 0x0008_f041n, onWrite: attend, note: 'TDA' }),
  reg('MDCCSR_EL0', 2, 3, 0, 1, 0, 0, { ro: true, note: 'TDA' }),
  // No memory-mapped debug components: MDRAR_EL1.Valid = 0.
  reg('MDRAR_EL1', 2, 0, 1, 0, 0, 1, { ro: true, note: 'TDRA' }),
  reg('OSLAR_EL1', 2, 0, 1, 0, 4, 1, {
    wo: true,
    note: 'TDOSA',
    write: (pe: Pe, v: bigint) => {
      pe.sys[OSLSR()] = (pe.sys[OSLSR()] & ~OSLK) | ((v & 1n) << 1n);
      attend(pe);
    },
  }),
  reg('OSLSR_EL1', 2, 0, 1, 1, 4, 1, { ro: true, reset: OSLSR_RESET, note: 'TDOSA' }),
  reg('OSDLR_EL1', 2, 0, 1, 3, 4, 1, { writeMask: 1n, onWrite: attend, note: 'TDOSA' }),
  reg('DBGPRCR_EL1', 2, 0, 1, 4, 4, 1, { writeMask: 1n, note: 'TDOSA' }),
  ...breakpoints(),
  // PMU (Arm ARM D13). PMCR_EL0: IMP = 0x41, IDCODE = 0x01 (A57), N = 0; E, D, X, DP, LC stored;
  // P (no event counters) and C (zero the cycle counter) are write-one actions that read 0.
  reg('PMCR_EL0', 3, 3, 9, 12, 0, 0, {
    reset: 0x4101_0000n,
    write: (pe: Pe, v: bigint) => {
      const keep = ccntRead(pe);
      pe.sys[PMCR()] = (pe.sys[PMCR()] & ~0x79n) | (v & 0x79n);
      ccntStore(pe, v & PMCR_C ? 0n : keep);
    },
    note: 'PMU',
  }),
  ...setClear('PMCNTENSET_EL0', [3, 12, 1], 'PMCNTENCLR_EL0', [3, 12, 2], 0, PMCNTEN, PMU_CNT_MASK),
  ...setClear('PMOVSSET_EL0', [3, 14, 3], 'PMOVSCLR_EL0', [3, 12, 3], 0, PMOVS, PMU_CNT_MASK),
  reg('PMSWINC_EL0', 3, 3, 9, 12, 4, 0, { wo: true, write: () => undefined, note: 'PMU' }),
  reg('PMSELR_EL0', 3, 3, 9, 12, 5, 0, { writeMask: 0x1fn, note: 'PMU' }),
  reg('PMCEID0_EL0', 3, 3, 9, 12, 6, 0, { ro: true, note: 'PMU' }),
  reg('PMCEID1_EL0', 3, 3, 9, 12, 7, 0, { ro: true, note: 'PMU' }),
  reg('PMCCNTR_EL0', 3, 3, 9, 13, 0, 0, { read: ccntRead, write: ccntStore, note: 'PMU' }),
  reg('PMXEVTYPER_EL0', 3, 3, 9, 13, 1, 0, { writeMask: M32, note: 'PMU' }),
  reg('PMXEVCNTR_EL0', 3, 3, 9, 13, 2, 0, { writeMask: M32, note: 'PMU' }),
  reg('PMUSERENR_EL0', 3, 3, 9, 14, 0, 0, { writeMask: 0xfn, note: 'PMU' }),
  ...setClear('PMINTENSET_EL1', [0, 14, 1], 'PMINTENCLR_EL1', [0, 14, 2], 1, PMINTEN, PMU_CNT_MASK),
  reg('PMCCFILTR_EL0', 3, 3, 14, 15, 7, 0, { writeMask: 0xf800_0000n, note: 'PMU' }),
];

registerSysRegs(DEBUG_SYSREGS);
