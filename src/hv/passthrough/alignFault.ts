// A stage-2 Alignment fault (seed 004's case): an unaligned access, or DC ZVA, to memory the
// p2m maps Device while the guest's stage 1 says Normal. Each stage checks alignment against
// its own attributes (Arm ARM pseudocode AArch64.S1HasAlignmentFault / AArch64.S2HasAlignmentFault;
// the machine's arch/mem/translate.ts), so the fault is a stage-2 one, taken to EL2 — though on
// bare metal, with the same attributes in one stage, the guest would have taken it itself. So
// the hypervisor hands it to the guest as the Data Abort it would have seen: EC "Data Abort,
// current EL" (or lower EL from EL0), DFSC
// Alignment, WnR and CM from the trap, FAR_EL1 = the faulting VA, at the guest's vector.
// (Xen's do_trap_stage2_abort_guest injects such unhandled FSCs with ISS 0 — an abort with no
// reason; we keep the reason, which is architectural for the guest's own view of its access.)
//
// These run in their caller's image symbol (doTrapHypercall, constructDomain,
// doTrapStage2AbortGuest): the image's one .text page has no room for more (hv/image.ts,
// mm/mpu/layout.ts defaultXenSections).
import type { Xen } from '../xen.js';
import type { Vcpu } from '../domain/domain.js';
import { PSR_GUEST64_INIT } from '../domain/domain.js';
import { ABT, EC, ESR_IL, FSC, makeEsr } from '../../arch/esr.js';

/** If `esr` (a lower-EL Data Abort) is a stage-2 Alignment fault, inject it into `v`; returns whether it was. */
export function forwardStage2AlignmentFault(xen: Xen, v: Vcpu, esr: number): boolean {
  if (esr >>> 26 !== EC.DABT_LOW || (esr & 0x3f) !== FSC.ALIGNMENT) return false;
  const cpu = xen.cpu;
  const mode = Number(v.cpsr & 0xfn);
  const fromEl0 = mode === 0x0;
  // Vector offset (Arm ARM D1.10.2): current EL with SP0 0x000, SPx 0x200, lower EL 0x400.
  const off = mode === 0x5 ? 0x200n : mode === 0x4 ? 0x000n : 0x400n;
  const iss = FSC.ALIGNMENT | (esr & (ABT.WNR | ABT.CM));
  cpu.writeSysreg('ESR_EL1', BigInt(makeEsr(fromEl0 ? EC.DABT_LOW : EC.DABT_CUR, (esr & ESR_IL) !== 0, iss)));
  cpu.writeSysreg('FAR_EL1', cpu.readSysreg('FAR_EL2'));
  cpu.writeSysreg('ELR_EL1', v.pc);
  cpu.writeSysreg('SPSR_EL1', v.cpsr);
  v.pc = cpu.readSysreg('VBAR_EL1') + off;
  v.cpsr = PSR_GUEST64_INIT;
  return true;
}
