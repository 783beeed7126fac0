/*
 * Test application flashed by the flashing tests. It proves the simulated chip runs exactly the
 * image that was written: it prints its tag and the CRC-16 (CCITT, init 0xFFFF) of its own image,
 * from address 0 to the end of its initialised data in flash, which the test computes from the
 * image file it flashed. A block of filler makes the image span several flash pages; with
 * APP_BIG (atmega2560) the image passes 64 KiB and the length is printed with 8 hex digits.
 */
#include <avr/io.h>
#include <avr/pgmspace.h>
#include <stdint.h>

#ifndef APP_TAG
#define APP_TAG "A"
#endif

#define B(x) (uint8_t)((x) * 37u + 11u)
#define B4(x) B(x), B(x + 1), B(x + 2), B(x + 3)
#define B16(x) B4(x), B4(x + 4), B4(x + 8), B4(x + 12)
#define B64(x) B16(x), B16(x + 16), B16(x + 32), B16(x + 48)
#define B256(x) B64(x), B64(x + 64), B64(x + 128), B64(x + 192)
static const uint8_t filler[] PROGMEM __attribute__((used)) = {
    B256(0), B256(1), B256(2), B256(3), B256(4), B256(5), B256(6), B256(7)};

extern char __data_load_end[];

#ifdef APP_BIG
/* 66 KiB more of filler from a 31-bit LCG (no 256-byte or 64 KiB period, so a write or read that
 * wraps at 64 KiB cannot match by chance): the image crosses 64 KiB, and flashing it needs the
 * bootloader's extended addressing (RAMPZ on the chip, LOAD_ADDRESS above 64 K words). */
__asm__(".section .progmem.big_filler,\"a\",@progbits\n"
        ".set lcg, 12345\n"
        ".rept 67584\n"
        ".set lcg, (lcg * 1103515245 + 12345) & 0x7fffffff\n"
        ".byte (lcg >> 16) & 0xff\n"
        ".endr\n"
        ".text\n");
typedef uint32_t flash_addr;
#define READ_FLASH(a) pgm_read_byte_far(a)
#define IMAGE_END() pgm_get_far_address(__data_load_end)
#else
typedef uint16_t flash_addr;
#define READ_FLASH(a) pgm_read_byte((const uint8_t *)(uintptr_t)(a))
#define IMAGE_END() ((uint16_t)(uintptr_t)__data_load_end)
#endif

static void put(char c) {
  while (!(UCSR0A & _BV(UDRE0))) {
  }
  UDR0 = c;
}
static void puts_(const char *s) {
  while (*s) put(*s++);
}
static void hex4(uint16_t v) {
  static const char digits[] = "0123456789abcdef";
  for (int8_t s = 12; s >= 0; s -= 4) put(digits[(v >> s) & 0xf]);
}

int main(void) {
  UCSR0A = _BV(U2X0); /* 115200 at 16 MHz, as the bootloaders use */
  UBRR0L = 16;
  UCSR0B = _BV(TXEN0);
  uint16_t crc = 0xffff;
  flash_addr end = IMAGE_END();
  volatile uint8_t sink = pgm_read_byte(&filler[0]);
  (void)sink;
  for (flash_addr a = 0; a < end; a++) {
    crc ^= (uint16_t)READ_FLASH(a) << 8;
    for (uint8_t i = 0; i < 8; i++) crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
  }
  for (;;) {
    puts_("TETHER-APP " APP_TAG " len=");
#ifdef APP_BIG
    hex4((uint16_t)(end >> 16)); /* 8 hex digits */
#endif
    hex4((uint16_t)end);
    puts_(" crc=");
    hex4(crc);
    puts_("\r\n");
    for (volatile uint32_t d = 0; d < 40000; d++) {
    }
  }
}
