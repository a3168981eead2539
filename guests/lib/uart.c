/* PL011 UART output and a small printf. */
#include "lib.h"

#ifndef UART_BASE
#define UART_BASE 0x09000000ul /* QEMU virt; r82 builds pass -DUART_BASE */
#endif
#define UART_DR 0x00
#define UART_FR 0x18
#define FR_TXFF (1u << 5)

int print_lock_enabled;
static spinlock_t print_lock;

#ifdef CONSOLE_IO
/* A hardware domain (dom0) has no UART of its own: Xen keeps the one it uses. Each character
 * goes out through Xen's console_io hypercall (HVC #0xEA1, x16 = 18, CONSOLEIO_write = 0). */
void uart_putc(char c)
{
	register u64 x0 asm("x0") = 0;
	register u64 x1 asm("x1") = 1;
	register u64 x2 asm("x2") = (u64)&c;
	register u64 x16 asm("x16") = 18;
	asm volatile("hvc #0xEA1" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x16)::"memory");
}
#else
void uart_putc(char c)
{
	volatile u32 *fr = (volatile u32 *)(UART_BASE + UART_FR);
	volatile u32 *dr = (volatile u32 *)(UART_BASE + UART_DR);
	while (*fr & FR_TXFF)
		;
	*dr = (u32)(u8)c;
}
#endif

static void uart_puts_raw(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

void puts(const char *s)
{
	if (print_lock_enabled)
		spin_lock(&print_lock);
	uart_puts_raw(s);
	if (print_lock_enabled)
		spin_unlock(&print_lock);
}

/* ---- formatting ---- */
struct out {
	char *buf;
	size_t n, pos;
};

static void out_c(struct out *o, char c)
{
	if (o->buf) {
		if (o->pos + 1 < o->n)
			o->buf[o->pos] = c;
	} else {
		uart_putc(c);
	}
	o->pos++;
}

static void out_num(struct out *o, u64 v, int base, int neg, int width, char pad, int upper)
{
	char tmp[24];
	int i = 0;
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	do {
		tmp[i++] = digits[v % (unsigned)base];
		v /= (unsigned)base;
	} while (v);
	int len = i + (neg ? 1 : 0);
	if (neg && pad == '0')
		out_c(o, '-');
	for (; len < width; len++)
		out_c(o, pad);
	if (neg && pad != '0')
		out_c(o, '-');
	while (i)
		out_c(o, tmp[--i]);
}

static int do_format(struct out *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			out_c(o, *fmt);
			continue;
		}
		fmt++;
		char pad = ' ';
		int width = 0, lng = 0, left = 0;
		if (*fmt == '-') {
			left = 1;
			fmt++;
		}
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		if (*fmt == 'z') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			s64 v = lng ? va_arg(ap, s64) : va_arg(ap, int);
			u64 mag = v < 0 ? (u64)0 - (u64)v : (u64)v;
			out_num(o, mag, 10, v < 0, width, pad, 0);
			break;
		}
		case 'u': {
			u64 v = lng ? va_arg(ap, u64) : va_arg(ap, unsigned);
			out_num(o, v, 10, 0, width, pad, 0);
			break;
		}
		case 'x':
		case 'X': {
			u64 v = lng ? va_arg(ap, u64) : va_arg(ap, unsigned);
			out_num(o, v, 16, 0, width, pad, *fmt == 'X');
			break;
		}
		case 'p': {
			u64 v = (u64)va_arg(ap, void *);
			out_c(o, '0');
			out_c(o, 'x');
			out_num(o, v, 16, 0, width, pad, 0);
			break;
		}
		case 'c': {
			int c = va_arg(ap, int);
			out_c(o, (char)c);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int len = (int)strlen(s);
			if (!left)
				for (; len < width; len++)
					out_c(o, ' ');
			while (*s)
				out_c(o, *s++);
			if (left)
				for (; len < width; len++)
					out_c(o, ' ');
			break;
		}
		case '%':
			out_c(o, '%');
			break;
		case 0:
			return (int)o->pos;
		default:
			out_c(o, '%');
			out_c(o, *fmt);
			break;
		}
	}
	return (int)o->pos;
}

int vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct out o = { buf, n, 0 };
	int r = do_format(&o, fmt, ap);
	if (buf && n)
		buf[o.pos < n ? o.pos : n - 1] = 0;
	return r;
}

int snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

int printf(const char *fmt, ...)
{
	struct out o = { NULL, 0, 0 };
	va_list ap;
	va_start(ap, fmt);
	if (print_lock_enabled)
		spin_lock(&print_lock);
	int r = do_format(&o, fmt, ap);
	if (print_lock_enabled)
		spin_unlock(&print_lock);
	va_end(ap);
	return r;
}

/* ---- spinlock on exclusives ---- */
void spin_lock(spinlock_t *l)
{
	u32 tmp, one = 1;
	asm volatile("1:	ldaxr	%w0, [%1]\n"
		     "	cbnz	%w0, 1b\n"
		     "	stxr	%w0, %w2, [%1]\n"
		     "	cbnz	%w0, 1b\n"
		     : "=&r"(tmp)
		     : "r"(&l->v), "r"(one)
		     : "memory");
}

void spin_unlock(spinlock_t *l)
{
	asm volatile("stlr wzr, [%0]" ::"r"(&l->v) : "memory");
}
