import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { buildDtb, getCells, getNode, getString, getU32, parseDtb } from '../../src/fdt/dtb.js';
import { dtsLabels, parseDts, printDts } from '../../src/fdt/dts.js';
import { InputError } from '../../src/util/errors.js';

const REF = '/work/shared/reference';
const hasDtc = ((): boolean => {
  try {
    execFileSync('dtc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const dtc = (src: string): Uint8Array => new Uint8Array(execFileSync('dtc', ['-q', '-I', 'dts', '-O', 'dtb', '-'], { input: src }));

function rejects(text: string, message: string): void {
  assert.throws(
    () => parseDts(text, 't.dts'),
    (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.equal(e.message, message);
      return true;
    },
  );
}

const refs = readdirSync(REF).filter((f) => f.endsWith('.dts'));

test('every reference DTS parses', () => {
  assert.ok(refs.length >= 4);
  for (const f of refs) {
    const fdt = parseDts(readFileSync(`${REF}/${f}`, 'utf8'), f);
    assert.ok(fdt.root.children.length > 0, f);
  }
});

test("reference DTS: our blob equals dtc's, byte for byte", { skip: !hasDtc }, () => {
  for (const f of refs) {
    const text = readFileSync(`${REF}/${f}`, 'utf8');
    const theirs = dtc(text);
    const ours = buildDtb(parseDts(text, f));
    assert.deepEqual(parseDtb(ours, 'ours').root, parseDtb(theirs, 'dtc').root, f);
    assert.deepEqual(ours, theirs, f);
  }
});

const FEATURES = `/dts-v1/;
/memreserve/ 0x48000000 0x1000;
/ {
	#address-cells = <2>;
	#size-cells = <(1 + 1)>;
	// line comment
	expr = <(1 + 2 * 3) (1 << 4) (0xff & ~0xf) (10 / 3) (10 % 3) (5 > 3 ? 7 : 9) (-1) ('A') (1 == 1) (3 - 1 - 1)>;
	big = /bits/ 64 <0x123456789 5>;
	small = /bits/ 8 <1 0xff>;
	half = /bits/ 16 <0x1234>;
	bytes = [01 0203 ab];
	str = "tab\\there\\n\\"q\\" \\x41\\101";
	list = "a", "bc", "";
	mixed = "s", <1>, [ff];
	path = &uart;
	flag;
	/* block
	   comment */
	gic: interrupt-controller@8000000 {
		interrupt-controller;
		#interrupt-cells = <3>;
	};
	uart: serial@9000000 {
		interrupt-parent = <&gic>;
		clocks = <&clk &clk>;
	};
	clk: apb-pclk {
		#clock-cells = <0>;
		phandle = <0x10>;
	};
	gone {
	};
};
&uart {
	status = "okay";
	clocks = <&clk>;
};
/ {
	/delete-node/ gone;
	chosen { bootargs = "x"; };
};
`;

test('language features decode as intended', () => {
  const fdt = parseDts(FEATURES, 'f.dts');
  const root = fdt.root;
  assert.deepEqual(fdt.reserve, [{ address: 0x4800_0000, size: 0x1000 }]);
  assert.equal(getU32(root, '#size-cells'), 2);
  assert.deepEqual(getCells(root, 'expr'), [7, 16, 0xf0, 3, 1, 7, 0xffffffff, 0x41, 1, 1]);
  assert.deepEqual([...root.props.get('big')!], [0, 0, 0, 1, 0x23, 0x45, 0x67, 0x89, 0, 0, 0, 0, 0, 0, 0, 5]);
  assert.deepEqual([...root.props.get('small')!], [1, 0xff]);
  assert.deepEqual([...root.props.get('half')!], [0x12, 0x34]);
  assert.deepEqual([...root.props.get('bytes')!], [1, 2, 3, 0xab]);
  assert.equal(new TextDecoder().decode(root.props.get('str')!), 'tab\there\n"q" AA\0');
  assert.equal(new TextDecoder().decode(root.props.get('list')!), 'a\0bc\0\0');
  assert.deepEqual([...root.props.get('mixed')!], [0x73, 0, 0, 0, 0, 1, 0xff]);
  assert.equal(getString(root, 'path'), '/serial@9000000');
  assert.equal(root.props.get('flag')!.length, 0);
  // Phandles: explicit 0x10 kept; gic gets 1 (first reference in tree order).
  const gic = getNode(root, '/interrupt-controller@8000000');
  assert.equal(getU32(gic, 'phandle'), 1);
  const uart = getNode(root, '/serial@9000000');
  assert.deepEqual(getCells(uart, 'interrupt-parent'), [1]);
  assert.deepEqual(getCells(uart, 'clocks'), [0x10]); // &uart override replaced the value in place
  assert.equal(getString(uart, 'status'), 'okay');
  assert.deepEqual([...uart.props.keys()], ['interrupt-parent', 'clocks', 'status']);
  assert.equal(getNode(root, '/chosen').name, 'chosen');
  assert.equal(
    root.children.find((c) => c.name === 'gone'),
    undefined,
  );
  assert.deepEqual(
    dtsLabels(FEATURES, 'f.dts'),
    new Map([
      ['gic', '/interrupt-controller@8000000'],
      ['uart', '/serial@9000000'],
      ['clk', '/apb-pclk'],
    ]),
  );
});

test('language features: same blob as dtc', { skip: !hasDtc }, () => {
  assert.deepEqual(buildDtb(parseDts(FEATURES, 'f.dts')), dtc(FEATURES));
});

test('printDts output parses back to the same tree', () => {
  const fdt = parseDts(FEATURES, 'f.dts');
  assert.deepEqual(parseDts(printDts(fdt), 'printed.dts'), fdt);
});

test('printDts guesses types like dtc', () => {
  const text = printDts(
    parseDts('/dts-v1/;\n/ { a = ""; b = "x", "", "y"; c = [00 00 00 41]; d = "ab\\0"; e = [01 02 03]; f = "/"; };\n', 'g.dts'),
  );
  assert.equal(
    text,
    '/dts-v1/;\n\n/ {\n\ta = [00];\n\tb = [78 00 00 79 00];\n\tc = <0x41>;\n\td = "ab\\0";\n\te = [01 02 03];\n\tf = "/";\n};\n',
  );
});

// ---- bad input -------------------------------------------------------------

test('missing /dts-v1/', () => {
  rejects('/ { };', 't.dts:1:1: expected "/dts-v1/" at the start of the file (only DTS version 1 syntax is supported), found "/ { };"');
});

test('unterminated string names line and column', () => {
  rejects('/dts-v1/;\n/ {\n\tmodel = "abc;\n};\n', 't.dts:3:10: unterminated string');
});

test('reference to an undefined label', () => {
  rejects('/dts-v1/;\n/ {\n\tx = <&nope>;\n};\n', 't.dts:3:7: reference to non-existent node or label "nope"');
});

test('C preprocessor directive', () => {
  rejects(
    '/dts-v1/;\n#include <dt-bindings/gpio.h>\n/ { };\n',
    't.dts:2:1: C preprocessor directive; run the file through cpp first (dtc -I dts takes no #include)',
  );
});

test('cell value out of range', () => {
  rejects('/dts-v1/;\n/ { x = <0x100000000>; };\n', 't.dts:2:10: value 0x100000000 out of range for a 32-bit cell');
});

test('duplicate property in one node', () => {
  rejects('/dts-v1/;\n/ { x; x = <1>; };\n', 't.dts:2:8: duplicate property x');
});

test('missing semicolon after a node', () => {
  rejects('/dts-v1/;\n/ { a { } };\n', 't.dts:2:11: expected ";" after "}" closing a node, found "};\\n"');
});

test('division by zero', () => {
  rejects('/dts-v1/;\n/ { x = <(1 / 0)>; };\n', 't.dts:2:13: division by zero in expression');
});
