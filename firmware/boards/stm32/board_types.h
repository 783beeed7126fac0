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
// The SPI peripherals (spi.c): the bus's registers and its CR1 for one device.
#define BOARD_HAS_SPI 1
struct spi_config { volatile uint32_t *spi; uint32_t cr1; };
// The I2C peripherals (i2c.c): the bus's registers and the device's address.
#define BOARD_HAS_I2C 1
struct i2c_config { volatile uint32_t *i2c; uint8_t addr; };
#define BOARD_RX_BUF_SIZE 512
// Every step pulse is timed on the clock (core/stepper.c SF_LONG_PULSE): from the clock read
// just after the step edge, the unstep waits until step_pulse_ticks have passed. At 72-180 MHz
// the step's own arithmetic is shorter than typical pulses (Klipper's 100 ns default is 7-18
// ticks), so no width is assumed to be covered by it.
#define BOARD_STEP_PULSE_INLINE_TICKS 0
// Pulses of 1 us and more (external drivers want 2-5 us) are ended by the stepper's own timer
// (core/stepper.c stepper_event_split), so other steppers step during them instead of the
// interrupt spinning.
#define BOARD_STEP_UNSTEP_TICKS (CLOCK_HZ / 1000000)

#endif
