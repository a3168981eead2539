// Disassembly text vs GNU objdump 2.40 (aarch64-linux-gnu-objdump -d --adjust-vma=0x40001000)
// for the words below: a hand-written list of every instruction and alias in this slice, then
// random words from each encoding group (generated once; see the report for the script).
// objdump's `<symbol>` and `// comment` annotations are stripped before comparing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { disasm } from './run.js';

const OBJDUMP = `
    40001000:	10000080 	adr	x0, 40001010 <.text+0x10>
    40001004:	90000001 	adrp	x1, 40001000 <.text>
    40001008:	91004020 	add	x0, x1, #0x10
    4000100c:	9140043f 	add	sp, x1, #0x1, lsl #12
    40001010:	9100007f 	mov	sp, x3
    40001014:	910003e3 	mov	x3, sp
    40001018:	110003e0 	mov	w0, wsp
    4000101c:	f1000c3f 	cmp	x1, #0x3
    40001020:	3100105f 	cmn	w2, #0x4
    40001024:	f10023e0 	subs	x0, sp, #0x8
    40001028:	92401c20 	and	x0, x1, #0xff
    4000102c:	3200f3e0 	mov	w0, #0x55555555            	// #1431655765
    40001030:	b204cfe5 	mov	x5, #0xf0f0f0f0f0f0f0f0    	// #-1085102592571150096
    40001034:	f240005f 	tst	x2, #0x1
    40001038:	d2800200 	mov	x0, #0x10                  	// #16
    4000103c:	d2a00000 	movz	x0, #0x0, lsl #16
    40001040:	52a00020 	mov	w0, #0x10000               	// #65536
    40001044:	92800000 	mov	x0, #0xffffffffffffffff    	// #-1
    40001048:	12800000 	mov	w0, #0xffffffff            	// #-1
    4000104c:	129fffe0 	movn	w0, #0xffff
    40001050:	92c24680 	mov	x0, #0xffffedcbffffffff    	// #-20014547599361
    40001054:	f2e24680 	movk	x0, #0x1234, lsl #48
    40001058:	9343fc20 	asr	x0, x1, #3
    4000105c:	d37cec62 	lsl	x2, x3, #4
    40001060:	531f7c62 	lsr	w2, w3, #31
    40001064:	93431c20 	sbfx	x0, x1, #3, #5
    40001068:	d3431c20 	ubfx	x0, x1, #3, #5
    4000106c:	93401c20 	sxtb	x0, w1
    40001070:	13003c20 	sxth	w0, w1
    40001074:	93407c20 	sxtw	x0, w1
    40001078:	53001c20 	uxtb	w0, w1
    4000107c:	53003c20 	uxth	w0, w1
    40001080:	b3780c20 	bfi	x0, x1, #8, #4
    40001084:	b3482c20 	bfxil	x0, x1, #8, #4
    40001088:	93780c20 	sbfiz	x0, x1, #8, #4
    4000108c:	d3780c20 	ubfiz	x0, x1, #8, #4
    40001090:	93c23020 	extr	x0, x1, x2, #12
    40001094:	93c13020 	ror	x0, x1, #12
    40001098:	aa0103e0 	mov	x0, x1
    4000109c:	2a0103e0 	mov	w0, w1
    400010a0:	aa2103e0 	mvn	x0, x1
    400010a4:	aa010be0 	orr	x0, xzr, x1, lsl #2
    400010a8:	ea01001f 	tst	x0, x1
    400010ac:	eae20c20 	bics	x0, x1, x2, ror #3
    400010b0:	ca220020 	eon	x0, x1, x2
    400010b4:	8b020c20 	add	x0, x1, x2, lsl #3
    400010b8:	cb0203e0 	neg	x0, x2
    400010bc:	6b820be0 	negs	w0, w2, asr #2
    400010c0:	eb01001f 	cmp	x0, x1
    400010c4:	8b2163e0 	add	x0, sp, x1
    400010c8:	8b224820 	add	x0, x1, w2, uxtw #2
    400010cc:	8b2173ff 	add	sp, sp, x1, lsl #4
    400010d0:	eb2163ff 	cmp	sp, x1
    400010d4:	eb22c03f 	cmp	x1, w2, sxtw
    400010d8:	9a020020 	adc	x0, x1, x2
    400010dc:	da0203e0 	ngc	x0, x2
    400010e0:	7a0203e0 	ngcs	w0, w2
    400010e4:	fa411004 	ccmp	x0, x1, #0x4, ne	// ne = any
    400010e8:	3a450802 	ccmn	w0, #0x5, #0x2, eq	// eq = none
    400010ec:	9a82b020 	csel	x0, x1, x2, lt	// lt = tstop
    400010f0:	9a9f17e0 	cset	x0, eq	// eq = none
    400010f4:	5a9f03e0 	csetm	w0, ne	// ne = any
    400010f8:	9a81b420 	cinc	x0, x1, ge	// ge = tcont
    400010fc:	da81b020 	cinv	x0, x1, ge	// ge = tcont
    40001100:	da81b420 	cneg	x0, x1, ge	// ge = tcont
    40001104:	dac00020 	rbit	x0, x1
    40001108:	5ac00420 	rev16	w0, w1
    4000110c:	dac00820 	rev32	x0, x1
    40001110:	dac00c20 	rev	x0, x1
    40001114:	5ac00820 	rev	w0, w1
    40001118:	dac01020 	clz	x0, x1
    4000111c:	5ac01420 	cls	w0, w1
    40001120:	9ac20820 	udiv	x0, x1, x2
    40001124:	1ac20c20 	sdiv	w0, w1, w2
    40001128:	9ac22020 	lsl	x0, x1, x2
    4000112c:	1ac22820 	asr	w0, w1, w2
    40001130:	9ac22c20 	ror	x0, x1, x2
    40001134:	1ac24020 	crc32b	w0, w1, w2
    40001138:	9ac25c20 	crc32cx	w0, w1, x2
    4000113c:	9b020c20 	madd	x0, x1, x2, x3
    40001140:	9b027c20 	mul	x0, x1, x2
    40001144:	1b02fc20 	mneg	w0, w1, w2
    40001148:	9b227c20 	smull	x0, w1, w2
    4000114c:	9ba27c20 	umull	x0, w1, w2
    40001150:	9b220c20 	smaddl	x0, w1, w2, x3
    40001154:	9ba28c20 	umsubl	x0, w1, w2, x3
    40001158:	9b427c20 	smulh	x0, x1, x2
    4000115c:	9bc27c20 	umulh	x0, x1, x2
    40001160:	14000004 	b	40001170 <.text+0x170>
    40001164:	97fffffc 	bl	40001154 <.text+0x154>
    40001168:	54000041 	b.ne	40001170 <.text+0x170>  // b.any
    4000116c:	5400004e 	b.al	40001174 <.text+0x174>
    40001170:	5400004f 	b.nv	40001178 <.text+0x178>
    40001174:	b4000040 	cbz	x0, 4000117c <.text+0x17c>
    40001178:	35ffffc0 	cbnz	w0, 40001170 <.text+0x170>
    4000117c:	b6080040 	tbz	x0, #33, 40001184 <.text+0x184>
    40001180:	37180040 	tbnz	w0, #3, 40001188 <.text+0x188>
    40001184:	d61f0060 	br	x3
    40001188:	d63f03c0 	blr	x30
    4000118c:	d65f03c0 	ret
    40001190:	d65f0060 	ret	x3
    40001194:	967f53ff 	bl	39fd6190 <.text-0x602ae70>
    40001198:	95a6951a 	bl	469a6600 <.text+0x69a5600>
    4000119c:	955120f0 	bl	4544955c <.text+0x544855c>
    400011a0:	95777caa 	bl	45de0448 <.text+0x5ddf448>
    400011a4:	96c0cd7f 	bl	3b0347a0 <.text-0x4fcc860>
    400011a8:	1466ebf9 	b	419bc18c <.text+0x19bb18c>
    400011ac:	169f4f8d 	b	3a7d4fe0 <.text-0x582c020>
    400011b0:	155bb39b 	b	456ee01c <.text+0x56ed01c>
    400011b4:	953df91f 	bl	44f7f630 <.text+0x4f7e630>
    400011b8:	96fa875f 	bl	3bea2f34 <.text-0x415e0cc>
    400011bc:	147d1be3 	b	41f48148 <.text+0x1f47148>
    400011c0:	1548060d 	b	452029f4 <.text+0x52019f4>
    400011c4:	97dfd0df 	bl	3f7f5540 <.text-0x80bac0>
    400011c8:	9545913f 	bl	451656c4 <.text+0x51646c4>
    400011cc:	163df11e 	b	38f7d644 <.text-0x70839bc>
    400011d0:	16efd7f3 	b	3bbf719c <.text-0x4409e64>
    400011d4:	966cd13f 	bl	39b356d0 <.text-0x64cb930>
    400011d8:	171df329 	b	3c77de7c <.text-0x3883184>
    400011dc:	141f3483 	b	407ce3e8 <.text+0x7cd3e8>
    400011e0:	1711c316 	b	3c471e38 <.text-0x3b8f1c8>
    400011e4:	174e33ff 	b	3d38e1e0 <.text-0x2c72e20>
    400011e8:	951cbea2 	bl	44730c70 <.text+0x472fc70>
    400011ec:	95f7ec8d 	bl	47dfc420 <.text+0x7dfb420>
    400011f0:	1510ac78 	b	4442c3d0 <.text+0x442b3d0>
    400011f4:	957f313f 	bl	45fcd6f0 <.text+0x5fcc6f0>
    400011f8:	96aa4fe7 	bl	3aa95194 <.text-0x556be6c>
    400011fc:	14a05950 	b	4281773c <.text+0x281673c>
    40001200:	1795c7b2 	b	3e5730c8 <.text-0x1a8df38>
    40001204:	172fb7df 	b	3cbef180 <.text-0x3411e80>
    40001208:	9582360e 	bl	4608ea40 <.text+0x608da40>
    4000120c:	543f5bef 	b.nv	4007fd88 <.text+0x7ed88>
    40001210:	549fb307 	b.vc	3ff40870 <.text-0xc0790>
    40001214:	54b5ae2f 	b.nv	3ff6c7d8 <.text-0x94828>
    40001218:	54e6c426 	b.vs	3ffcea9c <.text-0x32564>
    4000121c:	54faed6f 	b.nv	3fff6fc8 <.text-0xa038>
    40001220:	54c587ef 	b.nv	3ff8c31c <.text-0x74ce4>
    40001224:	545f35a0 	b.eq	400bf8d8 <.text+0xbe8d8>  // b.none
    40001228:	544e9184 	b.mi	4009e458 <.text+0x9d458>  // b.first
    4000122c:	5483830f 	b.nv	3ff0828c <.text-0xf8d74>
    40001230:	54d83f6d 	b.le	3ffb1a1c <.text-0x4f5e4>
    40001234:	548bdfe7 	b.vc	3ff18e30 <.text-0xe81d0>
    40001238:	54867125 	b.pl	3ff0e05c <.text-0xf2fa4>  // b.nfrst
    4000123c:	549fb02f 	b.nv	3ff40840 <.text-0xc07c0>
    40001240:	547d48ab 	b.lt	400fbb54 <.text+0xfab54>  // b.tstop
    40001244:	540da626 	b.vs	4001c708 <.text+0x1b708>
    40001248:	544dbfef 	b.nv	4009ca44 <.text+0x9ba44>
    4000124c:	5470fc2f 	b.nv	400e31d0 <.text+0xe21d0>
    40001250:	5452e34a 	b.ge	400a6eb8 <.text+0xa5eb8>  // b.tcont
    40001254:	54ffe862 	b.cs	40000f60 <.text-0xa0>  // b.hs, b.nlast
    40001258:	548b91e1 	b.ne	3ff18494 <.text-0xe8b6c>  // b.any
    4000125c:	54cca7ef 	b.nv	3ff9a758 <.text-0x668a8>
    40001260:	54e696a4 	b.mi	3ffce534 <.text-0x32acc>  // b.first
    40001264:	54d4e52d 	b.le	3ffaaf08 <.text-0x560f8>
    40001268:	54d28d60 	b.eq	3ffa6414 <.text-0x5abec>  // b.none
    4000126c:	549f714f 	b.nv	3ff40094 <.text-0xc0f6c>
    40001270:	545217ea 	b.ge	400a556c <.text+0xa456c>  // b.tcont
    40001274:	542136ee 	b.al	40043950 <.text+0x42950>
    40001278:	54a8df29 	b.ls	3ff52e5c <.text-0xae1a4>  // b.plast
    4000127c:	545ce94f 	b.nv	400bafa4 <.text+0xb9fa4>
    40001280:	5489c127 	b.vc	3ff14aa4 <.text-0xec55c>
    40001284:	35fffbff 	cbnz	wzr, 40001200 <.text+0x200>
    40001288:	b4a8a002 	cbz	x2, 3ff52688 <.text-0xae978>
    4000128c:	348147c7 	cbz	w7, 3ff03b84 <.text-0xfd47c>
    40001290:	34a8288d 	cbz	w13, 3ff517a0 <.text-0xaf860>
    40001294:	b52914ff 	cbnz	xzr, 40053530 <.text+0x52530>
    40001298:	b59b77ea 	cbnz	x10, 3ff38194 <.text-0xc8e6c>
    4000129c:	b5df4240 	cbnz	x0, 3ffbfae4 <.text-0x4151c>
    400012a0:	b548b0e4 	cbnz	x4, 400928bc <.text+0x918bc>
    400012a4:	352d4edf 	cbnz	wzr, 4005bc7c <.text+0x5ac7c>
    400012a8:	b44896b5 	cbz	x21, 4009257c <.text+0x9157c>
    400012ac:	3491d7fb 	cbz	w27, 3ff24da8 <.text-0xdc258>
    400012b0:	34ccc1ff 	cbz	wzr, 3ff9aaec <.text-0x66514>
    400012b4:	34ffcdff 	cbz	wzr, 40000c70 <.text-0x390>
    400012b8:	34cdd042 	cbz	w2, 3ff9ccc0 <.text-0x64340>
    400012bc:	b41cde4c 	cbz	x12, 4003ae84 <.text+0x39e84>
    400012c0:	b54efbf8 	cbnz	x24, 4009f23c <.text+0x9e23c>
    400012c4:	b451ca3f 	cbz	xzr, 400a4c08 <.text+0xa3c08>
    400012c8:	b503f3e7 	cbnz	x7, 40009144 <.text+0x8144>
    400012cc:	35ff851e 	cbnz	w30, 4000036c <.text-0xc94>
    400012d0:	35e02560 	cbnz	w0, 3ffc177c <.text-0x3f884>
    400012d4:	350d47ff 	cbnz	wzr, 4001bbd0 <.text+0x1abd0>
    400012d8:	3530cf71 	cbnz	w17, 40062cc4 <.text+0x61cc4>
    400012dc:	b484e4f6 	cbz	x22, 3ff0af78 <.text-0xf6088>
    400012e0:	b5eabe00 	cbnz	x0, 3ffd6aa0 <.text-0x2a560>
    400012e4:	b49f623f 	cbz	xzr, 3ff3ff28 <.text-0xc10d8>
    400012e8:	346a77e5 	cbz	w5, 400d61e4 <.text+0xd51e4>
    400012ec:	b4f3e4af 	cbz	x15, 3ffe8f80 <.text-0x18080>
    400012f0:	b4022f9c 	cbz	x28, 400058e0 <.text+0x48e0>
    400012f4:	b522f49f 	cbnz	xzr, 40047184 <.text+0x46184>
    400012f8:	35fd4682 	cbnz	w2, 3fffbbc8 <.text-0x5438>
    400012fc:	b75f17ff 	tbnz	xzr, #43, 3ffff5f8 <.text-0x1a08>
    40001300:	b70aed2c 	tbnz	x12, #33, 400070a4 <.text+0x60a4>
    40001304:	b6209fb6 	tbz	x22, #36, 400026f8 <.text+0x16f8>
    40001308:	36e2179e 	tbz	w30, #28, 400055f8 <.text+0x45f8>
    4000130c:	b6fd0b3f 	tbz	xzr, #63, 3fffb470 <.text-0x5b90>
    40001310:	b7125fe2 	tbnz	x2, #34, 40005f0c <.text+0x4f0c>
    40001314:	b7df59dd 	tbnz	x29, #59, 3ffffe4c <.text-0x11b4>
    40001318:	37d58765 	tbnz	w5, #26, 3fffc404 <.text-0x4bfc>
    4000131c:	37d5873f 	tbnz	wzr, #26, 3fffc400 <.text-0x4c00>
    40001320:	b7bec6a9 	tbnz	x9, #55, 3fffebf4 <.text-0x240c>
    40001324:	37743ffe 	tbnz	w30, #14, 3fff9b20 <.text-0x74e0>
    40001328:	b6c5e3ff 	tbz	xzr, #56, 3fffcfa4 <.text-0x405c>
    4000132c:	b7bfec3f 	tbnz	xzr, #55, 400010b0 <.text+0xb0>
    40001330:	36a35b01 	tbz	w1, #20, 40007e90 <.text+0x6e90>
    40001334:	367958f3 	tbz	w19, #15, 40003e50 <.text+0x2e50>
    40001338:	36d357e8 	tbz	w8, #26, 40007e34 <.text+0x6e34>
    4000133c:	37c399ff 	tbnz	wzr, #24, 40008678 <.text+0x7678>
    40001340:	3682e824 	tbz	w4, #16, 40007044 <.text+0x6044>
    40001344:	369f542a 	tbz	w10, #19, 3ffffdc8 <.text-0x1238>
    40001348:	b7b99cd6 	tbnz	x22, #55, 400046e0 <.text+0x36e0>
    4000134c:	b7c783ff 	tbnz	xzr, #56, 400003c8 <.text-0xc38>
    40001350:	b6c2e0c5 	tbz	x5, #56, 40006f68 <.text+0x5f68>
    40001354:	b613906b 	tbz	x11, #34, 40008560 <.text+0x7560>
    40001358:	b7b2fd98 	tbnz	x24, #54, 40007308 <.text+0x6308>
    4000135c:	365f799f 	tbz	wzr, #11, 4000028c <.text-0xd74>
    40001360:	371c3fed 	tbnz	w13, #3, 3fff9b5c <.text-0x74a4>
    40001364:	37e2add7 	tbnz	w23, #28, 4000691c <.text+0x591c>
    40001368:	37d6c872 	tbnz	w18, #26, 3fffec74 <.text-0x238c>
    4000136c:	b7e2c45f 	tbnz	xzr, #60, 40006bf4 <.text+0x5bf4>
    40001370:	b702027d 	tbnz	x29, #32, 400053bc <.text+0x43bc>
    40001374:	d63f03e0 	blr	xzr
    40001378:	d63f0240 	blr	x18
    4000137c:	d61f0220 	br	x17
    40001380:	d61f0340 	br	x26
    40001384:	d61f0360 	br	x27
    40001388:	d65f00c0 	ret	x6
    4000138c:	d63f0360 	blr	x27
    40001390:	d63f0080 	blr	x4
    40001394:	d65f03e0 	ret	xzr
    40001398:	d63f0120 	blr	x9
    4000139c:	d63f0040 	blr	x2
    400013a0:	d63f03e0 	blr	xzr
    400013a4:	d61f0380 	br	x28
    400013a8:	d63f0260 	blr	x19
    400013ac:	d65f0040 	ret	x2
    400013b0:	d65f02a0 	ret	x21
    400013b4:	d63f03e0 	blr	xzr
    400013b8:	d63f00c0 	blr	x6
    400013bc:	d61f0080 	br	x4
    400013c0:	d61f00c0 	br	x6
    400013c4:	d61f00c0 	br	x6
    400013c8:	d63f00e0 	blr	x7
    400013cc:	d63f0340 	blr	x26
    400013d0:	10ff5fff 	adr	xzr, 3fffffcc <.text-0x1034>
    400013d4:	3055453e 	adr	x30, 400abc79 <.text+0xaac79>
    400013d8:	50369d29 	adr	x9, 4006e77e <.text+0x6d77e>
    400013dc:	10b4017b 	adr	x27, 3ff69408 <.text-0x97bf8>
    400013e0:	10b9ee3f 	adr	xzr, 3ff751a4 <.text-0x8be5c>
    400013e4:	50a4fbe4 	adr	x4, 3ff4b362 <.text-0xb5c9e>
    400013e8:	709f13cd 	adr	x13, 3ff3f663 <.text-0xc199d>
    400013ec:	7082688b 	adr	x11, 3ff060ff <.text-0xfaf01>
    400013f0:	f0668dbf 	adrp	xzr, 10d1b8000 <.text+0xcd1b7000>
    400013f4:	50ea7fcc 	adr	x12, 3ffd63ee <.text-0x2ac12>
    400013f8:	b0aa03e8 	adrp	x8, ffffffff9407e000 <.text+0xffffffff5407d000>
    400013fc:	70c34c02 	adr	x2, 3ff87d7f <.text-0x79281>
    40001400:	907f9dff 	adrp	xzr, 13f3bd000 <.text+0xff3bc000>
    40001404:	b0014ac0 	adrp	x0, 4295a000 <.text+0x2959000>
    40001408:	10dcf17a 	adr	x26, 3ffbb234 <.text-0x45dcc>
    4000140c:	30ccd3e8 	adr	x8, 3ff9ae89 <.text-0x66177>
    40001410:	b0000fdf 	adrp	xzr, 401fa000 <.text+0x1f9000>
    40001414:	b0d95e22 	adrp	x2, fffffffff2bc6000 <.text+0xffffffffb2bc5000>
    40001418:	f01f7cdc 	adrp	x28, 7ef9c000 <.text+0x3ef9b000>
    4000141c:	50b2f978 	adr	x24, 3ff6734a <.text-0x99cb6>
    40001420:	30936bff 	adr	xzr, 3ff2819d <.text-0xd8e63>
    40001424:	305b1deb 	adr	x11, 400b77e1 <.text+0xb67e1>
    40001428:	b0ece3bc 	adrp	x28, 19c76000 <.text-0x2638b000>
    4000142c:	502f672b 	adr	x11, 40060112 <.text+0x5f112>
    40001430:	505fd11f 	adr	xzr, 400c0e52 <.text+0xbfe52>
    40001434:	90e42fee 	adrp	x14, 85fd000 <.text-0x37a04000>
    40001438:	104452a2 	adr	x2, 40089e8c <.text+0x88e8c>
    4000143c:	f08ea1ec 	adrp	x12, ffffffff5d440000 <.text+0xffffffff1d43f000>
    40001440:	90b1d9ff 	adrp	xzr, ffffffffa3b3d000 <.text+0xffffffff63b3c000>
    40001444:	30a76a14 	adr	x20, 3ff50185 <.text-0xb0e7b>
    40001448:	917f3bff 	add	sp, sp, #0xfce, lsl #12
    4000144c:	f1425a62 	subs	x2, x19, #0x96, lsl #12
    40001450:	b17bab24 	adds	x4, x25, #0xeea, lsl #12
    40001454:	11782fde 	add	w30, w30, #0xe0b, lsl #12
    40001458:	3179c1bf 	cmn	w13, #0xe70, lsl #12
    4000145c:	3123dfeb 	adds	w11, wsp, #0x8f7
    40001460:	d17ff9a9 	sub	x9, x13, #0xffe, lsl #12
    40001464:	d13a1447 	sub	x7, x2, #0xe85
    40001468:	f167855f 	cmp	x10, #0x9e1, lsl #12
    4000146c:	b11c7cbd 	adds	x29, x5, #0x71f
    40001470:	f13d47ea 	subs	x10, sp, #0xf51
    40001474:	914f7fe0 	add	x0, sp, #0x3df, lsl #12
    40001478:	513fd35f 	sub	wsp, w26, #0xff4
    4000147c:	5101a984 	sub	w4, w12, #0x6a
    40001480:	1142e9c9 	add	w9, w14, #0xba, lsl #12
    40001484:	310dd3f3 	adds	w19, wsp, #0x374
    40001488:	512c699f 	sub	wsp, w12, #0xb1a
    4000148c:	710d8827 	subs	w7, w1, #0x362
    40001490:	917fb2e1 	add	x1, x23, #0xfec, lsl #12
    40001494:	115ed322 	add	w2, w25, #0x7b4, lsl #12
    40001498:	f1488fff 	cmp	sp, #0x223, lsl #12
    4000149c:	914a5624 	add	x4, x17, #0x295, lsl #12
    400014a0:	717822c8 	subs	w8, w22, #0xe08, lsl #12
    400014a4:	d129c506 	sub	x6, x8, #0xa71
    400014a8:	115f641f 	add	wsp, w0, #0x7d9, lsl #12
    400014ac:	115db3f0 	add	w16, wsp, #0x76c, lsl #12
    400014b0:	51238aa8 	sub	w8, w21, #0x8e2
    400014b4:	3114ca12 	adds	w18, w16, #0x532
    400014b8:	5169b7df 	sub	wsp, w30, #0xa6d, lsl #12
    400014bc:	f12de5da 	subs	x26, x14, #0xb79
    400014c0:	123cd94e 	and	w14, w10, #0xf7f7f7f7
    400014c4:	925880c4 	and	x4, x6, #0xffffff00000001ff
    400014c8:	b2650966 	orr	x6, x11, #0x38000000
    400014cc:	920698ff 	and	sp, x7, #0xfc01fc01fc01fc01
    400014d0:	b215abfe 	mov	x30, #0xf83ff83ff83ff83f    	// #-558454875139082177
    400014d4:	b23f4f15 	orr	x21, x24, #0x1ffffe001ffffe
    400014d8:	f24bcef3 	ands	x19, x23, #0xffe001ffffffffff
    400014dc:	d25d7a7f 	eor	sp, x19, #0xfffffff800000003
    400014e0:	f275d3f2 	ands	x18, xzr, #0xfffffffffffff800
    400014e4:	920697d6 	and	x22, x30, #0xfc00fc00fc00fc00
    400014e8:	f27f215f 	tst	x10, #0x3fe
    400014ec:	f2469b14 	ands	x20, x24, #0xfc000001ffffffff
    400014f0:	3237ab02 	orr	w2, w24, #0xfe0ffe0f
    400014f4:	d255affd 	eor	x29, xzr, #0xfffff800007fffff
    400014f8:	f228591f 	tst	x8, #0xff007fffff007fff
    400014fc:	f225c6b6 	ands	x22, x21, #0x1818181818181818
    40001500:	f27f5665 	ands	x5, x19, #0x7ffffe
    40001504:	b24c834e 	orr	x14, x26, #0xfff00000001fffff
    40001508:	3220b3ff 	mov	wsp, #0x1fff1fff            	// #536813567
    4000150c:	d222a007 	eor	x7, x0, #0xc07fc07fc07fc07f
    40001510:	123eabf1 	and	w17, wzr, #0x1ffc1ffc
    40001514:	f22eeb9c 	ands	x28, x28, #0xdddddddddddddddd
    40001518:	b22586df 	orr	sp, x22, #0x1800180018001800
    4000151c:	f2517cf5 	ands	x21, x7, #0xffff800000007fff
    40001520:	12979d22 	mov	w2, #0xffff4316            	// #-48362
    40001524:	52b803f1 	mov	w17, #0xc01f0000            	// #-1071710208
    40001528:	728b75bd 	movk	w29, #0x5bad
    4000152c:	f2ebc65f 	movk	xzr, #0x5e32, lsl #48
    40001530:	72b0e0d2 	movk	w18, #0x8706, lsl #16
    40001534:	d2c843f9 	mov	x25, #0x421f00000000        	// #72700911419392
    40001538:	f2d9f877 	movk	x23, #0xcfc3, lsl #32
    4000153c:	d299a140 	mov	x0, #0xcd0a                	// #52490
    40001540:	f2af477f 	movk	xzr, #0x7a3b, lsl #16
    40001544:	d286bfee 	mov	x14, #0x35ff                	// #13823
    40001548:	92962f48 	mov	x8, #0xffffffffffff4e85    	// #-45435
    4000154c:	92cffbff 	mov	xzr, #0xffff8020ffffffff    	// #-140595754434561
    40001550:	129145fd 	mov	w29, #0xffff75d0            	// #-35376
    40001554:	529f763f 	mov	wzr, #0xfbb1                	// #64433
    40001558:	528b7fe2 	mov	w2, #0x5bff                	// #23551
    4000155c:	92be35ab 	mov	x11, #0xffffffff0e52ffff    	// #-4054646785
    40001560:	f2b4043f 	movk	xzr, #0xa021, lsl #16
    40001564:	d2c72b12 	mov	x18, #0x395800000000        	// #63050119905280
    40001568:	1306699b 	sbfx	w27, w12, #6, #21
    4000156c:	53165d28 	ubfx	w8, w9, #22, #2
    40001570:	b360aabf 	bfxil	xzr, x21, #32, #11
    40001574:	331173ff 	bfxil	wzr, wzr, #17, #12
    40001578:	b35f9d3f 	bfxil	xzr, x9, #31, #9
    4000157c:	b37d77ff 	bfc	xzr, #3, #30
    40001580:	4a9f7fff 	eor	wzr, wzr, wzr, asr #31
    40001584:	eaa9ecba 	bics	x26, x5, x9, asr #59
    40001588:	0a6b669f 	bic	wzr, w20, w11, lsr #25
    4000158c:	aa247bfc 	mvn	x28, x4, lsl #30
    40001590:	8a3f7c15 	bic	x21, x0, xzr, lsl #31
    40001594:	aacf4bbb 	orr	x27, x29, x15, ror #18
    40001598:	8a3c07ec 	bic	x12, xzr, x28, lsl #1
    4000159c:	ca30d25f 	eon	xzr, x18, x16, lsl #52
    400015a0:	8a9f97df 	and	xzr, x30, xzr, asr #37
    400015a4:	aa421718 	orr	x24, x24, x2, lsr #5
    400015a8:	aad63b36 	orr	x22, x25, x22, ror #14
    400015ac:	ea226ffb 	bics	x27, xzr, x2, lsl #27
    400015b0:	ea326bbf 	bics	xzr, x29, x18, lsl #26
    400015b4:	ca326c9f 	eon	xzr, x4, x18, lsl #27
    400015b8:	0abf0a85 	bic	w5, w20, wzr, asr #2
    400015bc:	4a0d43e6 	eor	w6, wzr, w13, lsl #16
    400015c0:	aa9fe3df 	orr	xzr, x30, xzr, asr #56
    400015c4:	8a92dffb 	and	x27, xzr, x18, asr #55
    400015c8:	ea650684 	bics	x4, x20, x5, lsr #1
    400015cc:	ca366216 	eon	x22, x16, x22, lsl #24
    400015d0:	0a2230bf 	bic	wzr, w5, w2, lsl #12
    400015d4:	8a06be9a 	and	x26, x20, x6, lsl #47
    400015d8:	4b470455 	sub	w21, w2, w7, lsr #1
    400015dc:	ab4f07fd 	adds	x29, xzr, x15, lsr #1
    400015e0:	eb9f9ce4 	subs	x4, x7, xzr, asr #39
    400015e4:	2b1877f8 	adds	w24, wzr, w24, lsl #29
    400015e8:	cb5e0b3d 	sub	x29, x25, x30, lsr #2
    400015ec:	eb9fc77f 	cmp	x27, xzr, asr #49
    400015f0:	cb955488 	sub	x8, x4, x21, asr #21
    400015f4:	0b4c0078 	add	w24, w3, w12, lsr #0
    400015f8:	8b48ff3f 	add	xzr, x25, x8, lsr #63
    400015fc:	eb19a7ff 	cmp	xzr, x25, lsl #41
    40001600:	cb9f975f 	sub	xzr, x26, xzr, asr #37
    40001604:	0b105ffc 	add	w28, wzr, w16, lsl #23
    40001608:	8b82051f 	add	xzr, x8, x2, asr #1
    4000160c:	8b5a22ab 	add	x11, x21, x26, lsr #8
    40001610:	4b92543f 	sub	wzr, w1, w18, asr #21
    40001614:	8b2f60d7 	add	x23, x6, x15, uxtx
    40001618:	8b39afb8 	add	x24, x29, w25, sxth #3
    4000161c:	2b342438 	adds	w24, w1, w20, uxth #1
    40001620:	4b2ca5c2 	sub	w2, w14, w12, sxth #1
    40001624:	9a1f03ff 	adc	xzr, xzr, xzr
    40001628:	1a0d0057 	adc	w23, w2, w13
    4000162c:	3a1702cc 	adcs	w12, w22, w23
    40001630:	9a0f0234 	adc	x20, x17, x15
    40001634:	3a03033f 	adcs	wzr, w25, w3
    40001638:	9a0f03e8 	adc	x8, xzr, x15
    4000163c:	7a1f03b8 	sbcs	w24, w29, wzr
    40001640:	3a1d0214 	adcs	w20, w16, w29
    40001644:	5a1a035f 	sbc	wzr, w26, w26
    40001648:	3a15002a 	adcs	w10, w1, w21
    4000164c:	9a1703f1 	adc	x17, xzr, x23
    40001650:	3a0c03ff 	adcs	wzr, wzr, w12
    40001654:	7a1f031f 	sbcs	wzr, w24, wzr
    40001658:	1a0d03eb 	adc	w11, wzr, w13
    4000165c:	fa000138 	sbcs	x24, x9, x0
    40001660:	1a0103fc 	adc	w28, wzr, w1
    40001664:	da18017f 	sbc	xzr, x11, x24
    40001668:	9a170070 	adc	x16, x3, x23
    4000166c:	1a1f028b 	adc	w11, w20, wzr
    40001670:	9a1d00ee 	adc	x14, x7, x29
    40001674:	fa0a03ff 	ngcs	xzr, x10
    40001678:	7a0e02b9 	sbcs	w25, w21, w14
    4000167c:	da0002dc 	sbc	x28, x22, x0
    40001680:	5a19030e 	sbc	w14, w24, w25
    40001684:	da1f02df 	sbc	xzr, x22, xzr
    40001688:	7a1903f9 	ngcs	w25, w25
    4000168c:	1a1a0318 	adc	w24, w24, w26
    40001690:	7a00026f 	sbcs	w15, w19, w0
    40001694:	fa0803ff 	ngcs	xzr, x8
    40001698:	1a1c0260 	adc	w0, w19, w28
    4000169c:	fa4fe08b 	ccmp	x4, x15, #0xb, al
    400016a0:	3a5b3a69 	ccmn	w19, #0x1b, #0x9, cc	// cc = lo, ul, last
    400016a4:	da9f47ff 	cneg	xzr, xzr, pl	// pl = nfrst
    400016a8:	da99b136 	csinv	x22, x9, x25, lt	// lt = tstop
    400016ac:	1a8ca249 	csel	w9, w18, w12, ge	// ge = tcont
    400016b0:	5a9fb3f8 	csetm	w24, ge	// ge = tcont
    400016b4:	9a9f03f5 	csel	x21, xzr, xzr, eq	// eq = none
    400016b8:	da81a1eb 	csinv	x11, x15, x1, ge	// ge = tcont
    400016bc:	1a96b31f 	csel	wzr, w24, w22, lt	// lt = tstop
    400016c0:	5a9646af 	csneg	w15, w21, w22, mi	// mi = first
    400016c4:	da8483fd 	csinv	x29, xzr, x4, hi	// hi = pmore
    400016c8:	1a8be7fe 	csinc	w30, wzr, w11, al
    400016cc:	5a92d37f 	csinv	wzr, w27, w18, le
    400016d0:	9a9f1646 	csinc	x6, x18, xzr, ne	// ne = any
    400016d4:	5a956168 	csinv	w8, w11, w21, vs
    400016d8:	1a878445 	csinc	w5, w2, w7, hi	// hi = pmore
    400016dc:	9a9f83bf 	csel	xzr, x29, xzr, hi	// hi = pmore
    400016e0:	5a811104 	csinv	w4, w8, w1, ne	// ne = any
    400016e4:	9a88605b 	csel	x27, x2, x8, vs
    400016e8:	5a9cd05f 	csinv	wzr, w2, w28, le
    400016ec:	1a9c316c 	csel	w12, w11, w28, cc	// cc = lo, ul, last
    400016f0:	1ac3468d 	crc32h	w13, w20, w3
    400016f4:	9ad220ff 	lsl	xzr, x7, x18
    400016f8:	9ac50fe6 	sdiv	x6, xzr, x5
    400016fc:	9ad5205e 	lsl	x30, x2, x21
    40001700:	1acc511f 	crc32cb	wzr, w8, w12
    40001704:	1adf5387 	crc32cb	w7, w28, wzr
    40001708:	9ac50fff 	sdiv	xzr, xzr, x5
    4000170c:	1acc520f 	crc32cb	w15, w16, w12
    40001710:	9ad327ff 	lsr	xzr, xzr, x19
    40001714:	9ac94f22 	crc32x	w2, w25, x9
    40001718:	dac017ed 	cls	x13, xzr
    4000171c:	5ac017fb 	cls	w27, wzr
    40001720:	5ac017b2 	cls	w18, w29
    40001724:	1b17fba9 	msub	w9, w29, w23, w30
    40001728:	9b2603c5 	smaddl	x5, w30, w6, x0
    4000172c:	9b2d9be9 	smsubl	x9, wzr, w13, x6
`;

function norm(s: string): string {
  return s
    .replace(/<[^>]*>/g, '')
    .replace(/\/\/.*$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

test('disassembly matches objdump for every listed word', () => {
  let n = 0;
  for (const line of OBJDUMP.split('\n')) {
    const m = /^\s*([0-9a-f]+):\t([0-9a-f]{8}) \t(.*)$/.exec(line);
    if (!m) continue;
    const pc = parseInt(m[1], 16);
    const word = parseInt(m[2], 16);
    assert.equal(norm(disasm(word, pc)), norm(m[3]), `${m[2]} at ${m[1]}`);
    n++;
  }
  assert.ok(n > 300, `only ${n} words compared`);
});
