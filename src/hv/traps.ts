// The EL2 vectors (arm64/entry.S hyp_traps_vector, traps.c): each of the 16 slots of
// hypTrapsVector is a native call into here. With no guests yet, every exception the
// hypervisor takes is its own bug or a seed scenario: a synchronous one is dumped Xen-style
// (syndrome decoded with the machine's ESR codec, FAR, the notional PC and call trace, the
// EL2 walk of the faulting address) and panics; the others are "bad mode".
import { paddr } from './format.js';
import type { Xen } from './xen.js';
import { panic } from './panic.js';
import { EC } from '../arch/esr.js';
import { describeEsr } from '../arch/esr-decode.js';
import { XEN_VERSION } from './image.js';

const SLOT_NAMES = ['Synchronous', 'IRQ', 'FIQ', 'SError'];
const SLOT_GROUPS = ['current EL with SP0', 'current EL with SPx', 'lower EL (AArch64)', 'lower EL (AArch32)'];

const TRAP_NAMES: Record<number, string> = {
  [EC.DABT_CUR]: 'Data Abort',
  [EC.IABT_CUR]: 'Instruction Abort',
  [EC.UNKNOWN]: 'Undefined Instruction',
  [EC.PC_ALIGN]: 'PC Alignment',
  [EC.SP_ALIGN]: 'SP Alignment',
};

/** Vector slot `slot` (0..15) was entered. */
export function trap(xen: Xen, slot: number): void {
  const cpu = xen.cpu;
  const trace = xen.faultTrace ?? [];
  xen.faultTrace = null;
  if (xen.panicked !== null) {
    // A fault while reporting a panic (the console itself is broken): nothing more to say.
    cpu.setPc(xen.mmuOn ? xen.sym('idleLoop') : xen.pa('idleLoop'));
    cpu.wfi();
    return;
  }
  if (xen.inTrap) panic('Nested trap while handling a hypervisor trap');
  xen.inTrap = true;
  const group = slot >> 2;
  const kind = slot & 3;
  if (kind !== 0 || group >= 2) {
    xen.call('doBadMode', () => panic(`bad mode: ${SLOT_NAMES[kind]} exception from the ${SLOT_GROUPS[group]} (vector slot ${slot})`));
  }
  xen.call('doTrapHypSync', () => {
    const esr = Number(cpu.readSysreg('ESR_EL2') & 0xffff_ffffn);
    const far = cpu.readSysreg('FAR_EL2');
    const elr = cpu.readSysreg('ELR_EL2');
    const spsr = cpu.readSysreg('SPSR_EL2');
    const ec = esr >>> 26;
    const name = TRAP_NAMES[ec] ?? `exception class 0x${ec.toString(16)}`;
    const lines: string[] = [];
    if (ec === EC.DABT_CUR || ec === EC.IABT_CUR) {
      lines.push(`${ec === EC.DABT_CUR ? 'Data' : 'Instruction'} Abort Trap. Syndrome=0x${(esr & 0x3f).toString(16)}`);
    }
    lines.push(`CPU${cpu.id}: Unexpected Trap: ${name}`);
    lines.push(`----[ Xen-${XEN_VERSION}  arm64  debug=n  Not tainted ]----`);
    lines.push(`CPU:    ${cpu.id}`);
    lines.push(`PC:     ${paddr(elr)} ${cpu.symbolName(Number(BigInt.asIntN(64, elr)))}`);
    lines.push(`CPSR:   ${paddr(spsr)} MODE:64-bit EL2h (Hypervisor, handler)`);
    lines.push(`FAR_EL2: ${paddr(far)}`);
    for (const l of describeEsr(BigInt(esr), { el2: true })) lines.push(`  ${l}`);
    if (ec === EC.DABT_CUR || ec === EC.IABT_CUR) {
      const wnr = (esr >>> 6) & 1;
      const access = ec === EC.IABT_CUR ? 'instruction fetch' : wnr ? 'write' : 'read';
      lines.push(`Faulting access: ${access} at VA ${paddr(far)} from ${cpu.symbolName(Number(BigInt.asIntN(64, elr)))}`);
      lines.push(...xen.mm.dumpHypWalk(xen, Number(BigInt.asIntN(64, far))));
    }
    lines.push('');
    lines.push('Xen call trace:');
    for (const t of trace) lines.push(`   ${t}`);
    lines.push('');
    xen.printk(lines.join('\n'));
    panic(`CPU${cpu.id}: Unexpected Trap: ${name}`);
  });
}
