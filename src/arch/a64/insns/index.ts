// Every A64 instruction table, in decode-priority order within each encoding group.
import type { InsnDef } from '../table.js';
import { DP_IMM } from './dpImm.js';
import { DP_REG } from './dpReg.js';
import { BRANCH } from './branch.js';
import { SYSTEM } from './system.js';
import { LDST } from './ldst.js';

export const ALL_TABLES: InsnDef[][] = [SYSTEM, BRANCH, DP_IMM, DP_REG, LDST];
