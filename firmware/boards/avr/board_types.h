#ifndef AVR_BOARD_TYPES_H
#define AVR_BOARD_TYPES_H
// AVR pin handles and memory sizes (see core/board/README.md).
#include <stdint.h>
#include <avr/io.h>

// A digital pin: its PINx register (DDRx = regs[1], PORTx = regs[2]) and bit mask.
struct gpio_out { volatile uint8_t *regs; uint8_t bit; };
struct gpio_in { volatile uint8_t *regs; uint8_t bit; };
struct gpio_adc { uint8_t chan; };
// The compare register of a hardware PWM output; 16-bit timers run in 8-bit fast PWM mode.
struct gpio_pwm { volatile void *ocr; uint8_t is16; };
typedef uint8_t irqstatus_t;

// Static memory for configured objects and the move queue, per chip (what the RAM leaves after
// buffers and stack).
#if RAMEND >= 0x40ff          // atmega1284p: 16 KiB
#define BOARD_ARENA_BYTES 12288
#elif RAMEND >= 0x21ff        // atmega2560: 8 KiB
#define BOARD_ARENA_BYTES 5632
#elif RAMEND >= 0x10ff        // atmega644p: 4 KiB
#define BOARD_ARENA_BYTES 2304
#else                         // atmega328p: 2 KiB
#define BOARD_ARENA_BYTES 640
#endif
#define BOARD_MOVE_COUNT 1024
#define BOARD_RX_BUF_SIZE 256  // RECEIVE_WINDOW (192) plus one block
// The step path is the hot loop: skip the lateness statistics (64-bit sums) on this 8-bit chip.
#define BOARD_NO_LATENESS_STATS 1

// Digital writes are single register stores: inline them into the core's step path.
#define BOARD_GPIO_INLINE 1
static inline void gpio_out_toggle_noirq(struct gpio_out g) { *g.regs = g.bit; }  // PINx write toggles
static inline void gpio_out_toggle(struct gpio_out g) { *g.regs = g.bit; }
void gpio_out_write(struct gpio_out g, uint32_t value);

#endif
