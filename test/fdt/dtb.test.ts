import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  buildDtb,
  cellCounts,
  ensurePhandle,
  fdtNode,
  findByPhandle,
  findNode,
  getCells,
  getNode,
  getReg,
  getString,
  getStringList,
  getU32,
  getU64,
  isCompatible,
  maxPhandle,
  parseDtb,
  setCells,
  setEmpty,
  setReg,
  setString,
  setStringList,
  setU32,
  setU64,
  type Fdt,
  type FdtNode,
} from '../../src/fdt/dtb.js';
import { InputError } from '../../src/util/errors.js';
import { printDts } from '../../src/fdt/dts.js';

const REF = '/work/shared/reference';
const hasDtc = ((): boolean => {
  try {
    execFileSync('dtc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function sample(): FdtNode {
  const root = fdtNode('');
  setU32(root, '#address-cells', 2);
  setU32(root, '#size-cells', 2);
  setString(root, 'compatible', 'linux,dummy-virt');
  const mem = fdtNode('memory@40000000');
  setReg(mem, 'reg', [{ address: 0x4000_0000, size: 0x8000_0000 }], 2, 2);
  setString(mem, 'device_type', 'memory');
  const cpus = fdtNode('cpus');
  setU32(cpus, '#address-cells', 1);
  setU32(cpus, '#size-cells', 0);
  const cpu0 = fdtNode('cpu@0');
  setU32(cpu0, 'reg', 0);
  setStringList(cpu0, 'compatible', ['arm,cortex-a57', 'arm,armv8']);
  setEmpty(cpu0, 'dma-coherent');
  cpus.children.push(cpu0);
  const chosen = fdtNode('chosen');
  setU64(chosen, 'linux,initrd-start', 0x1_2345_6789);
  setCells(chosen, 'odd', [1, 2, 3]);
  chosen.props.set('bytes', Uint8Array.from([1, 2, 3]));
  root.children.push(mem, cpus, chosen);
  return root;
}

/** The same message an InputError constructed from (where, what) would carry. */
function inputError(where: string, what: string): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof InputError, `not an InputError: ${String(e)}`);
    assert.equal(e.message, `${where}: ${what}`);
    return true;
  };
}

test('buildDtb → parseDtb round-trips tree, reservations and boot cpu', () => {
  const fdt: Fdt = { root: sample(), reserve: [{ address: 0x4800_0000, size: 0x1000 }], bootCpuidPhys: 3 };
  const blob = buildDtb(fdt);
  const back = parseDtb(blob, 'rt.dtb');
  assert.deepEqual(back, fdt);
  assert.deepEqual(buildDtb(back), blob);
  // Header sanity: magic, version 17 / last compatible 16, reservations at 0x28.
  const dv = new DataView(blob.buffer);
  assert.equal(dv.getUint32(0), 0xd00dfeed);
  assert.equal(dv.getUint32(4), blob.length);
  assert.equal(dv.getUint32(16), 0x28);
  assert.equal(dv.getUint32(20), 17);
  assert.equal(dv.getUint32(24), 16);
});

test('padding grows totalsize without changing the tree', () => {
  const blob = buildDtb(sample(), { padding: 100 });
  assert.equal(blob.length, buildDtb(sample()).length + 100);
  assert.deepEqual(parseDtb(blob, 'p.dtb').root, sample());
});

test('property helpers decode what the setters encode', () => {
  const root = sample();
  assert.equal(getU32(root, '#address-cells'), 2);
  assert.equal(getString(root, 'compatible'), 'linux,dummy-virt');
  const cpu0 = getNode(root, '/cpus/cpu@0');
  assert.deepEqual(getStringList(cpu0, 'compatible'), ['arm,cortex-a57', 'arm,armv8']);
  assert.ok(isCompatible(cpu0, 'arm,armv8'));
  assert.ok(!isCompatible(cpu0, 'arm,armv7'));
  assert.deepEqual(getReg(root, getNode(root, '/memory')), [{ address: 0x4000_0000, size: 0x8000_0000 }]);
  assert.deepEqual(getReg(getNode(root, '/cpus'), cpu0), [{ address: 0, size: 0 }]);
  assert.deepEqual(cellCounts(getNode(root, '/cpus')), { addressCells: 1, sizeCells: 0 });
  const chosen = getNode(root, '/chosen');
  assert.equal(getU64(chosen, 'linux,initrd-start'), 0x1_2345_6789);
  assert.deepEqual(getCells(chosen, 'odd'), [1, 2, 3]);
  assert.throws(() => getU32(chosen, 'odd'), inputError('chosen: property odd', 'is 12 bytes, expected a 4-byte u32'));
  assert.throws(() => getCells(chosen, 'bytes'), inputError('chosen: property bytes', 'is 3 bytes, not a multiple of 4'));
  assert.throws(() => getU32(chosen, 'nope'), inputError('chosen', 'missing property nope'));
  setCells(chosen, 'big', [0x0020_0000, 0]);
  assert.throws(() => getU64(chosen, 'big'), inputError('chosen: property big', '64-bit value 0x20000000000000 does not fit in 53 bits'));
});

test('findNode follows libfdt: exact name, or name without unit address', () => {
  const root = sample();
  assert.equal(findNode(root, '/')?.name, '');
  assert.equal(findNode(root, '/memory')?.name, 'memory@40000000');
  assert.equal(findNode(root, '/memory@40000000')?.name, 'memory@40000000');
  assert.equal(findNode(root, '/memory@0'), undefined);
  assert.equal(findNode(root, '/cpus/cpu')?.name, 'cpu@0');
  assert.throws(() => getNode(root, '/psci', 'host.dtb'), inputError('host.dtb', 'node /psci not found'));
});

test('phandles: allocation above the highest in use, lookup', () => {
  const root = sample();
  assert.equal(maxPhandle(root), 0);
  const cpu0 = getNode(root, '/cpus/cpu@0');
  assert.equal(ensurePhandle(root, cpu0), 1);
  assert.equal(ensurePhandle(root, cpu0), 1);
  setU32(getNode(root, '/chosen'), 'phandle', 0x8003);
  assert.equal(ensurePhandle(root, getNode(root, '/memory')), 0x8004);
  assert.equal(findByPhandle(root, 0x8003)?.name, 'chosen');
  assert.equal(findByPhandle(root, 7), undefined);
});

test('dtc-built reference blobs parse, rebuild byte for byte, and print as dtc prints them', { skip: !hasDtc }, () => {
  for (const f of ['qemu-virt-host.dts', 'dom0less-example.dts', 'real-xen-dom0-fdt.dts', 'real-xen-domU-fdt.dts']) {
    const blob = new Uint8Array(execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', `${REF}/${f}`]));
    const fdt = parseDtb(blob, f);
    assert.deepEqual(buildDtb(fdt), blob, f);
    const dtcText = execFileSync('dtc', ['-q', '-I', 'dtb', '-O', 'dts', '-'], { input: blob }).toString();
    assert.equal(printDts(fdt), dtcText, f);
  }
});

test('dtc reads what buildDtb writes', { skip: !hasDtc }, () => {
  const fdt: Fdt = { root: sample(), reserve: [{ address: 0x4800_0000, size: 0x1000 }], bootCpuidPhys: 0 };
  const text = execFileSync('dtc', ['-q', '-I', 'dtb', '-O', 'dts', '-'], { input: buildDtb(fdt) }).toString();
  assert.equal(text, printDts(fdt));
});

// ---- bad input -------------------------------------------------------------

function goodBlob(): Uint8Array {
  return buildDtb({ root: sample(), reserve: [], bootCpuidPhys: 0 });
}
function patch32(b: Uint8Array, off: number, v: number): Uint8Array {
  const c = b.slice();
  new DataView(c.buffer).setUint32(off, v);
  return c;
}
const hdr = (b: Uint8Array, off: number): number => new DataView(b.buffer, b.byteOffset).getUint32(off);

test('bad magic', () => {
  assert.throws(
    () => parseDtb(patch32(goodBlob(), 0, 0x12345678), 'x.dtb'),
    inputError('x.dtb@0x0', 'bad magic 0x12345678, expected 0xd00dfeed'),
  );
});

test('blob shorter than the header', () => {
  assert.throws(
    () => parseDtb(goodBlob().subarray(0, 20), 'x.dtb'),
    inputError('x.dtb@0x0', 'truncated: 20 bytes is smaller than the 40-byte FDT header'),
  );
});

test('truncated blob (file shorter than totalsize)', () => {
  const b = goodBlob();
  assert.throws(
    () => parseDtb(b.subarray(0, b.length - 10), 'x.dtb'),
    inputError('x.dtb@0x4', `truncated: totalsize is 0x${b.length.toString(16)} but only 0x${(b.length - 10).toString(16)} bytes present`),
  );
});

test('unsupported version', () => {
  assert.throws(
    () => parseDtb(patch32(goodBlob(), 20, 15), 'x.dtb'),
    inputError('x.dtb@0x14', 'unsupported FDT version 15 (last compatible 16); need 16..17'),
  );
});

test('strings block outside the blob', () => {
  const b = goodBlob();
  const bad = patch32(b, 32, 0x10000);
  assert.throws(
    () => parseDtb(bad, 'x.dtb'),
    inputError(
      'x.dtb@0xc',
      `strings block [0x${hdr(b, 12).toString(16)}, +0x10000) is outside the blob (totalsize 0x${b.length.toString(16)})`,
    ),
  );
});

test('bad token in the structure block', () => {
  const b = goodBlob();
  const off = hdr(b, 8);
  assert.throws(() => parseDtb(patch32(b, off, 7), 'x.dtb'), inputError(`x.dtb@0x${off.toString(16)}`, 'bad structure token 0x7'));
});

test('property name offset outside the strings block', () => {
  const b = goodBlob();
  const prop = hdr(b, 8) + 8; // after BEGIN_NODE + "" padded to 4
  assert.equal(hdr(b, prop), 3);
  const bad = patch32(b, prop + 8, 0x9999);
  assert.throws(
    () => parseDtb(bad, 'x.dtb'),
    inputError(
      `x.dtb@0x${prop.toString(16)}`,
      `FDT_PROP name offset 0x9999 is outside the strings block (size 0x${hdr(b, 32).toString(16)})`,
    ),
  );
});

test('unterminated property name string', () => {
  const b = goodBlob();
  const strEnd = hdr(b, 12) + hdr(b, 32);
  const bad = b.slice();
  bad[strEnd - 1] = 0x41; // the last name loses its NUL
  const names = new TextDecoder().decode(b.subarray(hdr(b, 12), strEnd)).split('\0');
  const lastOff = strEnd - hdr(b, 12) - names[names.length - 2]!.length - 1;
  assert.throws(
    () => parseDtb(bad, 'x.dtb'),
    (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.match(
        e.message,
        new RegExp(`^x\\.dtb@0x[0-9a-f]+: property name at strings offset 0x${lastOff.toString(16)} is not NUL-terminated$`),
      );
      return true;
    },
  );
});

test('property value running past the structure block', () => {
  const b = goodBlob();
  const prop = hdr(b, 8) + 8;
  assert.throws(
    () => parseDtb(patch32(b, prop + 4, 0x100000), 'x.dtb'),
    inputError(`x.dtb@0x${prop.toString(16)}`, 'property value of 0x100000 bytes runs past the structure block'),
  );
});

test('structure block cut short before FDT_END', () => {
  const b = goodBlob();
  const bad = patch32(b, 36, hdr(b, 36) - 8); // size_dt_struct loses END_NODE + END
  assert.throws(
    () => parseDtb(bad, 'x.dtb'),
    (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.match(e.message, /^x\.dtb@0x[0-9a-f]+: truncated structure block: expected a token$/);
      return true;
    },
  );
});

test('a reference blob file on disk parses', { skip: !hasDtc }, () => {
  const blob = new Uint8Array(execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', `${REF}/qemu-virt-host.dts`]));
  const root = parseDtb(blob, 'virt.dtb').root;
  assert.equal(getString(getNode(root, '/chosen'), 'stdout-path'), '/pl011@9000000');
  assert.ok(readFileSync(`${REF}/qemu-virt-host.dts`, 'utf8').includes('intc@8000000'));
});
