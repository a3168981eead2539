// The complete catalogue: importing this module registers every sysreg definition.
// Registration happens at import, so it is complete before any Pe is constructed (pe.ts
// imports this module). Order does not matter; names and encodings must be unique.
import './id.js';
import './el1.js';
import './el2.js';
import './pstateRegs.js';
import './timer.js';
import './debug.js';
import './mpu.js';
import './gic.js';
export { allSysRegs, sr, sysRegByKey, sysRegsByKey, registerSysRegs, Access } from './catalogue.js';
