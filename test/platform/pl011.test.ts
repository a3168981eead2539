// PL011 register behaviour (DDI 0183; reset values and IDs as QEMU's pl011 model).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pl011, UART, FR, INT } from '../../src/platform/devices/pl011.js';

function uart() {
  const tx: number[] = [];
  const irqs: boolean[] = [];
  let interest = 0;
  const u = new Pl011({ tx: (b) => tx.push(b), onRxInterest: () => interest++ });
  u.onIrq = (l) => irqs.push(l);
  const rd = (off: number) => u.read(off, 4, 0);
  const wr = (off: number, v: number) => u.write(off, 4, v, 0);
  return { u, tx, irqs, rd, wr, interest: () => interest };
}

test('reset values', () => {
  const { rd } = uart();
  assert.equal(rd(UART.FR), FR.TXFE | FR.RXFE);
  assert.equal(rd(UART.CR), 0x300);
  assert.equal(rd(UART.IFLS), 0x12);
  for (const r of [UART.LCR_H, UART.IMSC, UART.RIS, UART.MIS, UART.IBRD, UART.FBRD, UART.RSR_ECR, UART.DMACR, UART.ILPR])
    assert.equal(rd(r), 0, r.toString(16));
});

test('PeriphID / PCellID identify an Arm PL011', () => {
  const { rd } = uart();
  const ids = [0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map(rd);
  assert.deepEqual(ids, [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
});

test('DR writes transmit the low byte and raise TXRIS; ICR clears it', () => {
  const { rd, wr, tx } = uart();
  wr(UART.DR, 0x141);
  wr(UART.DR, 0x0a);
  assert.deepEqual(tx, [0x41, 0x0a]);
  assert.equal(rd(UART.RIS) & INT.TX, INT.TX);
  assert.equal(rd(UART.MIS), 0, 'masked');
  wr(UART.ICR, INT.TX);
  assert.equal(rd(UART.RIS), 0);
  assert.equal(rd(UART.FR) & (FR.TXFF | FR.BUSY), 0, 'never full, never busy');
});

test('the interrupt line follows RIS & IMSC', () => {
  const { u, rd, wr, irqs } = uart();
  wr(UART.DR, 0x41);
  assert.equal(u.irqLevel, false);
  wr(UART.IMSC, INT.TX);
  assert.equal(u.irqLevel, true);
  assert.equal(rd(UART.MIS), INT.TX);
  wr(UART.ICR, 0x7ff);
  assert.equal(u.irqLevel, false);
  assert.deepEqual(irqs, [true, false]);
});

test('received bytes: FIFO off holds one, FIFO on holds 16; nothing is lost', () => {
  const { u, rd, wr } = uart();
  u.pushInput(Array.from({ length: 20 }, (_, i) => 0x61 + i));
  assert.equal(rd(UART.FR) & (FR.RXFE | FR.RXFF), FR.RXFF, 'one-character holding register is full');
  assert.equal(rd(UART.RIS) & INT.RX, INT.RX);
  wr(UART.LCR_H, 0x70); // 8N1, FEN
  assert.equal(rd(UART.FR) & FR.RXFF, FR.RXFF, '16 queued');
  const got: number[] = [];
  while (!(rd(UART.FR) & FR.RXFE)) got.push(rd(UART.DR));
  assert.deepEqual(
    got,
    Array.from({ length: 20 }, (_, i) => 0x61 + i),
  );
  assert.equal(rd(UART.RIS) & INT.RX, 0, 'RXRIS drops with the FIFO empty');
  assert.equal(rd(UART.DR), 0, 'reading an empty FIFO gives 0');
  assert.equal(u.pendingInput, 0);
});

test('RX interrupt raised when data arrives while unmasked', () => {
  const { u, wr, irqs } = uart();
  wr(UART.IMSC, INT.RX | INT.RT);
  assert.equal(u.irqLevel, false);
  u.pushInput([0x31]);
  assert.equal(u.irqLevel, true);
  assert.equal(u.read(UART.DR, 4, 0), 0x31);
  assert.equal(u.irqLevel, false);
  assert.deepEqual(irqs, [true, false]);
});

test('the input source is asked for once, when the guest first wants input', () => {
  const { rd, wr, interest } = uart();
  rd(UART.FR);
  wr(UART.DR, 0x41);
  assert.equal(interest(), 0, 'transmitting is no interest in input');
  rd(UART.DR);
  wr(UART.IMSC, INT.RX);
  assert.equal(interest(), 1);
});

test('control registers keep their implemented bits; RSR is cleared by any ECR write', () => {
  const { rd, wr } = uart();
  wr(UART.IBRD, 0x1_0027);
  wr(UART.FBRD, 0xff);
  wr(UART.CR, 0x301);
  wr(UART.IFLS, 0xff);
  wr(UART.DMACR, 0xff);
  wr(UART.ILPR, 0x1ff);
  assert.deepEqual([UART.IBRD, UART.FBRD, UART.CR, UART.IFLS, UART.DMACR, UART.ILPR].map(rd), [0x0027, 0x3f, 0x301, 0x3f, 0x7, 0xff]);
  wr(UART.RSR_ECR, 0);
  assert.equal(rd(UART.RSR_ECR), 0);
  wr(UART.FR, 0);
  assert.equal(rd(UART.FR), FR.TXFE | FR.RXFE, 'FR is read-only');
});
