// The unit of execution: one decoded instruction, specialised on its fields at decode time.
//
// An Op runs with pe.curPc = its own address and pe.pc already advanced to curPc + 4; a branch
// overwrites pe.pc. A fault calls into the exception model, which redirects the PE and throws
// EXCEPTION_TAKEN to abandon the rest of the instruction.
import type { Pe } from '../pe.js';

export type Op = (pe: Pe) => void;
