// `armvisor run`: boot an image on a board and run it to a stop condition.
//
// Exit status: 0 after PSCI SYSTEM_OFF (or SYSTEM_RESET, which stops the run with a note);
// the guest's status after semihosting SYS_EXIT (1 for a non-ApplicationExit reason);
// 2 when --max-insns ran out; 3 when the machine can never make progress again (every PE off
// without SYSTEM_OFF, or asleep / spinning with nothing that can wake it); 1 for bad input.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../util/errors.js';
import { BOARD_NAMES, boardLimits, createBoard, isBoardName, type Board } from '../platform/boards/index.js';
import type { PmsaConfig } from '../arch/pmsa/state.js';
import { dumpMpus, explainMpu } from '../arch/pmsa/explain.js';
import { describeStop } from '../platform/machine.js';
import type { Pe } from '../arch/pe.js';
import { disasmWord, hex16 } from './disasm.js';
import { describeEntry, dumpTables, explainWalk } from '../arch/mmu/dump.js';
import { saveSnapshot } from '../platform/snapshot.js';
import { parseEl, parseVa } from './walk.js';
import { DCACHE_DEFAULTS, dataCacheGeometryProblem, type DataCacheOptions } from '../arch/cache/dcache.js';

export interface RunOptions {
  board: string;
  el?: string;
  smp: string;
  mem?: string;
  append?: string;
  initrd?: string;
  dtbOut?: string;
  maxInsns?: string;
  trace?: boolean;
  semihosting: boolean;
  strict?: boolean;
  explain?: boolean;
  traceTlb?: boolean;
  dumpTables?: boolean;
  walk?: string[];
  walkEl?: string;
  saveState?: string;
  /** r82 board options (src/platform/boards/r82.ts). */
  mpuEl1Regions?: string;
  mpuEl2Regions?: string;
  el1Vmsa?: boolean;
  mpuFaults?: string;
  /** The data-cache model (src/arch/cache): off unless --dcache. */
  dcache?: boolean;
  dcacheSeed?: string;
  dcacheSize?: string;
  dcacheWays?: string;
}

/** The built-in demo guest, relative to the package root (dist/src/cli/run.js → ../../..). */
export const DEFAULT_GUEST = fileURLToPath(new URL('../../../guests/bin/hello.elf', import.meta.url));
/** The same demo guest linked for the r82 board (DRAM at 0, UART at 0x9C090000). */
export const DEFAULT_GUEST_R82 = fileURLToPath(new URL('../../../guests/bin/hello-r82.elf', import.meta.url));

// --- argument parsing (each failure is one InputError naming the option) ----------------------

const UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/**
 * A memory size as QEMU's -m takes it: a number with an optional K/M/G/T suffix (binary
 * units, optional trailing "B" or "iB"); a bare number means MiB, as for -m. Hex allowed.
 */
export function parseSize(text: string, opt: string): number {
  const m = /^(0x[0-9a-f]+|\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) throw new InputError(opt, `'${text}' is not a size (try 512M or 2G)`);
  const n = m[1].toLowerCase().startsWith('0x') ? parseInt(m[1], 16) : Number(m[1]);
  const unit = m[2] ? UNITS[m[2].toUpperCase()] : m[1].toLowerCase().startsWith('0x') ? 1 : UNITS.M;
  const v = n * unit;
  if (!Number.isSafeInteger(v) || v <= 0) throw new InputError(opt, `'${text}' is not a size (try 512M or 2G)`);
  return v;
}

/** A non-negative integer (decimal, 0x hex, optional _ separators, k/M/G decimal suffix). */
export function parseCount(text: string, opt: string): number {
  const t = text.trim().replace(/_/g, '');
  const m = /^(0x[0-9a-f]+|\d+)([kmg]?)$/i.exec(t);
  if (!m) throw new InputError(opt, `'${text}' is not a number`);
  const base = m[1].toLowerCase().startsWith('0x') ? parseInt(m[1], 16) : Number(m[1]);
  const mul = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[m[2].toLowerCase()] ?? 1;
  const v = base * mul;
  if (!Number.isSafeInteger(v)) throw new InputError(opt, `'${text}' is too large`);
  return v;
}

/** An address: always hexadecimal, with or without 0x (as objdump prints them). */
export function parseAddr(text: string, opt: string): number {
  const t = text.trim().replace(/_/g, '');
  let v: number;
  if (/^0x[0-9a-f]+$/i.test(t)) v = parseInt(t.slice(2), 16);
  else if (/^[0-9a-f]+$/i.test(t)) v = parseInt(t, 16);
  else throw new InputError(opt, `'${text}' is not an address (hex, e.g. 0x40080000)`);
  if (!Number.isSafeInteger(v)) throw new InputError(opt, `'${text}' is too large`);
  return v;
}

/** Read a file for `cmd`, turning host errors into one readable line. */
export function readInput(path: string, cmd: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new InputError(cmd, `cannot read '${path}': ${fsReason(e)}`);
  }
}

export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return code ?? (e as Error).message;
  }
}

// --- console ----------------------------------------------------------------------------------

/** Buffered writer for a host stream (stdout/stderr are synchronous for files and pipes on Linux). */
class Sink {
  private buf = new Uint8Array(1 << 16);
  private n = 0;
  constructor(private readonly stream: NodeJS.WriteStream) {}
  byte = (b: number): void => {
    this.buf[this.n++] = b;
    if (this.n === this.buf.length) this.flush();
  };
  text(s: string): void {
    this.flush();
    this.stream.write(s);
  }
  flush(): void {
    if (this.n === 0) return;
    this.stream.write(this.buf.slice(0, this.n));
    this.n = 0;
  }
}

// --- the command --------------------------------------------------------------------------------

export async function runCommand(image: string | undefined, o: RunOptions): Promise<number> {
  if (!isBoardName(o.board)) {
    throw new InputError('--board', `'${o.board}' is not a board this machine has (boards: ${BOARD_NAMES.join(', ')})`);
  }
  const limits = boardLimits(o.board);
  const r82 = o.board === 'r82';
  const elText = o.el ?? (r82 ? '2' : '1');
  if (elText !== '1' && elText !== '2') throw new InputError('--el', `'${elText}' must be 1 or 2`);
  const el = Number(elText) as 1 | 2;
  const pmsa = r82 ? r82Options(o) : noR82Options(o);
  const cpus = parseCount(o.smp, '--smp');
  if (cpus < 1 || cpus > limits.maxCpus) throw new InputError('--smp', `'${o.smp}' must be 1..${limits.maxCpus}`);
  const memSize = o.mem !== undefined ? parseSize(o.mem, '--mem') : limits.defaultMem;
  if (memSize % 4096 !== 0) throw new InputError('--mem', `'${o.mem}' is not a multiple of 4 KiB`);
  if (memSize > limits.maxMem) {
    throw new InputError('--mem', `'${o.mem}' is more than the ${limits.maxMem / 2 ** 30} GiB the ${o.board} RAM windows hold`);
  }
  const maxInsns = o.maxInsns !== undefined ? parseCount(o.maxInsns, '--max-insns') : undefined;
  const dcache = dcacheOptions(o);
  const walks = (o.walk ?? []).flatMap((w) => w.split(',')).map((w) => parseVa(w, '--walk'));
  const walkEl = o.walkEl !== undefined ? parseEl(o.walkEl, '--walk-el', 1) : undefined;
  if (walkEl === 2 && el !== 2) throw new InputError('--walk-el', 'EL2 walks need --el 2');
  if (maxInsns === 0) throw new InputError('--max-insns', `'${o.maxInsns}' must be at least 1`);

  let path = image;
  if (path === undefined) {
    const demo = r82 ? DEFAULT_GUEST_R82 : DEFAULT_GUEST;
    if (!existsSync(demo)) {
      throw new InputError('run', `no image given, and the built-in demo guest ${demo} is not built (run guests/build.sh)`);
    }
    path = demo;
  }
  const kernel = readInput(path, 'run');
  const initrd = o.initrd !== undefined ? readInput(o.initrd, '--initrd') : undefined;

  const out = new Sink(process.stdout);
  const err = new Sink(process.stderr);
  const trace = o.trace
    ? (pe: Pe, pc: number, word: number | null): void => {
        const w = word === null ? '<fetch abort>' : `${word.toString(16).padStart(8, '0')}\t${disasmWord(word, pc)}`;
        err.text(`pe${pe.id} ${hex16(pc)}: ${w}\n`);
      }
    : undefined;

  let stdinDone = false;
  const board: Board = createBoard(o.board, {
    el,
    ...(pmsa ? { pmsa } : {}),
    cpus,
    memSize,
    semihosting: o.semihosting,
    console: out.byte,
    onRxInterest: () => {
      if (process.stdin.isTTY) {
        // Interactive: bytes arrive as the user types (the only non-deterministic input).
        process.stdin.on('data', (b: Buffer) => board.uart.pushInput(b));
      } else {
        // Piped or redirected: all of it, at once, at the moment the guest first listens.
        try {
          board.uart.pushInput(readFileSync(0));
        } catch {
          // no stdin (closed, or a non-blocking descriptor with nothing in it)
        }
        stdinDone = true;
      }
    },
    ...(maxInsns !== undefined ? { maxInsns } : {}),
    ...(trace ? { trace } : {}),
  });

  const { dtb } = board.load({
    kernel,
    kernelName: path,
    ...(initrd ? { initrd, initrdName: o.initrd! } : {}),
    ...(o.append !== undefined ? { cmdline: o.append } : {}),
  });
  if (o.dtbOut !== undefined) {
    try {
      writeFileSync(o.dtbOut, dtb);
    } catch (e) {
      throw new InputError('--dtb-out', `cannot write '${o.dtbOut}': ${fsReason(e)}`);
    }
  }

  // Run in slices, yielding to the host event loop between them so interactive input and
  // Ctrl-C get through; the slicing does not affect the guest (time is virtual).
  const m = board.machine;
  if (dcache) m.enableDataCache(dcache);
  m.rules.strict = o.strict === true;
  m.rules.sink = (line) => err.text(line + '\n');
  if (o.traceTlb) for (const pe of m.pes) pe.onTlbFill = (p, e) => err.text(`armvisor: PE${p.id} TLB fill ${describeEntry(e)}\n`);
  if (o.explain) {
    // r82: the MPUs that checked the access, region by region (src/arch/pmsa/explain.ts).
    const explain = r82 ? explainMpu : explainWalk;
    for (const pe of m.pes) {
      pe.onTranslationFault = (p, va, fel, fetch, what) => {
        err.text(`armvisor: PE${p.id} ${r82 ? 'MPU' : 'translation'} fault at PC ${hex16(p.curPc)} (${what}):\n`);
        err.text(explain(p, va, fel, fetch).join('\n') + '\n');
      };
    }
  }
  let stop = null;
  try {
    for (;;) {
      stop = m.run(64);
      out.flush();
      if (stop) break;
      if (process.stdin.isTTY && !stdinDone) await new Promise<void>((r) => setImmediate(r));
    }
  } finally {
    out.flush();
    err.flush();
    if (process.stdin.isTTY) process.stdin.pause();
  }
  const { status, message } = describeStop(stop);
  if (message) process.stderr.write(`armvisor: ${message}\n`);
  atExit(m.pes, o, walks, walkEl, board.bus);
  return status;
}

/** The inspection tools that look at the machine once it has stopped. */
function atExit(pes: Pe[], o: RunOptions, walks: number[], walkEl: number | undefined, bus: Board['bus']): void {
  const used = pes.filter((pe) => pe.retired > 0);
  for (const line of rulesSummary(pes)) process.stderr.write(`armvisor: ${line}\n`);
  if (o.dumpTables) for (const pe of used) process.stderr.write((pe.cfg.profile === 'R' ? dumpMpus(pe) : dumpTables(pe)).join('\n') + '\n');
  for (const va of walks) process.stderr.write(explainWalk(pes[0], va, walkEl ?? pes[0].el).join('\n') + '\n');
  if (o.saveState !== undefined) {
    // The saved RAM is what the PEs' data accesses would see: dirty lines written back.
    bus.dcache?.cleanAll();
    try {
      writeFileSync(o.saveState, saveSnapshot(bus, pes));
    } catch (e) {
      throw new InputError('--save-state', `cannot write '${o.saveState}': ${fsReason(e)}`);
    }
  }
}

function rulesSummary(pes: Pe[]): string[] {
  return pes[0].rules?.summary() ?? [];
}

// --- data cache ---------------------------------------------------------------------------------

/** --dcache and its geometry/seed; the other --dcache-* options need --dcache. */
export function dcacheOptions(o: Pick<RunOptions, 'dcache' | 'dcacheSeed' | 'dcacheSize' | 'dcacheWays'>): DataCacheOptions | null {
  if (!o.dcache) {
    for (const [flag, given] of [
      ['--dcache-seed', o.dcacheSeed],
      ['--dcache-size', o.dcacheSize],
      ['--dcache-ways', o.dcacheWays],
    ] as const) {
      if (given !== undefined) throw new InputError(flag, 'needs --dcache (the data-cache model is off by default)');
    }
    return null;
  }
  const seed = o.dcacheSeed !== undefined ? parseCount(o.dcacheSeed, '--dcache-seed') : DCACHE_DEFAULTS.seed;
  if (seed > 0xffff_ffff) throw new InputError('--dcache-seed', `'${o.dcacheSeed}' must fit in 32 bits`);
  // A bare number is bytes here (a cache is small); K/M suffixes as for --mem.
  const sizeText = o.dcacheSize?.trim();
  const sizeBytes =
    sizeText === undefined
      ? DCACHE_DEFAULTS.sizeBytes
      : /^\d+$/.test(sizeText)
        ? parseCount(sizeText, '--dcache-size')
        : parseSize(sizeText, '--dcache-size');
  const ways = o.dcacheWays !== undefined ? parseCount(o.dcacheWays, '--dcache-ways') : DCACHE_DEFAULTS.ways;
  const why = dataCacheGeometryProblem(sizeBytes, ways);
  if (why) throw new InputError(o.dcacheWays !== undefined ? '--dcache-ways' : '--dcache-size', why);
  return { seed, sizeBytes, ways };
}

// --- r82 board options ------------------------------------------------------------------------

/** The PMSA options of `--board r82` (range checks are the board's: r82Pmsa). */
function r82Options(o: RunOptions): Partial<PmsaConfig> {
  for (const [flag, given] of [
    ['--trace-tlb', o.traceTlb],
    ['--walk', o.walk],
    ['--save-state', o.saveState],
  ] as const) {
    if (given) throw new InputError(flag, 'works on VMSA translation tables; the r82 board has MPUs (not supported there yet)');
  }
  const p: Partial<PmsaConfig> = {};
  if (o.mpuEl1Regions !== undefined) p.el1Regions = parseCount(o.mpuEl1Regions, '--mpu-el1-regions');
  if (o.mpuEl2Regions !== undefined) p.el2Regions = parseCount(o.mpuEl2Regions, '--mpu-el2-regions');
  if (o.el1Vmsa === false) p.el1Vmsa = false;
  if (o.mpuFaults !== undefined) p.faultModel = o.mpuFaults as PmsaConfig['faultModel'];
  return p;
}

function noR82Options(o: RunOptions): null {
  for (const [flag, given] of [
    ['--mpu-el1-regions', o.mpuEl1Regions !== undefined],
    ['--mpu-el2-regions', o.mpuEl2Regions !== undefined],
    ['--no-el1-vmsa', o.el1Vmsa === false],
    ['--mpu-faults', o.mpuFaults !== undefined],
  ] as const) {
    if (given) throw new InputError(flag, `is an option of the r82 board, not of '${o.board}'`);
  }
  return null;
}
