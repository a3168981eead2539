/**
 * Device-tree source (DTS): a dtc-compatible printer and a parser for the
 * subset of the language Xen dom0less configurations use.
 */
export { printDts, formatValue, guessValueType } from './dtsPrint.js';
export { parseDts, dtsLabels } from './dtsParse.js';
