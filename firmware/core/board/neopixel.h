#ifndef BOARD_NEOPIXEL_H
#define BOARD_NEOPIXEL_H
// Shifting bytes out to a WS2812 ("neopixel") chain on one data pin: 800 kHz one-wire code,
// MSB first, each bit a high pulse (short = 0, long = 1) then low. The chain latches once the
// line stays low for about 50 us, so a bit whose rising edge comes too late ends the frame
// early: the board reports that and the host sends the same data again.
#include <stdint.h>
#include "board_types.h"

// Send len bytes on pin. Returns 1 when every rising edge followed the previous one within
// max_gap_ticks (the host's bit_max_ticks), 0 when the timing broke (an interrupt ran too long).
// The core holds a default that always fails (boards without an implementation, the test
// board); the sim, AVR and STM32 boards define their own (boards/*/neopixel.c, sim led.c).
uint8_t neopixel_board_send(struct gpio_out pin, const uint8_t *data, uint16_t len,
                            uint32_t max_gap_ticks);

#endif
