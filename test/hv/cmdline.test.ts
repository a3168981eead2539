// Xen's command-line semantics (common/kernel.c parse_params, lib/parse-size.c).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParamRegistry, parseBool, parseSizeAndUnit, strtoll, xenParams } from '../../src/hv/cmdline.js';

test('the reference command line parses cleanly', () => {
  const p = xenParams();
  const r = p.parse('dom0_mem=512M console=dtuart dtuart=/pl011@9000000 loglvl=all guest_loglvl=all');
  assert.deepEqual(r, { log: [], rc: 0 });
  assert.equal(p.getNumber('dom0_mem'), 512 * 2 ** 20);
  assert.equal(p.getString('dtuart'), '/pl011@9000000');
  assert.equal(p.getString('loglvl'), 'all');
  assert.equal(p.getString('console'), 'dtuart');
});

test('unknown parameters and bad values are reported in Xen words, and parsing carries on', () => {
  const p = xenParams();
  const r = p.parse('  frobnicate=1 sync_console=maybe loglvl=loud dom0_max_vcpus=4x  noreboot ');
  assert.deepEqual(r.log, [
    'parameter "frobnicate" unknown!',
    'parameter "sync_console" has invalid value "maybe", rc=-22!',
    'parameter "loglvl" has invalid value "loud", rc=-22!',
    'parameter "dom0_max_vcpus" has invalid value "4x", rc=-22!',
  ]);
  assert.equal(r.rc, -22);
  assert.equal(p.getBool('noreboot'), true);
  assert.equal(p.getNumber('dom0_max_vcpus'), 4, 'Xen assigns the number before rejecting the trailing text');
});

test('booleans: bare name, no- prefix, every word of parse_bool, and no-x=0 meaning true', () => {
  const cases: [string, boolean][] = [
    ['sync_console', true],
    ['no-sync_console', false],
    ['sync_console=1', true],
    ['sync_console=on', true],
    ['sync_console=yes', true],
    ['sync_console=true', true],
    ['sync_console=enable', true],
    ['sync_console=0', false],
    ['sync_console=no', false],
    ['sync_console=off', false],
    ['sync_console=false', false],
    ['sync_console=disable', false],
    ['no-sync_console=0', true],
    ['no-sync_console=off', true],
  ];
  for (const [text, want] of cases) {
    const p = xenParams();
    assert.deepEqual(p.parse(text).log, [], text);
    assert.equal(p.getBool('sync_console'), want, text);
  }
  assert.equal(parseBool('On'), -1, 'case sensitive, as Xen');
});

test('integers: strtoll base 0, overflow for the variable width', () => {
  assert.deepEqual(strtoll('0x1F'), { value: 31, used: 4 });
  assert.deepEqual(strtoll('017'), { value: 15, used: 3 });
  assert.deepEqual(strtoll('-5'), { value: -5, used: 2 });
  assert.deepEqual(strtoll('abc'), { value: 0, used: 0 });
  const p = new ParamRegistry().integerParam('byte', 0, 1).integerParam('word', 0, 4);
  assert.deepEqual(p.parse('byte=0xff word=0x10').log, []);
  assert.equal(p.getNumber('byte'), 255);
  assert.equal(p.getNumber('word'), 16);
  assert.deepEqual(p.parse('byte=256').log, ['parameter "byte" has invalid value "256", rc=-75!']);
  assert.deepEqual(p.parse('byte=-1').log, []);
  assert.equal(p.getNumber('byte'), 255, 'a negative value wraps like the C assignment');
  assert.deepEqual(p.parse('word=').log, [], 'an empty integer is 0 in Xen');
  assert.equal(p.getNumber('word'), 0);
});

test('sizes: T/G/M/K/B suffixes in either case; no suffix means KiB', () => {
  assert.deepEqual(parseSizeAndUnit('2G'), { value: 2 ** 31, used: 2 });
  assert.deepEqual(parseSizeAndUnit('3m'), { value: 3 * 2 ** 20, used: 2 });
  assert.deepEqual(parseSizeAndUnit('64'), { value: 64 * 1024, used: 2 });
  assert.deepEqual(parseSizeAndUnit('4096b'), { value: 4096, used: 5 });
  assert.deepEqual(parseSizeAndUnit('1t'), { value: 2 ** 40, used: 2 });
  const p = new ParamRegistry().sizeParam('sz');
  assert.deepEqual(p.parse('sz=0x10K').log, []);
  assert.equal(p.getNumber('sz'), 16 * 1024);
  assert.deepEqual(p.parse('sz=5Q').log, ['parameter "sz" has invalid value "5Q", rc=-22!']);
  const x = xenParams();
  assert.deepEqual(x.parse('dom0_mem=min:128M,max:1G,768M').log, []);
  assert.equal(x.getNumber('dom0_mem'), 768 * 2 ** 20);
  assert.equal(x.getNumber('dom0_mem.max'), 2 ** 30);
  assert.equal(x.getNumber('dom0_mem.min'), 128 * 2 ** 20);
  assert.deepEqual(x.parse('dom0_mem=lots').log, ['parameter "dom0_mem" has invalid value "lots", rc=-22!']);
});

test('strings are truncated to their buffer; options to MAX_PARAM_SIZE - 1 characters', () => {
  const p = new ParamRegistry().stringParam('s', '', 4).stringParam('long');
  assert.deepEqual(p.parse('s=abcdef').log, []);
  assert.equal(p.getString('s'), 'abc');
  p.parse(`long=${'x'.repeat(300)}`);
  assert.equal(p.getString('long').length, 127 - 'long='.length);
});

test('custom parameters: called with the value, or "no" for a no- prefix; no-x=v is invalid', () => {
  const seen: string[] = [];
  const p = new ParamRegistry().customParam('c', (v) => {
    seen.push(v);
    return v === 'bad' ? -22 : 0;
  });
  p.parse('c=one no-c c no-c=two c=bad');
  assert.deepEqual(seen, ['one', 'no', '', 'bad']);
  assert.deepEqual(p.parse('no-c=two c=bad').log, [
    'parameter "no-c" has invalid value "two", rc=-22!',
    'parameter "c" has invalid value "bad", rc=-22!',
  ]);
  const i = new ParamRegistry().ignoreParam('earlyprintk');
  assert.deepEqual(i.parse('earlyprintk=xen').log, []);
});
