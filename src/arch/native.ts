// The "native call" encoding: how TypeScript code becomes the code at an address of simulated
// RAM (DESIGN.md §1, the fidelity boundary). The hypervisor image holds, at each of its entry
// points (the image entry, each VBAR_EL2 vector slot, the idle loop), the word UDF #(0xA700 | n).
// The PE fetches it like any instruction — through the EL2 translation regime, so an unmapped
// or non-executable entry is a real Instruction Abort — and when it executes it at EL2 and the
// machine has a handler registered for n, the handler runs instead of the UNDEFINED exception.
// At EL0/EL1, or with no handler, it is the UDF it encodes: a guest cannot call in this way.

/** UDF #imm16 with imm16[15:8] = 0xA7 is reserved for native calls; imm16[7:0] is the index. */
export const NATIVE_CALL_TAG = 0xa700;

/** The instruction word for native call `index` (UDF's encoding is imm16 in bits [15:0]). */
export function nativeCallWord(index: number): number {
  if (!Number.isInteger(index) || index < 0 || index > 0xff) throw new Error(`native call index ${index} out of range`);
  return NATIVE_CALL_TAG | index;
}

/** The native-call index a UDF immediate selects, or -1 for an ordinary UDF. */
export function nativeCallIndex(imm16: number): number {
  return (imm16 & 0xff00) === NATIVE_CALL_TAG ? imm16 & 0xff : -1;
}
