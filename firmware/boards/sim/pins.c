// The sim's pins: the "pin" enumeration (AVR, STM32 and RP2040 names), and the gpio, adc and
// pwm board functions. Every output change goes to the machine model and the trace.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"
#include "board/gpio.h"
#include "board/adc.h"
#include "board/pwm.h"
#include "command.h"
#include "sched.h"

DECL_CONSTANT("ADC_MAX", 4095);
DECL_CONSTANT("PWM_MAX", 32768);

struct pin_range { const char *first; int start, count; };
// Ports A..L with 16 pins each cover both AVR (PA0-PL7) and STM32 (PA0-PK15) names; RP2040 gpio
// names follow. Numbers stay below 256 because step_pin and endstop pin are %c parameters.
#undef DECL_ENUMERATION_RANGE
#define DECL_ENUMERATION_RANGE(enumname, name, start, count) { name, start, count },
static const struct pin_range pin_ranges[] = {
    DECL_ENUMERATION_RANGE("pin", "PA0", 0, 16)
    DECL_ENUMERATION_RANGE("pin", "PB0", 16, 16)
    DECL_ENUMERATION_RANGE("pin", "PC0", 32, 16)
    DECL_ENUMERATION_RANGE("pin", "PD0", 48, 16)
    DECL_ENUMERATION_RANGE("pin", "PE0", 64, 16)
    DECL_ENUMERATION_RANGE("pin", "PF0", 80, 16)
    DECL_ENUMERATION_RANGE("pin", "PG0", 96, 16)
    DECL_ENUMERATION_RANGE("pin", "PH0", 112, 16)
    DECL_ENUMERATION_RANGE("pin", "PI0", 128, 16)
    DECL_ENUMERATION_RANGE("pin", "PJ0", 144, 16)
    DECL_ENUMERATION_RANGE("pin", "PK0", 160, 16)
    DECL_ENUMERATION_RANGE("pin", "PL0", 176, 16)
    DECL_ENUMERATION_RANGE("pin", "gpio0", 192, 30)
    // Aliases so SAM/SAMD (PA0-PD31) and LPC176x (P0.0-P4.31) configs also run: they reuse
    // numbers of ports no board of that family has (one printer.cfg never mixes families).
    DECL_ENUMERATION_RANGE("pin", "PA16", 128, 16)
    DECL_ENUMERATION_RANGE("pin", "PB16", 144, 16)
    DECL_ENUMERATION_RANGE("pin", "PC16", 160, 16)
    DECL_ENUMERATION_RANGE("pin", "PD16", 176, 16)
    DECL_ENUMERATION_RANGE("pin", "P0.0", 0, 32)
    DECL_ENUMERATION_RANGE("pin", "P1.0", 32, 32)
    DECL_ENUMERATION_RANGE("pin", "P2.0", 64, 32)
    DECL_ENUMERATION_RANGE("pin", "P3.0", 96, 32)
    DECL_ENUMERATION_RANGE("pin", "P4.0", 128, 32)
};
#undef DECL_ENUMERATION
#define DECL_ENUMERATION(enumname, name, value) { name, value, 1 },
static const struct pin_range pin_singles[] = {
    DECL_ENUMERATION("pin", "ADC_TEMPERATURE", 254)
};
#define PIN_LIMIT 222  // first number past the ranges

// Split "PA12" / "gpio7" into prefix and number.
static int split_name(const char *name, char *prefix, int plen, int *num)
{
    int n = (int)strlen(name), i = n;
    while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
        i--;
    if (i == n || i == 0 || i >= plen || n - i > 3)
        return -1;
    memcpy(prefix, name, i);
    prefix[i] = 0;
    sscanf(name + i, "%d", num);
    return 0;
}

int sim_pin_lookup(const char *name)
{
    for (unsigned i = 0; i < sizeof(pin_singles) / sizeof(pin_singles[0]); i++)
        if (strcmp(pin_singles[i].first, name) == 0)
            return pin_singles[i].start;
    char prefix[16], rprefix[16];
    int num, rnum;
    if (split_name(name, prefix, sizeof(prefix), &num))
        return -1;
    for (unsigned i = 0; i < sizeof(pin_ranges) / sizeof(pin_ranges[0]); i++) {
        split_name(pin_ranges[i].first, rprefix, sizeof(rprefix), &rnum);
        if (strcmp(prefix, rprefix) == 0 && num >= rnum && num < rnum + pin_ranges[i].count)
            return pin_ranges[i].start + num - rnum;
    }
    return -1;
}

// Names the machine file used, so the trace speaks the printer's own pin names (aliases).
static char *pin_label[SIM_PIN_COUNT];

void sim_pin_set_label(int pin, const char *name)
{
    if (pin >= 0 && pin < SIM_PIN_COUNT && !pin_label[pin])
        pin_label[pin] = strdup(name);
}

const char *sim_pin_name(int pin, char *buf, int buflen)
{
    if (pin >= 0 && pin < SIM_PIN_COUNT && pin_label[pin])
        return pin_label[pin];
    for (unsigned i = 0; i < sizeof(pin_singles) / sizeof(pin_singles[0]); i++)
        if (pin == pin_singles[i].start)
            return pin_singles[i].first;
    for (unsigned i = 0; i < sizeof(pin_ranges) / sizeof(pin_ranges[0]); i++) {
        const struct pin_range *r = &pin_ranges[i];
        if (pin >= r->start && pin < r->start + r->count) {
            char prefix[16];
            int rnum;
            split_name(r->first, prefix, sizeof(prefix), &rnum);
            snprintf(buf, buflen, "%s%d", prefix, rnum + pin - r->start);
            return buf;
        }
    }
    snprintf(buf, buflen, "pin%d", pin);
    return buf;
}

static uint8_t pin_level[SIM_PIN_COUNT];
static uint8_t pin_is_step[SIM_PIN_COUNT];

static uint8_t check_pin(uint32_t pin)
{
    if (pin >= PIN_LIMIT && pin != 254)
        shutdown("Invalid pin number");
    return (uint8_t)pin;
}

void pins_reset(void)
{
    memset(pin_level, 0, sizeof(pin_level));
    memset(pin_is_step, 0, sizeof(pin_is_step));
}

void pins_mark_step(int pin)
{
    if (pin >= 0 && pin < SIM_PIN_COUNT)
        pin_is_step[pin] = 1;
}

static void trace_pin(uint8_t pin, uint32_t clock, int level)
{
    if (!trace_file || pin_is_step[pin] || tmc_pin_is_quiet(pin) || lcd_pin_is_quiet(pin)
        || accel_pin_is_bus(pin))
        return;  // step edges are summarised per move, driver bus lines as `tmc` events (an
                 // accelerometer's SPI lines are not traced: thousands of edges a second)
    char name[16];
    fprintf(trace_file, "{\"ev\":\"pin\",\"pin\":\"%s\",\"clock\":%u,\"value\":%d}\n",
            sim_pin_name(pin, name, sizeof(name)), clock, level);
}

static void set_level(uint8_t pin, int level)
{
    if (pin_level[pin] == level)
        return;
    pin_level[pin] = (uint8_t)level;
    uint32_t clock = sched_now();
    machine_output_changed(pin, clock, level, level, 0);
    trace_pin(pin, clock, level);
}

struct gpio_out gpio_out_setup(uint32_t pin, uint32_t value)
{
    struct gpio_out g = { check_pin(pin) };
    set_level(g.pin, !!value);
    return g;
}

void gpio_out_reset(struct gpio_out g, uint32_t value)
{
    set_level(g.pin, !!value);
}

void gpio_out_toggle_noirq(struct gpio_out g)
{
    set_level(g.pin, !pin_level[g.pin]);
}

void gpio_out_toggle(struct gpio_out g)
{
    gpio_out_toggle_noirq(g);
}

void gpio_out_write(struct gpio_out g, uint32_t value)
{
    set_level(g.pin, !!value);
}

struct gpio_in gpio_in_setup(uint32_t pin, int32_t pull_up)
{
    struct gpio_in g = { check_pin(pin) };
    gpio_in_reset(g, pull_up);
    return g;
}

void gpio_in_reset(struct gpio_in g, int32_t pull_up)
{
    pin_level[g.pin] = pull_up > 0;  // an unconnected input reads its pull
    i2c_dev_line_released(g.pin, sched_now());  // an open-drain line let go (software I2C)
}

uint8_t gpio_in_read(struct gpio_in g)
{
    int level;
    if (machine_input_read(g.pin, sched_now(), &level))
        return (uint8_t)level;
    return pin_level[g.pin];
}

struct gpio_adc gpio_adc_setup(uint32_t pin)
{
    struct gpio_adc g = { check_pin(pin) };
    return g;
}

uint32_t gpio_adc_sample(struct gpio_adc g)
{
    (void)g;
    return 0;  // conversions are instant on the sim
}

uint16_t gpio_adc_read(struct gpio_adc g)
{
    uint16_t v;
    if (machine_adc_read(g.pin, sched_now(), &v))
        return v;
    // Nothing wired: read like a 100k NTC (beta 3950) at 25 C with a 4.7k pullup, so a
    // printer.cfg runs without a machine file and without "ADC out of range".
    return (uint16_t)(SIM_ADC_MAX * 100000.0 / (100000.0 + 4700.0));
}

void gpio_adc_cancel_sample(struct gpio_adc g)
{
    (void)g;
}

struct gpio_pwm gpio_pwm_setup(uint32_t pin, uint32_t cycle_ticks, uint32_t value)
{
    (void)cycle_ticks;
    struct gpio_pwm g = { check_pin(pin) };
    gpio_pwm_write(g, value);
    return g;
}

void gpio_pwm_write(struct gpio_pwm g, uint32_t value)
{
    uint32_t clock = sched_now();
    double duty = value >= SIM_PWM_MAX ? 1.0 : (double)value / SIM_PWM_MAX;
    machine_output_changed(g.pin, clock, value > 0, duty, 1);
    if (trace_file) {
        char name[16];
        fprintf(trace_file, "{\"ev\":\"pwm\",\"pin\":\"%s\",\"clock\":%u,\"value\":%u,\"duty\":%.5f}\n",
                sim_pin_name(g.pin, name, sizeof(name)), clock, value, duty);
    }
}
