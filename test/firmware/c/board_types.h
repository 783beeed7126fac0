#ifndef TEST_BOARD_TYPES_H
#define TEST_BOARD_TYPES_H
// The scripted test board (C unit tests and the fuzz harness).
#include <stdint.h>

struct gpio_out { uint8_t pin; };
struct gpio_in { uint8_t pin; };
struct gpio_adc { uint8_t pin; };
struct gpio_pwm { uint8_t pin; };
typedef int irqstatus_t;

#define BOARD_ARENA_BYTES (16 * 1024)
#define BOARD_MOVE_COUNT 64

#endif
