// Saved machine state for offline inspection (`armvisor run --save-state`, `armvisor walk`):
// each PE's system registers and EL, and every RAM page the run touched. Enough to re-walk any
// translation exactly as the machine would have at the moment it stopped.
import { Bus, PAGE_SIZE } from './bus.js';
import { Pe } from '../arch/pe.js';
import { allSysRegs, sr } from '../arch/sysreg/index.js';
import { InputError } from '../util/errors.js';

const FORMAT = 'armvisor-state-1';

interface SnapshotPe {
  id: number;
  el: number;
  pc: string;
  hasEl2: boolean;
  sys: Record<string, string>;
}

interface Snapshot {
  format: string;
  paBits: number;
  banks: { base: string; size: string }[];
  pes: SnapshotPe[];
  pages: { pa: string; data: string }[];
}

export function saveSnapshot(bus: Bus, pes: Pe[]): string {
  const defs = allSysRegs();
  const snap: Snapshot = {
    format: FORMAT,
    paBits: pes[0].cfg.paBits,
    banks: bus.banks.map((b) => ({ base: b.base.toString(16), size: b.size.toString(16) })),
    pes: pes.map((pe) => ({
      id: pe.id,
      el: pe.el,
      pc: pe.pc.toString(16),
      hasEl2: pe.cfg.hasEl2,
      // Stored registers only (computed ones, like timers and ISR, are not state here).
      sys: Object.fromEntries(defs.map((d, i) => [d.name, pe.sys[i].toString(16)]).filter(([, v]) => v !== '0')),
    })),
    pages: [],
  };
  for (const page of bus.allPages()) {
    if (page.bytes.every((b) => b === 0)) continue;
    snap.pages.push({ pa: (page.ppn * PAGE_SIZE).toString(16), data: Buffer.from(page.bytes).toString('base64') });
  }
  return JSON.stringify(snap);
}

/** Rebuild a bus and idle PEs from a saved state (for walks; nothing runs). */
export function loadSnapshot(text: string, where: string): { bus: Bus; pes: Pe[] } {
  let snap: Snapshot;
  try {
    snap = JSON.parse(text) as Snapshot;
  } catch {
    throw new InputError(where, 'not a saved state (expected the JSON written by armvisor run --save-state)');
  }
  if (snap?.format !== FORMAT) throw new InputError(where, `not a saved state (format '${String(snap?.format)}', expected '${FORMAT}')`);
  const bus = new Bus();
  for (const b of snap.banks) bus.addRam(parseInt(b.base, 16), parseInt(b.size, 16));
  for (const p of snap.pages) bus.writeBytes(parseInt(p.pa, 16), new Uint8Array(Buffer.from(p.data, 'base64')));
  const pes = snap.pes.map((s) => {
    const pe = new Pe({ id: s.id, affinity: s.id, hasEl2: s.hasEl2, paBits: snap.paBits, profile: 'A' }, bus);
    pe.reset(s.el, parseInt(s.pc, 16));
    for (const [name, v] of Object.entries(s.sys)) {
      try {
        pe.sys[sr(name)] = BigInt('0x' + v);
      } catch {
        throw new InputError(where, `unknown system register '${name}' in the saved state`);
      }
    }
    pe.refreshControl();
    return pe;
  });
  return { bus, pes };
}
