// The scripted test board: implements the board interface over plain variables.
#include <string.h>
#include "test_board.h"
#include "command.h"
#include "sched.h"
#include "board/gpio.h"
#include "board/adc.h"
#include "board/pwm.h"
#include "board/timer.h"
#include "board/irq.h"
#include "board/serial.h"
#include "board/misc.h"

DECL_CONSTANT("CLOCK_FREQ", 1000000);
DECL_CONSTANT_STR("MCU", "tether-test");
DECL_CONSTANT("ADC_MAX", 4095);
DECL_CONSTANT("PWM_MAX", 255);
DECL_ENUMERATION_RANGE("pin", "PA0", 0, 16);

uint32_t test_clock;
uint32_t test_late_limit = 1000;
uint8_t test_pin_level[256];
uint16_t test_adc_value[256];
uint32_t test_pwm_value[256];
struct test_edge test_edges[TEST_MAX_EDGES];
int test_edge_count;
uint8_t test_sent[TEST_MAX_SENT][64];
uint8_t test_sent_len[TEST_MAX_SENT];
int test_sent_count;

// Set while test_advance_to runs the timers, which expect the clock they were woken at.
static int advancing;

void test_board_reset(void)
{
    test_clock = 0;
    advancing = 0;  // a shutdown may have jumped out of test_advance_to
    test_late_limit = 1000;
    memset(test_pin_level, 0, sizeof(test_pin_level));
    memset(test_adc_value, 0, sizeof(test_adc_value));
    memset(test_pwm_value, 0, sizeof(test_pwm_value));
    test_edge_count = 0;
    test_sent_count = 0;
    sched_reinit();
}

#ifdef FUZZING
// A command handler that busy-waits on the clock (software SPI's clock levels) must see it move,
// as a running timer would; the timers themselves keep the clock test_advance_to gives them.
uint32_t timer_read_time(void) { return advancing ? test_clock : (test_clock += 64); }
#else
uint32_t timer_read_time(void) { return test_clock; }
#endif
void timer_kick(void) {}
uint32_t timer_late_limit_ticks(void) { return test_late_limit; }

// Tasks run as from the main loop, not inside a timer: under FUZZING a busy-wait in one (software
// SPI read by a sensor task) sees the clock move, and may carry it past the target.
static void run_tasks(void)
{
    advancing = 0;
    run_task_functions();
    advancing = 1;
}

void test_advance_to(uint32_t clock)
{
    advancing = 1;
    while (timer_is_before(test_clock, clock)) {
        uint32_t next = sched_next_waketime(test_clock, clock - test_clock);
        if (next == clock || timer_is_before(clock, next))
            break;
        if (timer_is_before(next, test_clock))
            next = test_clock;  // an overdue timer runs now
        test_clock = next;
        sched_timer_dispatch();
        run_tasks();
    }
    if (timer_is_before(test_clock, clock))
        test_clock = clock;
    sched_timer_dispatch();
    run_tasks();
    advancing = 0;
}

void irq_disable(void) {}
void irq_enable(void) {}
irqstatus_t irq_save(void) { return 0; }
void irq_restore(irqstatus_t flag) { (void)flag; }

static void record(uint8_t pin, uint8_t level)
{
    if (test_pin_level[pin] != level && test_edge_count < TEST_MAX_EDGES) {
        test_edges[test_edge_count].pin = pin;
        test_edges[test_edge_count].level = level;
        test_edges[test_edge_count].clock = sched_now();
        test_edge_count++;
    }
    test_pin_level[pin] = level;
}

struct gpio_out gpio_out_setup(uint32_t pin, uint32_t value)
{
    if (pin > 255)
        shutdown("Invalid pin number");
    struct gpio_out g = { (uint8_t)pin };
    test_pin_level[pin] = !!value;
    return g;
}
void gpio_out_reset(struct gpio_out g, uint32_t value) { record(g.pin, !!value); }
void gpio_out_toggle_noirq(struct gpio_out g) { record(g.pin, !test_pin_level[g.pin]); }
void gpio_out_toggle(struct gpio_out g) { gpio_out_toggle_noirq(g); }
void gpio_out_write(struct gpio_out g, uint32_t value) { record(g.pin, !!value); }
struct gpio_in gpio_in_setup(uint32_t pin, int32_t pull_up)
{
    if (pin > 255)
        shutdown("Invalid pin number");
    struct gpio_in g = { (uint8_t)pin };
    return g;
}
void gpio_in_reset(struct gpio_in g, int32_t pull_up) { (void)g; }
uint8_t gpio_in_read(struct gpio_in g) { return test_pin_level[g.pin]; }

struct gpio_adc gpio_adc_setup(uint32_t pin)
{
    if (pin > 255)
        shutdown("Invalid pin number");
    struct gpio_adc g = { (uint8_t)pin };
    return g;
}
uint32_t gpio_adc_sample(struct gpio_adc g) { (void)g; return 0; }
uint16_t gpio_adc_read(struct gpio_adc g) { return test_adc_value[g.pin]; }
void gpio_adc_cancel_sample(struct gpio_adc g) { (void)g; }

struct gpio_pwm gpio_pwm_setup(uint32_t pin, uint32_t cycle_ticks, uint32_t value)
{
    if (pin > 255)
        shutdown("Invalid pin number");
    struct gpio_pwm g = { (uint8_t)pin };
    test_pwm_value[pin] = value;
    return g;
}
void gpio_pwm_write(struct gpio_pwm g, uint32_t value) { test_pwm_value[g.pin] = value; }

void serial_send_block(const uint8_t *block, uint_fast8_t len)
{
    if (test_sent_count < TEST_MAX_SENT) {
        memcpy(test_sent[test_sent_count], block, len);
        test_sent_len[test_sent_count] = len;
        test_sent_count++;
    }
}

void board_reset(void)
{
    test_board_reset();
}

void observe_command(const struct command_parser *cp, const uint32_t *args) {}
void observe_stepper_config(uint8_t oid, uint8_t step_pin, uint8_t dir_pin, int8_t invert_step) {}
void observe_stepper_move_done(uint8_t oid, uint32_t clock, int32_t position) {}
int observe_rx_block(uint8_t *block, uint_fast8_t len) { return 0; }
