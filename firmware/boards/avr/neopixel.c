// WS2812 ("neopixel") output on AVR: each bit is cycle-counted in assembly (a bit is only 20
// cycles at 16 MHz), toggling the pin through its PINx register so other pins of the port are
// never touched. Interrupts are off for one byte at a time (10 us at 16 MHz); between bytes they
// run, and if one ran so long that the line stayed low past max_gap_ticks the chain may have
// latched a partial frame: the send reports failure and the host sends again.
#include <avr/io.h>
#include "board/irq.h"
#include "board/neopixel.h"

// Cycle counts from the WS2812 timing: a 0 is high ~0.32 us, a 1 ~0.75 us, a bit ~1.25 us.
#define CYCLES(ns) ((uint8_t)((F_CPU / 1000000UL * (ns) + 500) / 1000))
#define T0H CYCLES(320)
#define T1H CYCLES(750)
#define TBIT CYCLES(1250)
// Padding of the three stretches of the loop below (see its cycle counts).
#define PAD_A (T0H - 3)
#define PAD_B (T1H - PAD_A - 5)
#define PAD_C (TBIT - PAD_A - PAD_B - 11)
_Static_assert(T0H >= 3 && T1H >= PAD_A + 5 && TBIT >= PAD_A + PAD_B + 11, "F_CPU too slow for WS2812");

// One byte, MSB first, interrupts off. Cycle counts from the store that raises the pin (t=0):
//   0-bit: PAD_A, sbrs (1), st (2) -> low at PAD_A + 3 = T0H
//   1-bit: PAD_A, sbrs skipping (2), PAD_B, sbrc (1), st (2) -> low at PAD_A + PAD_B + 5 = T1H
// both paths then reach lsl at T1H; lsl, PAD_C, dec, brne (2), st (2) -> next rise at TBIT.
static inline void send_byte(volatile uint8_t *pin_reg, uint8_t mask, uint8_t byte)
{
    uint8_t bits = 8;
    asm volatile(
        "1:\n\t"
        "st %a[reg], %[mask]\n\t"  // toggle: high
        ".rept %[pa]\n\tnop\n\t.endr\n\t"
        "sbrs %[byte], 7\n\t"
        "st %a[reg], %[mask]\n\t"  // a 0: low early
        ".rept %[pb]\n\tnop\n\t.endr\n\t"
        "sbrc %[byte], 7\n\t"
        "st %a[reg], %[mask]\n\t"  // a 1: low late
        "lsl %[byte]\n\t"
        ".rept %[pc]\n\tnop\n\t.endr\n\t"
        "dec %[bits]\n\t"
        "brne 1b\n\t"
        : [byte] "+r"(byte), [bits] "+r"(bits)
        : [reg] "e"(pin_reg), [mask] "r"(mask), [pa] "n"(PAD_A), [pb] "n"(PAD_B), [pc] "n"(PAD_C)
        : "memory");
}

uint8_t neopixel_board_send(struct gpio_out pin, const uint8_t *data, uint16_t len,
                            uint32_t max_gap_ticks)
{
    // Timer1 counts CPU cycles (main.c): 16 bits cover any gap that matters here.
    uint16_t max_gap = max_gap_ticks > 0xffff ? 0xffff : (uint16_t)max_gap_ticks;
    uint16_t last = 0;
    for (uint16_t i = 0; i < len; i++) {
        irq_disable();
        uint16_t now = TCNT1;
        if (i && (uint16_t)(now - last) > max_gap) {
            irq_enable();
            return 0;
        }
        send_byte(pin.regs, pin.bit, data[i]);
        last = TCNT1;
        irq_enable();
    }
    return 1;
}
