#ifndef BOARD_PWM_H
#define BOARD_PWM_H
#include <stdint.h>
#include "board_types.h"

// Hardware PWM; value is on the PWM_MAX scale.
struct gpio_pwm gpio_pwm_setup(uint32_t pin, uint32_t cycle_ticks, uint32_t value);
void gpio_pwm_write(struct gpio_pwm g, uint32_t value);

#endif
