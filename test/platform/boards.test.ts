// The boards: their device trees (parsed back, and read by the hypervisor's bootFdtInfo),
// their bus maps, RAM sizing, and a bare-metal image that talks to each board's own UART.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDtb, getCells, getNode, getReg, getString, getU32, isCompatible, parseDtb, walk } from '../../src/fdt/dtb.js';
import { BOARD_NAMES, boardLimits, createBoard, type Board, type BoardName } from '../../src/platform/boards/index.js';
import { bootFdtInfo } from '../../src/hv/bootfdt.js';
import { InputError } from '../../src/util/errors.js';
import { Gicv3 } from '../../src/platform/devices/gic/index.js';
import { Icc } from '../../src/arch/sysreg/gic.js';

const GiB = 2 ** 30;
const EXPECT: Record<BoardName, { banks: [number, number][]; uart: number; cpus: number }> = {
  virt: { banks: [[0x4000_0000, 512 * 2 ** 20]], uart: 0x0900_0000, cpus: 123 },
  juno: {
    banks: [
      [0x8000_0000, 2 * GiB],
      [0x8_8000_0000, 6 * GiB],
    ],
    uart: 0x7ff8_0000,
    cpus: 6,
  },
  seattle: { banks: [[0x80_0000_0000, 8 * GiB]], uart: 0xe101_0000, cpus: 8 },
  r82: { banks: [[0, 512 * 2 ** 20]], uart: 0x9c09_0000, cpus: 8 },
  zynqmp: { banks: [[0, 2 * GiB]], uart: 0xff00_0000, cpus: 4 },
};

function make(name: BoardName, over: { cpus?: number; el?: 1 | 2; memSize?: number } = {}): { board: Board; out: number[] } {
  const out: number[] = [];
  const board = createBoard(name, {
    el: over.el ?? 2,
    cpus: over.cpus ?? 2,
    console: (b) => out.push(b),
    ...(over.memSize !== undefined ? { memSize: over.memSize } : {}),
  });
  return { board, out };
}

for (const name of BOARD_NAMES) {
  test(`${name}: default RAM banks, the UART on the bus, and an MMIO map clear of RAM`, () => {
    const { board } = make(name);
    assert.deepEqual(
      board.ramBanks.map((b) => [b.base, b.size]),
      EXPECT[name].banks,
    );
    assert.equal(board.uartBase, EXPECT[name].uart);
    assert.equal(boardLimits(name).maxCpus, EXPECT[name].cpus);
    for (const b of board.ramBanks) {
      assert.ok(board.bus.isRam(b.base) && board.bus.isRam(b.base + b.size - 1));
      assert.ok(!board.bus.isRam(b.base + b.size) || board.ramBanks.some((o) => o.base === b.base + b.size));
      assert.ok(b.base + b.size <= 2 ** board.machine.pes[0].cfg.paBits, 'paBits cover RAM');
    }
    assert.equal(board.bus.findMmio(board.uartBase)?.dev, board.uart);
    const map = board.mmioMap;
    for (let i = 0; i < map.length; i++) {
      const r = map[i];
      assert.ok(!board.ramBanks.some((b) => r.base < b.base + b.size && b.base < r.base + r.size), `${r.name} clear of RAM`);
      if (i > 0) assert.ok(map[i - 1].base + map[i - 1].size <= r.base, `${r.name} after ${map[i - 1].name}`);
      // Modelled regions answer on the bus (storage such as an mmio-sram as RAM); the others fault.
      const answers = r.storage
        ? board.bus.isRam(r.base) && board.bus.isRam(r.base + r.size - 1)
        : board.bus.findMmio(r.base) !== undefined;
      assert.equal(answers, r.modelled, r.name);
    }
  });

  test(`${name}: the device tree parses, and the hypervisor's bootFdtInfo sees the board's banks`, () => {
    const { board } = make(name, { cpus: 3 });
    const blob = buildDtb(board.deviceTree('console=dtuart'));
    const fdt = parseDtb(blob, `${name}.dtb`);
    const root = fdt.root;
    const cpus = getNode(root, '/cpus').children.filter((c) => c.name.startsWith('cpu@'));
    assert.equal(cpus.length, 3);
    for (const [i, c] of cpus.entries()) {
      assert.equal(getString(c, 'enable-method'), 'psci');
      assert.equal(getU32(c, 'reg'), board.machine.pes[i].cfg.affinity, 'MPIDR in reg');
    }
    assert.equal(getString(getNode(root, '/psci'), 'method'), 'smc');
    assert.ok(isCompatible(getNode(root, '/timer'), 'arm,armv8-timer'));
    let gic = '';
    walk(root, (n, p) => {
      if (isCompatible(n, 'arm,gic-v3')) gic = p;
    });
    assert.ok(gic, 'a GICv3 node');
    const gicReg = getReg(root, getNode(root, gic));
    assert.deepEqual(
      gicReg.map((r) => r.address),
      board.mmioMap.filter((m) => m.name.startsWith('gicv3')).map((m) => m.base),
    );
    const stdout = getString(getNode(root, '/chosen'), 'stdout-path');
    const uart = getNode(root, stdout);
    assert.ok(isCompatible(uart, 'arm,pl011'));
    assert.equal(getReg(root, uart)[0].address, board.uartBase);

    const first = board.ramBanks[0];
    const bi = bootFdtInfo(blob, first.base + 0x800_0000, () => new Uint8Array(4));
    assert.deepEqual(
      bi.mem.map((b) => [b.start, b.size]),
      EXPECT[name].banks,
    );
  });
}

test('juno: --mem fills the 2 GiB bank first, then the 6 GiB one; more than 8 GiB is refused', () => {
  assert.deepEqual(
    make('juno', { memSize: 3 * GiB }).board.ramBanks.map((b) => [b.base, b.size]),
    [
      [0x8000_0000, 2 * GiB],
      [0x8_8000_0000, GiB],
    ],
  );
  assert.deepEqual(
    make('juno', { memSize: GiB }).board.ramBanks.map((b) => [b.base, b.size]),
    [[0x8000_0000, GiB]],
  );
  assert.throws(
    () => make('juno', { memSize: 9 * GiB }),
    (e: unknown) => e instanceof InputError && /at most 8 GiB/.test(e.message),
  );
  assert.throws(
    () => make('seattle', { cpus: 9 }),
    (e: unknown) => e instanceof InputError && /'9' must be 1\.\.8 on the seattle board/.test(e.message),
  );
  assert.throws(() => createBoard('zcu102', { el: 1, cpus: 1, console: () => {} }), /boards: virt, juno, seattle, r82, zynqmp/);
});

// ---- a bare-metal image that knows only its board's UART -------------------------------------------

const movz = (rd: number, imm: number, hw = 0, x = true): number => ((x ? 0xd2800000 : 0x52800000) | (hw << 21) | (imm << 5) | rd) >>> 0;
const movk = (rd: number, imm: number, hw: number, x = true): number =>
  ((x ? 0xf2800000 : 0x72800000) | (hw << 21) | (imm << 5) | rd) >>> 0;
const strb = (rt: number, rn: number): number => (0x39000000 | (rn << 5) | rt) >>> 0;

/** mov x5, x0; print "OK <board>\n" at `uart`; PSCI SYSTEM_OFF via HVC (el 1) or SMC (el 2). */
function bareMetal(uart: number, text: string, el: 1 | 2): Uint8Array {
  const w: number[] = [0xaa0003e5, movz(1, uart & 0xffff), movk(1, uart >>> 16, 1)];
  for (const ch of text) w.push(movz(2, ch.charCodeAt(0), 0, false), strb(2, 1));
  w.push(movz(0, 0x0008, 0, false), movk(0, 0x8400, 1, false), el === 2 ? 0xd4000003 : 0xd4000002, 0x14000000);
  const b = new Uint8Array(w.length * 4);
  const dv = new DataView(b.buffer);
  w.forEach((x, i) => dv.setUint32(i * 4, x, true));
  return b;
}

for (const name of ['juno', 'seattle', 'zynqmp'] as const) {
  for (const el of [1, 2] as const) {
    test(`${name} EL${el}: a bare-metal image prints on the board's PL011, gets x0 = DTB, and powers off through PSCI`, () => {
      const { board, out } = make(name, { el, cpus: 2 });
      const { plan } = board.load({ kernel: bareMetal(board.uartBase, `OK ${name}\n`, el), kernelName: 'bare.bin' });
      assert.equal(plan.entry, board.ramBanks[0].base + 0x8_0000);
      const stop = board.machine.run(100);
      assert.deepEqual(stop, { kind: 'system-off', pe: 0 });
      assert.equal(Buffer.from(out).toString(), `OK ${name}\n`);
      const pe = board.machine.pes[0];
      const x5 = pe.x[10] + pe.x[11] * 2 ** 32;
      assert.equal(x5, plan.dtbAddr);
      const hdr = board.bus.readBytes(x5, 8);
      const size = new DataView(hdr.buffer).getUint32(4);
      const placed = parseDtb(board.bus.readBytes(x5, size), 'placed');
      const mem = placed.root.children.filter((c) => c.name.startsWith('memory'));
      assert.equal(mem.length, 1);
      assert.deepEqual(
        getReg(placed.root, mem[0]).map((r) => [r.address, r.size]),
        EXPECT[name].banks,
        'the placed DTB lists every bank',
      );
    });
  }
}

test('armvisor run --board juno|seattle runs a bare-metal image on that board', () => {
  const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'armvisor-boards-'));
  for (const name of ['juno', 'seattle'] as const) {
    const img = join(dir, `${name}.bin`);
    writeFileSync(img, bareMetal(EXPECT[name].uart, `hello from ${name}\n`, 1));
    const r = spawnSync(process.execPath, [main, 'run', img, '--board', name], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, `hello from ${name}\n`);
    assert.equal(r.status, 0);
    // The virt UART is not there: the same image for virt says nothing on juno.
    const v = join(dir, `virt-on-${name}.bin`);
    writeFileSync(v, bareMetal(0x0900_0000, 'virt\n', 1));
    const r2 = spawnSync(process.execPath, [main, 'run', v, '--board', name, '--max-insns', '1000'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r2.stdout, '');
    assert.notEqual(r2.status, 0);
  }
  const bad = spawnSync(process.execPath, [main, 'run', join(dir, 'juno.bin'), '--board', 'seattle', '--smp', '9'], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr, "armvisor: --smp: '9' must be 1..8\n");
});

const ITLINES: Record<BoardName, number> = { virt: 7, juno: 7, seattle: 11, r82: 7, zynqmp: 7 };

for (const name of BOARD_NAMES) {
  test(`${name}: the GICv3 answers at the DT's address, and the UART's SPI reaches PE0 through it`, () => {
    const { board } = make(name, { cpus: 2 });
    const root = parseDtb(buildDtb(board.deviceTree()), `${name}.dtb`).root;
    let gicNode: ReturnType<typeof getNode> | undefined;
    let uartNode: ReturnType<typeof getNode> | undefined;
    walk(root, (n) => {
      if (isCompatible(n, 'arm,gic-v3')) gicNode = n;
      if (isCompatible(n, 'arm,pl011')) uartNode = n;
    });
    assert.ok(gicNode && uartNode);
    const [distReg, redistReg] = getReg(root, gicNode);
    const dist = board.bus.findMmio(distReg.address);
    const redist = board.bus.findMmio(redistReg.address);
    assert.ok(dist && redist, 'both GIC frames are on the bus');
    const gicd = (off: number, v?: number): number => {
      if (v === undefined) return dist.dev.read(off, 4, 0);
      dist.dev.write(off, 4, v, 0);
      return 0;
    };
    const typer = gicd(0x4);
    assert.equal(typer & 0x1f, ITLINES[name], 'GICD_TYPER.ITLinesNumber');
    assert.equal(board.gic.nrIrqs, 32 * (ITLINES[name] + 1));
    // GICR_TYPER of PE1 carries its affinity and Last.
    const r1 = redistReg.address + 0x2_0000 - redist.base;
    assert.equal(redist.dev.read(r1 + 0xc, 4, 1), board.machine.pes[1].cfg.affinity);
    assert.equal(redist.dev.read(r1 + 0x8, 4, 1) & 0x10, 0x10, 'GICR_TYPER.Last on the last PE');

    // The UART's DT interrupt (SPI n = INTID 32 + n), Group 1, routed to PE0, raised by the UART.
    const [kind, spi] = getCells(uartNode, 'interrupts');
    assert.equal(kind, 0, 'an SPI');
    const intid = 32 + spi;
    assert.ok(intid < board.gic.nrIrqs);
    gicd(0x0, 3);
    gicd(0x80 + 4 * (intid >> 5), 1 << (intid & 31));
    gicd(0x100 + 4 * (intid >> 5), 1 << (intid & 31));
    gicd(0x6000 + 8 * intid, board.machine.pes[0].cfg.affinity);
    assert.equal((gicd(0x100 + 4 * (intid >> 5)) >>> (intid & 31)) & 1, 1, 'ISENABLER reads back');
    const pe0 = board.machine.pes[0];
    board.gic.cpuInterface.write(pe0, Icc.PMR, 0xffn);
    board.gic.cpuInterface.write(pe0, Icc.IGRPEN1, 1n);
    assert.equal(pe0.irqLine, false);
    board.uart.onIrq?.(true);
    assert.equal(pe0.irqLine, true, 'the UART interrupt reaches PE0');
    assert.equal(board.gic.cpuInterface.read(pe0, Icc.IAR1), BigInt(intid));
    // One past the last INTID is reserved: RAZ/WI.
    const past = board.gic.nrIrqs;
    if (past < 1020) {
      gicd(0x100 + 4 * (past >> 5), 1);
      assert.equal(gicd(0x100 + 4 * (past >> 5)), 0);
      gicd(0x6000 + 8 * past, 0);
      assert.equal(gicd(0x6000 + 8 * past), 0);
    }
  });
}

test('seattle: SPI 328 (INTID 360) is a working SPI — pending, acknowledged, EOId', () => {
  const { board } = make('seattle', { cpus: 1 });
  const pe0 = board.machine.pes[0];
  const intid = 360;
  board.gic.spis.enabled[intid] = 1;
  board.gic.spis.group[intid] = 1;
  board.gic.ctlr = 2;
  board.gic.cpuInterface.write(pe0, Icc.PMR, 0xffn);
  board.gic.cpuInterface.write(pe0, Icc.IGRPEN1, 1n);
  board.gic.setSpiLine(intid, true);
  assert.equal(pe0.irqLine, true);
  assert.equal(board.gic.cpuInterface.read(pe0, Icc.IAR1), 360n);
  board.gic.setSpiLine(intid, false);
  board.gic.cpuInterface.write(pe0, Icc.EOIR1, 360n);
  assert.equal(board.gic.spis.active[intid], 0);
  assert.equal(pe0.irqLine, false);
  assert.throws(() => board.gic.setSpiLine(384, true), /out of range/);
});

test('Gicv3: the INTID count must be a multiple of 32 up to 1020', () => {
  const { board } = make('virt', { cpus: 1 });
  for (const n of [0, 48, 1024, 1020]) assert.throws(() => new Gicv3(board.machine.pes, 25, n), /multiple of 32/);
  assert.equal(new Gicv3(board.machine.pes, 25, 992).nrIrqs, 992);
});

test('zynqmp: the OCM is an mmio-sram node backed by storage on the bus, not system memory', () => {
  const { board } = make('zynqmp', { cpus: 4 });
  const root = parseDtb(buildDtb(board.deviceTree()), 'zynqmp.dtb').root;
  const sram = getNode(root, '/sram@fffc0000');
  assert.ok(isCompatible(sram, 'mmio-sram'));
  assert.deepEqual(
    getReg(root, sram).map((r) => [r.address, r.size]),
    [[0xfffc_0000, 0x4_0000]],
  );
  assert.deepEqual(getCells(sram, 'ranges'), [0, 0, 0xfffc_0000, 0x4_0000]);
  assert.equal(getString(getNode(root, '/cpus/cpu@3'), 'compatible'), 'arm,cortex-a53');
  // Storage: bytes written at any alignment read back; the hypervisor's bootFdtInfo does not take it as RAM.
  board.bus.writeBytes(0xfffc_0003, new Uint8Array([1, 2, 3, 4, 5]));
  assert.deepEqual([...board.bus.readBytes(0xfffc_0003, 5)], [1, 2, 3, 4, 5]);
  const bi = bootFdtInfo(buildDtb(board.deviceTree()), 0x800_0000, () => new Uint8Array(4));
  assert.ok(!bi.mem.some((b) => b.start <= 0xfffc_0000 && 0xfffc_0000 < b.start + b.size));
});
