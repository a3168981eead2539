// Shared pieces of the benchmarks: running a guest image on armvisor and timing its run loop.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { VirtBoard } from '../src/platform/boards/virt.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const guests = path.join(root, 'guests');

export interface GuestRun {
  insns: number;
  seconds: number;
  out: string;
}

/** Boot `file` on the virt board at `el` and run it to its end; time only the run loop. */
export function armvisorRun(file: string, el: 1 | 2): GuestRun {
  let out = '';
  const board = new VirtBoard({ el, cpus: 1, memSize: 512 << 20, semihosting: false, console: (b) => (out += String.fromCharCode(b)) });
  board.load({ kernel: readFileSync(file), kernelName: file });
  const t0 = process.hrtime.bigint();
  while (!board.machine.run(64));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const insns = board.machine.pes.reduce((s, pe) => s + pe.retired, 0);
  return { insns, seconds, out };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

export function mipsOf(r: GuestRun): number {
  return r.insns / r.seconds / 1e6;
}
