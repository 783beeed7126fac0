// WS2812 ("neopixel") output on STM32: each bit is timed on the MCU clock (the cycle counter,
// CLOCK_HZ). Interrupts are off only while the pin is high (at most ~0.8 us), so the short/long
// pulse that encodes the bit is exact; an interrupt in the low part only stretches the bit,
// which the chain tolerates up to a few microseconds. If a rising edge comes later than
// max_gap_ticks after the previous one the chain may have latched a partial frame: the send
// reports failure and the host sends again.
#include "board/gpio.h"
#include "board/irq.h"
#include "board/neopixel.h"
#include "board/timer.h"
#include "sched.h"

#define NS_TO_TICKS(ns) ((uint32_t)((uint64_t)CLOCK_HZ * (ns) / 1000000000ULL))
#define T0H NS_TO_TICKS(350)
#define T1H NS_TO_TICKS(800)
#define TBIT NS_TO_TICKS(1250)

uint8_t neopixel_board_send(struct gpio_out pin, const uint8_t *data, uint16_t len,
                            uint32_t max_gap_ticks)
{
    uint32_t last_rise = timer_read_time() - TBIT;
    for (uint16_t i = 0; i < len; i++) {
        uint8_t byte = data[i];
        for (uint8_t bit = 0; bit < 8; bit++, byte <<= 1) {
            while (timer_read_time() - last_rise < TBIT)
                ;
            irq_disable();
            uint32_t now = timer_read_time();
            if ((i || bit) && now - last_rise > max_gap_ticks) {
                irq_enable();
                return 0;
            }
            gpio_out_write(pin, 1);
            last_rise = now;
            uint32_t high = (byte & 0x80) ? T1H : T0H;
            while (timer_read_time() - now < high)
                ;
            gpio_out_write(pin, 0);
            irq_enable();
        }
    }
    return 1;
}
