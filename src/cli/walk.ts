// `armvisor walk <state> <va>`: explain one VA → IPA → PA translation step by step from a state
// saved by `armvisor run --save-state` (the same explanation `run --walk` prints at exit).
import { readFileSync } from 'node:fs';
import { InputError } from '../util/errors.js';
import { loadSnapshot } from '../platform/snapshot.js';
import { explainWalk } from '../arch/mmu/dump.js';
import { fsReason, parseAddr, parseCount } from './run.js';

export interface WalkOptions {
  el?: string;
  pe?: string;
  fetch?: boolean;
}

/** A VA for a walk: hex, and negative-looking 64-bit values (0xffff…) become signed-canonical. */
export function parseVa(text: string, opt: string): number {
  const t = text.trim().replace(/_/g, '').toLowerCase();
  if (/^(0x)?[0-9a-f]{1,16}$/.test(t)) {
    const v = BigInt('0x' + t.replace(/^0x/, ''));
    return Number(BigInt.asIntN(64, v));
  }
  return parseAddr(text, opt);
}

export function parseEl(text: string | undefined, opt: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^[012]$/.test(text.trim())) throw new InputError(opt, `'${text}' must be 0, 1 or 2`);
  return Number(text);
}

export function walkCommand(state: string, vaText: string, o: WalkOptions): string {
  let text: string;
  try {
    text = readFileSync(state, 'utf8');
  } catch (e) {
    throw new InputError('walk', `cannot read '${state}': ${fsReason(e)}`);
  }
  const { pes } = loadSnapshot(text, state);
  const id = o.pe !== undefined ? parseCount(o.pe, '--pe') : 0;
  const pe = pes[id];
  if (!pe) throw new InputError('--pe', `'${o.pe}' is not a PE in this state (it has ${pes.length})`);
  const el = parseEl(o.el, '--el', pe.el);
  if (el === 2 && !pe.cfg.hasEl2) throw new InputError('--el', 'this machine has no EL2');
  return explainWalk(pe, parseVa(vaText, 'walk'), el, o.fetch === true).join('\n') + '\n';
}
