#ifndef BOARD_GPIO_H
#define BOARD_GPIO_H
// Digital pins. Pin numbers are the values of the dictionary's "pin" enumeration.
// An unusable pin number makes the board shut down with a named reason.
#include <stdint.h>
#include "board_types.h"

struct gpio_out gpio_out_setup(uint32_t pin, uint32_t value);
void gpio_out_reset(struct gpio_out g, uint32_t value);
#ifndef BOARD_GPIO_INLINE  // a board may define these inline in board_types.h (hot step path)
void gpio_out_toggle_noirq(struct gpio_out g);
void gpio_out_toggle(struct gpio_out g);
#endif
void gpio_out_write(struct gpio_out g, uint32_t value);
struct gpio_in gpio_in_setup(uint32_t pin, int32_t pull_up);
void gpio_in_reset(struct gpio_in g, int32_t pull_up);
uint8_t gpio_in_read(struct gpio_in g);

#endif
