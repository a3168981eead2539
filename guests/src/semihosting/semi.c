/* semihosting: Arm semihosting calls (HLT #0xF000) as QEMU -semihosting
 * implements them. Ends with SYS_EXIT (ADP_Stopped_ApplicationExit). */
#include "check.h"

#ifndef EXIT_STATUS
#define EXIT_STATUS 0
#endif

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_WRITEC 0x03
#define SYS_WRITE0 0x04
#define SYS_WRITE 0x05
#define SYS_ISTTY 0x09
#define SYS_EXIT 0x18
#define ADP_Stopped_ApplicationExit 0x20026

static u64 semi(u64 op, u64 param)
{
	register u64 x0 asm("x0") = op;
	register u64 x1 asm("x1") = param;
	asm volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	return x0;
}

int main(void)
{
	puts("semihosting\n");
	/* make sure the UART text is out before semihosting output starts */
	static const char c = 'S';
	semi(SYS_WRITEC, (u64)&c);
	static const char nl = '\n';
	semi(SYS_WRITEC, (u64)&nl);
	semi(SYS_WRITE0, (u64)"semihosting WRITE0 line\n");

	static const char tt[] = ":tt";
	u64 blk[3] = { (u64)tt, 4 /* "w" */, 3 };
	u64 h = semi(SYS_OPEN, (u64)blk);
	CHECK("open-tt", (s64)h >= 0);
	/* (SYS_ISTTY is not checked: QEMU answers with isatty() of the host fd) */
	static const char msg[] = "semihosting WRITE to :tt\n";
	u64 wblk[3] = { h, (u64)msg, sizeof(msg) - 1 };
	CHECK_EQ("write-all", semi(SYS_WRITE, (u64)wblk), 0);
	u64 cblk[1] = { h };
	CHECK_EQ("close", semi(SYS_CLOSE, (u64)cblk), 0);

	printf("DONE pass=%d fail=%d\n", g_pass, g_fail);
	u64 eblk[2] = { ADP_Stopped_ApplicationExit, EXIT_STATUS };
	semi(SYS_EXIT, (u64)eblk);
	puts("FAIL sys-exit-returned\n");
	return 0;
}
