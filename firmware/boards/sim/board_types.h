#ifndef SIM_BOARD_TYPES_H
#define SIM_BOARD_TYPES_H
// The sim board's pin handles and memory sizes (see core/board/README.md).
#include <stdint.h>

struct gpio_out { uint8_t pin; };
struct gpio_in { uint8_t pin; };
struct gpio_adc { uint8_t pin; };
struct gpio_pwm { uint8_t pin; };
typedef int irqstatus_t;

#define BOARD_ARENA_BYTES (256 * 1024)
#define BOARD_MOVE_COUNT 1024

#endif
