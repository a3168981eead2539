// The armvisor command line, run as users run it: `node dist/src/cli/main.js ...`.
// Bad input must give exactly one line on stderr and status 1; guests run to their status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const GUESTS = join(ROOT, 'guests');
const TMP = mkdtempSync(join(tmpdir(), 'armvisor-cli-'));

function cli(args: string[], timeout = 60_000) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

function words(ws: number[]): Uint8Array {
  const b = new Uint8Array(ws.length * 4);
  const dv = new DataView(b.buffer);
  ws.forEach((w, i) => dv.setUint32(i * 4, w, true));
  return b;
}

/** Exactly one line on stderr, starting "armvisor: ", and status 1. */
function assertOneLineError(r: ReturnType<typeof cli>, re: RegExp): void {
  assert.equal(r.status, 1, `status (stderr: ${r.stderr})`);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line, got: ${JSON.stringify(r.stderr)}`);
  assert.match(lines[0], /^armvisor: /);
  assert.match(lines[0], re);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

// A raw binary: semihosting SYS_EXIT(ApplicationExit, 7).
//   mov x0, #0x18 ; adr x1, blk ; hlt #0xf000 ; b . ; blk: .quad 0x20026, 7
const EXIT7 = words([0xd2800300, 0x10000061, 0xd45e0000, 0x14000000, 0x00020026, 0, 7, 0]);
const exit7 = join(TMP, 'exit7.bin');
writeFileSync(exit7, EXIT7);
// A raw binary that prints "A" on the UART then spins with interrupts masked.
//   mov x0, #0x41 ; mov x1, #0x9000000 ; str w0, [x1] ; b .
const PRINT_A = join(TMP, 'print-a.bin');
writeFileSync(PRINT_A, words([0xd2800820, 0xd2a12001, 0xb9000020, 0x14000000]));
// A busy loop: add x0, x0, #1 ; b .-4
const LOOP = join(TMP, 'loop.bin');
writeFileSync(LOOP, words([0x91000400, 0x17ffffff]));

test('bad option values: one line, status 1', () => {
  assertOneLineError(cli(['run', exit7, '--mem', '12Q']), /^armvisor: --mem: '12Q' is not a size/);
  assertOneLineError(cli(['run', exit7, '--mem', '1000G']), /--mem: .*255 GiB/);
  assertOneLineError(cli(['run', exit7, '--mem', '0x1001']), /--mem: .*multiple of 4 KiB/);
  assertOneLineError(cli(['run', exit7, '--el', '3']), /^armvisor: --el: '3' must be 1 or 2$/);
  assertOneLineError(cli(['run', exit7, '--smp', '0']), /^armvisor: --smp: '0' must be 1\.\.123$/);
  assertOneLineError(cli(['run', exit7, '--smp', 'two']), /^armvisor: --smp: 'two' is not a number$/);
  assertOneLineError(
    cli(['run', exit7, '--board', 'zcu102']),
    /^armvisor: --board: 'zcu102' is not a board this machine has \(boards: virt, juno, seattle, r82, zynqmp\)$/,
  );
  assertOneLineError(cli(['run', exit7, '--max-insns', '-5']), /--max-insns/);
  assertOneLineError(cli(['run', exit7, '--bogus']), /unknown option '--bogus'/);
  assertOneLineError(cli(['frobnicate']), /unknown command 'frobnicate'/);
  assertOneLineError(cli(['disasm']), /missing required argument 'image'/);
  assertOneLineError(cli(['disasm', exit7, '--addr', 'xyz']), /^armvisor: --addr: 'xyz' is not an address/);
  assertOneLineError(cli(['disasm', exit7, '--addr', '0x1000']), /^armvisor: --addr: 0x1000 is not in the image's code/);
});

test('unreadable or malformed images: one line naming the file, status 1', () => {
  assertOneLineError(cli(['run', join(TMP, 'nope.elf')]), /^armvisor: run: cannot read '.*nope\.elf': no such file$/);
  assertOneLineError(cli(['run', TMP]), /^armvisor: run: cannot read '.*': is a directory$/);
  const badElf = join(TMP, 'bad.elf');
  writeFileSync(badElf, new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]));
  assertOneLineError(cli(['run', badElf]), /^armvisor: .*bad\.elf/);
  assertOneLineError(cli(['disasm', badElf]), /^armvisor: .*bad\.elf/);
  const empty = join(TMP, 'empty.bin');
  writeFileSync(empty, new Uint8Array(0));
  assertOneLineError(cli(['run', empty]), /empty/);
  assertOneLineError(cli(['run', exit7, '--initrd', join(TMP, 'no-initrd')]), /^armvisor: --initrd: cannot read/);
  assertOneLineError(cli(['run', exit7, '--dtb-out', join(TMP, 'no/such/dir/x.dtb')]), /^armvisor: --dtb-out: cannot write/);
});

test('semihosting SYS_EXIT sets the exit status', () => {
  const r = cli(['run', exit7]);
  assert.equal(r.status, 7);
  assert.equal(r.stderr, '');
});

test('--no-semihosting makes HLT UNDEFINED (this guest has no EL1 vectors: reported as wedged)', () => {
  const r = cli(['run', exit7, '--no-semihosting', '--max-insns', '100000'], 3000);
  assert.equal(r.status, 3);
  assert.match(r.stderr, /re-taking an instruction abort at its own vector/);
});

test('UART output goes to stdout; a masked spin is reported as wedged, status 3', () => {
  const r = cli(['run', PRINT_A]);
  assert.equal(r.stdout, 'A');
  assert.equal(r.status, 3);
  assert.match(r.stderr, /^armvisor: machine wedged: PE0 spinning on 'b \.' with interrupts masked at 0x000000004008000c EL1\n$/);
});

test('--max-insns: status 2 and one line', () => {
  const r = cli(['run', LOOP, '--max-insns', '5000']);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'armvisor: stopped after --max-insns 5000 instructions\n');
});

test('--trace prints each instruction before it runs', () => {
  const r = cli(['run', PRINT_A, '--trace', '--max-insns', '5']);
  assert.equal(r.status, 3, 'wedged on the b . before the limit');
  const lines = r.stderr.trim().split('\n');
  assert.deepEqual(lines.slice(0, 4), [
    'pe0 0000000040080000: d2800820\tmov\tx0, #0x41',
    'pe0 0000000040080004: d2a12001\tmov\tx1, #0x9000000',
    lines[2], // str (formatted by the load/store tables)
    'pe0 000000004008000c: 14000000\tb\t4008000c',
  ]);
  assert.match(lines[2], /^pe0 0000000040080008: b9000020\tstr\s+w0, \[x1\]$/);
});

test('--dtb-out writes the generated device tree', () => {
  const out = join(TMP, 'virt.dtb');
  const r = cli(['run', exit7, '--dtb-out', out, '--smp', '2', '--append', 'console=ttyAMA0']);
  assert.equal(r.status, 7);
  const dtb = readFileSync(out);
  assert.equal(dtb.readUInt32BE(0), 0xd00dfeed);
  assert.equal(dtb.includes(Buffer.from('console=ttyAMA0')), true);
  assert.equal(dtb.includes(Buffer.from('arm,pl011')), true);
});

test('disasm of a raw binary matches objdump -d (modulo whitespace and comments)', () => {
  const bin = join(TMP, 'd.bin');
  writeFileSync(bin, words([0xd2800820, 0xd2a12001, 0xb9000020, 0xd1000442, 0xb5ffffe2, 0x14000000, 0xd4000002, 0xd65f03c0]));
  // aarch64-linux-gnu-objdump -d of the same words linked at 0x40080000:
  const objdump = `
    40080000:	d2800820 	mov	x0, #0x41                  	// #65
    40080004:	d2a12001 	mov	x1, #0x9000000             	// #150994944
    40080008:	b9000020 	str	w0, [x1]
    4008000c:	d1000442 	sub	x2, x2, #0x1
    40080010:	b5ffffe2 	cbnz	x2, 4008000c
    40080014:	14000000 	b	40080014
    40080018:	d4000002 	hvc	#0x0
    4008001c:	d65f03c0 	ret`;
  const norm = (s: string) =>
    s
      .split('\n')
      .map((l) =>
        l
          .replace(/\/\/.*$/, '')
          .trim()
          .replace(/\s+/g, ' '),
      )
      .filter((l) => l !== '');
  const r = cli(['disasm', bin]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(norm(r.stdout), norm(objdump));
  const r2 = cli(['disasm', bin, '--addr', '4008000c', '--count', '2']);
  assert.deepEqual(norm(r2.stdout), norm(objdump).slice(3, 5));
});

test(
  'disasm of an ELF labels symbols like objdump',
  { skip: !existsSync(join(GUESTS, 'bin/isa-alu.elf')) && 'guests/bin/isa-alu.elf not built' },
  () => {
    const r = cli(['disasm', join(GUESTS, 'bin/isa-alu.elf'), '--count', '20']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^0000000040080000 <__image_start>:$/m);
    assert.match(r.stdout, /^ +40080000:\t14000010 \tb\t40080040 <_start>$/m);
    assert.match(r.stdout, /^ +40080004:\t00000000 \t\.word\t0x00000000$/m, 'the Image header is data ($d)');
    assert.match(r.stdout, /^0000000040080040 <_start>:$/m);
  },
);

// End to end: our guests against the output QEMU gave for them (guests/expected).
const E2E: { expected: string; image: string; el: string; smp: string; status: number }[] = [
  { expected: 'isa-alu.el1', image: 'bin/isa-alu.elf', el: '1', smp: '1', status: 0 },
  { expected: 'exceptions.el2', image: 'bin/exceptions.elf', el: '2', smp: '1', status: 0 },
  { expected: 'cprog.img.el2', image: 'bin/cprog.img', el: '2', smp: '1', status: 0 },
  { expected: 'psci.el1', image: 'bin/psci.elf', el: '1', smp: '4', status: 0 },
  { expected: 'psci.el2', image: 'bin/psci.elf', el: '2', smp: '4', status: 0 },
  { expected: 'semihosting.el1', image: 'bin/semihosting.elf', el: '1', smp: '1', status: 0 },
  { expected: 'semihosting-exit7.el1', image: 'bin/semihosting-exit7.elf', el: '1', smp: '1', status: 7 },
];
for (const g of E2E) {
  const img = join(GUESTS, g.image);
  const exp = join(GUESTS, 'expected', `${g.expected}.txt`);
  const missing = !existsSync(img) || !existsSync(exp);
  test(`guest ${g.expected} prints what QEMU printed`, { skip: missing && `${g.image} or its expected output is not built` }, () => {
    const r = cli(['run', img, '--el', g.el, '--smp', g.smp, '--max-insns', '200M']);
    assert.equal(r.stdout, readFileSync(exp, 'utf8'));
    assert.equal(r.status, g.status, r.stderr);
  });
}

test('run with no image runs the demo guest (or says how to build it)', () => {
  const r = cli(['run', '--max-insns', '50M']);
  if (existsSync(join(GUESTS, 'bin/hello.elf'))) {
    assert.equal(r.status, 0, r.stderr);
  } else {
    assertOneLineError(r, /no image given, and the built-in demo guest .*hello\.elf is not built \(run guests\/build\.sh\)/);
  }
});

test('esr is wired to the ESR decoder', () => {
  const r = cli(['esr', '0x96000045', '--el2']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ESR_EL2 0x96000045$/m);
  assert.match(r.stdout, /EC\s+0x25/);
});

test('--help exits 0; no command prints usage and exits 1', () => {
  assert.equal(cli(['--help']).status, 0);
  assert.equal(cli([]).status, 1);
});

test('an UNDEF with no exception vectors (VBAR_EL1 = 0, not RAM) is reported as wedged, not run forever', () => {
  const zeros = join(TMP, 'zeros.bin'); // 0x00000000 is UDF #0
  writeFileSync(zeros, new Uint8Array(64));
  const r = cli(['run', zeros]);
  assert.equal(r.status, 3);
  assert.match(r.stderr, /^armvisor: machine wedged: PE0 re-taking an instruction abort at its own vector 0x0000000000000200 EL1/);
});
