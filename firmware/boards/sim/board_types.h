#ifndef SIM_BOARD_TYPES_H
#define SIM_BOARD_TYPES_H
// The sim board's pin handles and memory sizes (see core/board/README.md).
#include <stdint.h>

struct gpio_out { uint8_t pin; };
struct gpio_in { uint8_t pin; };
struct gpio_adc { uint8_t pin; };
struct gpio_pwm { uint8_t pin; };
typedef int irqstatus_t;

// Simulated hardware SPI buses (spi.c): bit-banged on each bus's fixed pins, so the TMC models
// see the same edges as with software SPI.
#define BOARD_HAS_SPI
struct spi_config { uint8_t bus, mode; uint32_t half_period_ticks; };

// Simulated hardware I2C buses (i2c.c): transfers go to the device models at byte level.
#define BOARD_HAS_I2C
struct i2c_config { uint8_t bus, addr; };

#define BOARD_ARENA_BYTES (256 * 1024)
#define BOARD_MOVE_COUNT 1024

#endif
