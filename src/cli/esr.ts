// `armvisor esr <value> [--el2]`: explain an exception syndrome value field by field.
import { describeEsr } from '../arch/esr-decode.js';

export interface EsrIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

const consoleIo: EsrIo = { out: (l) => console.log(l), err: (l) => console.error(l) };

/** Parse an ESR value: 0x-prefixed hex, or decimal. Returns an error message on bad input. */
export function parseEsrValue(text: string): bigint | string {
  const t = text.trim().replace(/_/g, '');
  let v: bigint;
  if (/^0x[0-9a-f]+$/i.test(t)) v = BigInt(t);
  else if (/^[0-9]+$/.test(t)) v = BigInt(t);
  else return `'${text}' is not a number (expected 0x-prefixed hex, e.g. 0x96000045, or decimal)`;
  if (v >> 64n) return `'${text}' does not fit in 64 bits`;
  return v;
}

/** Run the command; returns the process exit code. */
export function esrCommand(args: string[], io: EsrIo = consoleIo): number {
  let el2 = false;
  const values: string[] = [];
  for (const a of args) {
    if (a === '--el2') el2 = true;
    else if (a.startsWith('--')) {
      io.err(`armvisor esr: unknown option '${a}'`);
      return 2;
    } else values.push(a);
  }
  if (values.length !== 1) {
    io.err(values.length ? 'armvisor esr: expected one value' : 'armvisor esr: missing <value> (e.g. armvisor esr 0x96000045)');
    return 2;
  }
  const v = parseEsrValue(values[0]);
  if (typeof v === 'string') {
    io.err(`armvisor esr: ${v}`);
    return 2;
  }
  for (const line of describeEsr(v, { el2 })) io.out(line);
  return 0;
}
