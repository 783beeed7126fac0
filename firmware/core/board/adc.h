#ifndef BOARD_ADC_H
#define BOARD_ADC_H
#include <stdint.h>
#include "board_types.h"

struct gpio_adc gpio_adc_setup(uint32_t pin);
// Start or poll a conversion: 0 = result ready, otherwise ticks to wait before polling again.
uint32_t gpio_adc_sample(struct gpio_adc g);
// The finished conversion, 0..ADC_MAX.
uint16_t gpio_adc_read(struct gpio_adc g);
void gpio_adc_cancel_sample(struct gpio_adc g);

#endif
