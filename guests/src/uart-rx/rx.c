/* uart-rx: the PL011 receive interrupt delivered as SPI 33 (INTID 33, level,
 * routed to CPU 0). Run with "hello, gic\n" on the UART's input: the guest
 * sleeps in WFI, its handler drains the RX FIFO on each RX (or RX timeout)
 * interrupt, and the line is printed once complete. What arrives when does
 * not matter; only the bytes and the route are checked. */
#include "check.h"
#include "gic.h"

#define UART 0x09000000ul
#define UART_DR 0x000
#define UART_FR 0x018
#define UART_IMSC 0x038
#define UART_MIS 0x040
#define UART_ICR 0x044
#define FR_RXFE (1u << 4)
#define INT_RX (1u << 4)
#define INT_RT (1u << 6)

static char line[64];
static volatile u32 len, done, irqs, wrong_intid, saw_rx_cause;

static int handler(u32 id, int group)
{
	if (id != 33) {
		wrong_intid = id;
		return 0;
	}
	irqs++;
	if (mmio_r32(UART + UART_MIS) & (INT_RX | INT_RT))
		saw_rx_cause = 1;
	while (!(mmio_r32(UART + UART_FR) & FR_RXFE)) {
		char c = (char)(mmio_r32(UART + UART_DR) & 0xff);
		if (len < sizeof line - 1)
			line[len++] = c;
		if (c == '\n')
			done = 1;
	}
	mmio_w32(UART + UART_ICR, INT_RX | INT_RT);
	return 0;
}

int main(void)
{
	puts("uart-rx\n");
	gic_install_handler();
	gic_handler = handler;
	gic_init_dist();
	gic_init_cpu();
	gic_config(0, 33, 0x80, 1, 0);
	gic_enable(0, 33);
	mmio_w32(UART + UART_ICR, 0x7ff);
	mmio_w32(UART + UART_IMSC, INT_RX | INT_RT);
	irq_enable();
	for (u64 i = 0; i < 100000000ul && !done; i++)
		wfi();
	irq_disable();
	mmio_w32(UART + UART_IMSC, 0);
	line[len] = 0;
	printf("received: %s", line);
	CHECK("rx-line-complete", done);
	CHECK_EQ("rx-line", strcmp(line, "hello, gic\n"), 0);
	CHECK("rx-irq-taken", irqs >= 1);
	CHECK("rx-irq-cause-rx", saw_rx_cause);
	CHECK_EQ("rx-only-spi33", wrong_intid, 0);
	CHECK_EQ("spi33-idle-after", gic_is_pending(0, 33), 0);
	return 0;
}
