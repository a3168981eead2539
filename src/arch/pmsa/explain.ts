// Human-readable MPU state for `armvisor run --board r82`: `--explain` (why an access
// faulted: the regions that hold the address in each MPU that checked it) and `--dump-tables`
// (each PE's enabled regions at exit).
import type { Pe } from '../pe.js';
import { HCR, SCTLR } from '../sysreg/fields.js';
import { describeRegion, type Region } from './regions.js';
import { pmsaOf, type MpuBank } from './state.js';
import { vtcrMsa } from './controls.js';
import { walkStage1 } from '../mmu/walk.js';

const hex = (n: number): string => '0x' + BigInt.asUintN(64, BigInt(n)).toString(16);

function holders(bank: MpuBank, addr: number): Region[] {
  return bank.enabledRegions().filter((r) => r.base <= addr && addr <= r.limit);
}

function mpuLines(what: string, bank: MpuBank, addr: number, on: boolean, background: boolean): string[] {
  if (!on) return [`  ${what}: off (default memory map)`];
  const h = holders(bank, addr);
  const out = [`  ${what}: ${bank.enabledRegions().length} of ${bank.count} regions enabled${background ? ', background region on' : ''}`];
  if (h.length === 0)
    out.push(`    no enabled region holds ${hex(addr)}${background ? ' (background region applies to privileged accesses)' : ''}`);
  for (const r of h) out.push(`    ${describeRegion(r)}`);
  if (h.length > 1) out.push('    several regions hold it: a fault whatever their attributes');
  return out;
}

/** The MPU checks an access of `va` at `el` went through, region by region. */
export function explainMpu(pe: Pe, va: number, el: number, fetch: boolean): string[] {
  const st = pmsaOf(pe);
  const out = [`  ${fetch ? 'fetch' : 'data access'} at ${hex(va)} from EL${el}`];
  if (el === 2) {
    out.push(...mpuLines('EL2 MPU (stage 1)', st.el2, va, (pe.sctlrEl2 & SCTLR.M) !== 0, (pe.sctlrEl2 & SCTLR.BR) !== 0));
    return out;
  }
  let ipa = va;
  if (vtcrMsa(pe) && pe.mmu.el10.enabled) {
    // The walk without its stage-2 checks, just to find the IPA.
    const r = walkStage1(pe.bus, pe.mmu.el10, va, fetch, null);
    out.push(`  stage 1: VMSAv8-64 (VTCR_EL2.MSA = 1): ${r.ok ? `IPA ${hex(r.oa)}` : `a level-${r.level} stage-${r.stage} fault`}`);
    if (!r.ok) return out;
    ipa = r.oa;
  } else {
    out.push(...mpuLines('EL1 MPU (stage 1)', st.el1, va, pe.mmu.el10.enabled, (pe.sctlrEl1 & SCTLR.BR) !== 0 && el !== 0));
  }
  if (pe.hcrLo & HCR.VM) out.push(...mpuLines(`EL2 MPU (stage 2, HCR_EL2.VM = 1) for IPA ${hex(ipa)}`, st.el2, ipa, true, false));
  return out;
}

/** Every enabled region of both MPUs of a PE. */
export function dumpMpus(pe: Pe): string[] {
  const st = pmsaOf(pe);
  const out = [`PE${pe.id} MPUs:`];
  for (const [name, bank, sctlr] of [
    ['EL2', st.el2, pe.sctlrEl2],
    ['EL1', st.el1, pe.sctlrEl1],
  ] as const) {
    out.push(`  ${name} MPU: ${bank.count} regions, SCTLR_${name}.M = ${sctlr & SCTLR.M ? 1 : 0}, BR = ${sctlr & SCTLR.BR ? 1 : 0}`);
    for (const r of bank.enabledRegions()) out.push(`    ${describeRegion(r)}`);
  }
  return out;
}
