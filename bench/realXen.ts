// The real-Xen peer: Debian's Xen 4.17.7 arm64 hypervisor (tools/fetch-real-xen.sh puts it in
// a cache folder outside the repo) booted by qemu-system-aarch64 -M virt,virtualization=on
// with dom0less domUs and no dom0, as ../shared/reference/real-xen-on-qemu.md ran it: QEMU's own
// device tree (dumpdtb) with /chosen/domU<n> "xen,domain" nodes added and the kernels put in RAM
// by QEMU's generic loader. Dom0less Xen without dom0 does not power off when its domUs have, so
// a run ends when every domain has printed its marker (or at the time limit) and QEMU is killed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDtb, buildDtb, getNode, addChild, fdtNode, encodeCells, encodeString, encodeStringList } from '../src/fdt/dtb.js';

const QEMU = 'qemu-system-aarch64';
const MACHINE = ['-M', 'virt,virtualization=on,gic-version=3', '-cpu', 'cortex-a57', '-smp', '2', '-m', '1G', '-nographic', '-nic', 'none'];
/** Where the kernels go: 16 MB apart from 0x50000000 (the reference's placement). */
const MODULE_BASE = 0x5000_0000;
const MODULE_STRIDE = 0x100_0000;

/** The real Xen binary, or why there is none. */
export function findRealXen(): { xen: string } | { missing: string } {
  const dir = process.env.ARMVISOR_PEERS ?? join(homedir(), '.cache', 'armvisor-peers');
  const xen = join(dir, 'xen-4.17-arm64');
  if (!existsSync(xen)) return { missing: `no real Xen at ${xen} (run tools/fetch-real-xen.sh)` };
  if (spawnSync(QEMU, ['--version']).status !== 0) return { missing: `${QEMU} is not installed` };
  return { xen };
}

export interface RealXenDomain {
  /** The kernel (our domU image, arm64 Image format). */
  kernel: Uint8Array;
  memKb: number;
  /** A line that means this domain is done (matched on the console with any prefix). */
  done: RegExp;
}

/** The host device tree: QEMU's own, with Xen's command line and one domU node per domain. */
function dom0lessDtb(dir: string, domains: RealXenDomain[]): string {
  const dumped = join(dir, 'qemu.dtb');
  const r = spawnSync(QEMU, [...MACHINE.map((a) => (a.startsWith('virt,') ? `${a},dumpdtb=${dumped}` : a))]);
  if (r.status !== 0) throw new Error(`${QEMU} dumpdtb failed: ${r.stderr.toString().trim()}`);
  const fdt = parseDtb(readFileSync(dumped), dumped);
  const chosen = getNode(fdt.root, '/chosen');
  chosen.props.set('xen,xen-bootargs', encodeString('console=dtuart dtuart=/pl011@9000000 bootscrub=0 loglvl=all guest_loglvl=all'));
  domains.forEach((d, i) => {
    const addr = MODULE_BASE + i * MODULE_STRIDE;
    const mod = fdtNode(`module@${addr.toString(16)}`, [
      ['compatible', encodeStringList(['multiboot,kernel', 'multiboot,module'])],
      ['reg', encodeCells([0, addr, 0, d.kernel.length])],
      ['bootargs', encodeString('console=ttyAMA0')],
    ]);
    addChild(
      chosen,
      fdtNode(
        `domU${i + 1}`,
        [
          ['compatible', encodeString('xen,domain')],
          ['#address-cells', encodeCells([2])],
          ['#size-cells', encodeCells([2])],
          ['memory', encodeCells([0, d.memKb])],
          ['cpus', encodeCells([1])],
          ['vpl011', new Uint8Array(0)],
        ],
        [mod],
      ),
    );
  });
  const out = join(dir, 'dom0less.dtb');
  writeFileSync(out, buildDtb(fdt));
  return out;
}

export interface RealXenRun {
  /** The console, `\r` stripped. */
  out: string;
  /** Host ms from QEMU's start to each domain's `done` line (NaN if it never came). */
  doneMs: number[];
  timedOut: boolean;
}

/** Boot real Xen with `domains` under QEMU; resolve when every domain is done or at `timeoutMs`. */
export function runRealXen(xen: string, domains: RealXenDomain[], timeoutMs = 60_000): Promise<RealXenRun> {
  const dir = mkdtempSync(join(tmpdir(), 'armvisor-realxen-'));
  const dtb = dom0lessDtb(dir, domains);
  const loads = domains.map((d, i) => {
    const file = join(dir, `domU${i + 1}.img`);
    writeFileSync(file, d.kernel);
    return { file, addr: MODULE_BASE + i * MODULE_STRIDE };
  });
  return runRealXenDtb(xen, { dtb, loads, done: domains.map((d) => d.done), timeoutMs }).finally(() =>
    rmSync(dir, { recursive: true, force: true }),
  );
}

export interface RealXenDtbRun {
  /** A whole host DTB (QEMU's -dtb uses it as given; -m must agree with its /memory). */
  dtb: string;
  /** Blobs QEMU's generic loader puts in RAM (-device loader,file=,addr=,force-raw=on). */
  loads: { file: string; addr: number }[];
  /** Lines that mean a domain is done (matched on the console with any prefix). */
  done: RegExp[];
  /** -m for QEMU (default 1G). */
  mem?: string;
  timeoutMs?: number;
}

/** Boot real Xen under QEMU on a host tree of the caller's; resolve when every `done` matched. */
export function runRealXenDtb(xen: string, run: RealXenDtbRun): Promise<RealXenRun> {
  const machine = MACHINE.map((a, i) => (MACHINE[i - 1] === '-m' && run.mem !== undefined ? run.mem : a));
  const loaders = run.loads.flatMap((l) => ['-device', `loader,file=${l.file},addr=0x${l.addr.toString(16)},force-raw=on`]);
  const t0 = process.hrtime.bigint();
  const q = spawn(QEMU, [...machine, '-kernel', xen, '-dtb', run.dtb, ...loaders], { stdio: ['ignore', 'pipe', 'pipe'] });
  const doneMs = run.done.map(() => NaN);
  let out = '';
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      q.kill('SIGKILL');
    }, run.timeoutMs ?? 60_000);
    const onData = (b: Buffer): void => {
      out += b.toString('latin1').replace(/\r/g, '');
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      run.done.forEach((re, i) => {
        if (Number.isNaN(doneMs[i]) && re.test(out)) doneMs[i] = ms;
      });
      if (doneMs.every((m) => !Number.isNaN(m))) q.kill('SIGKILL');
    };
    q.stdout.on('data', onData);
    q.stderr.on('data', onData);
    q.on('error', reject);
    q.on('close', () => {
      clearTimeout(timer);
      resolve({ out, doneMs, timedOut });
    });
  });
}
