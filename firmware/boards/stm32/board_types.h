#ifndef STM32_BOARD_TYPES_H
#define STM32_BOARD_TYPES_H
// STM32 pin handles and memory sizes (see core/board/README.md).
#include <stdint.h>

// A digital pin: its GPIO port's registers and bit mask.
struct gpio_out { volatile uint32_t *port; uint32_t bit; };
struct gpio_in { volatile uint32_t *port; uint32_t bit; };
struct gpio_adc { uint8_t chan; };
struct gpio_pwm { volatile uint32_t *ccr; };
typedef uint32_t irqstatus_t;

#ifndef BOARD_RAM_BYTES
#error "BOARD_RAM_BYTES comes from the Makefile (the chip's RAM)"
#endif
// Objects and the move queue: what the RAM leaves after buffers and stack.
#if BOARD_RAM_BYTES <= 20480
#define BOARD_ARENA_BYTES 12288
#else
#define BOARD_ARENA_BYTES 32768
#endif
#define BOARD_MOVE_COUNT 1024
#define BOARD_RX_BUF_SIZE 512

#endif
