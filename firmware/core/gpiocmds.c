// Digital outputs: timed updates from a queue, soft PWM, and the max_duration watchdog
// (a heater left on without fresh updates shuts the MCU down).
#include <stddef.h>
#include "basecmd.h"
#include "command.h"
#include "sched.h"
#include "board/gpio.h"
#include "board/timer.h"
#include "gen/dict.h"

struct digital_out {
    struct timer timer;
    struct gpio_out pin;
    struct move_queue mq;      // (clock, on_ticks) updates
    uint32_t cycle_ticks, on_ticks, max_duration;
    uint32_t next_toggle;      // valid while toggling
    uint32_t end_time;         // watchdog deadline, valid while watching
    uint32_t last_update_clock;  // clock of the last queued/applied update
    uint8_t default_value, level, toggling, watching, last_nondefault, timer_active;
};

static void apply_update(struct digital_out *d, uint32_t clock, uint32_t on_ticks)
{
    d->on_ticks = on_ticks;
    d->toggling = on_ticks > 0 && on_ticks < d->cycle_ticks;
    d->level = on_ticks > 0;
    gpio_out_write(d->pin, d->level);
    if (d->toggling)
        d->next_toggle = clock + on_ticks;
    int nondefault = d->toggling || d->level != d->default_value;
    d->watching = d->max_duration && nondefault;
    d->end_time = clock + d->max_duration;
}

// The next time this output needs attention, or 0 (with *when unset) if none.
static int next_event(struct digital_out *d, uint32_t *when)
{
    int have = 0;
    if (d->mq.first) {
        *when = d->mq.first->interval;
        have = 1;
    }
    if (d->toggling && (!have || timer_is_before(d->next_toggle, *when))) {
        *when = d->next_toggle;
        have = 1;
    }
    if (d->watching && (!have || timer_is_before(d->end_time, *when))) {
        *when = d->end_time;
        have = 1;
    }
    return have;
}

static uint_fast8_t digital_out_event(struct timer *t)
{
    struct digital_out *d = container_of(t, struct digital_out, timer);
    uint32_t now = t->waketime;
    struct move *m = d->mq.first;
    if (m && !timer_is_before(now, m->interval)) {
        move_queue_pop(&d->mq);
        uint32_t on_ticks = m->value;
        move_free(m);
        apply_update(d, now, on_ticks);
    } else if (d->toggling && !timer_is_before(now, d->next_toggle)) {
        d->level = !d->level;
        gpio_out_toggle_noirq(d->pin);
        d->next_toggle = now + (d->level ? d->on_ticks : d->cycle_ticks - d->on_ticks);
    } else if (d->watching && !timer_is_before(now, d->end_time)) {
        shutdown("Missed scheduling of next digital out event");
    }
    if (!next_event(d, &t->waketime)) {
        d->timer_active = 0;
        return SF_DONE;
    }
    return SF_RESCHEDULE;
}

static void reschedule(struct digital_out *d)
{
    sched_del_timer(&d->timer);
    d->timer_active = next_event(d, &d->timer.waketime);
    if (d->timer_active)
        sched_add_timer(&d->timer);
}

void command_config_digital_out(const uint32_t *args)
{
    struct digital_out *d = oid_alloc((uint8_t)args[0], OID_DIGITAL_OUT, sizeof(*d));
    d->pin = gpio_out_setup(args[1], args[2]);
    d->level = !!args[2];
    d->default_value = !!args[3];
    d->max_duration = args[4];
    d->timer.func = digital_out_event;
}
DECL_COMMAND(command_config_digital_out,
             "config_digital_out oid=%c pin=%u value=%c default_value=%c max_duration=%u");

void command_set_digital_out_pwm_cycle(const uint32_t *args)
{
    struct digital_out *d = oid_lookup((uint8_t)args[0], OID_DIGITAL_OUT);
    if (!move_queue_empty(&d->mq))
        shutdown("Can not set soft pwm cycle ticks while updates pending");
    d->cycle_ticks = args[1];
}
DECL_COMMAND(command_set_digital_out_pwm_cycle, "set_digital_out_pwm_cycle oid=%c cycle_ticks=%u");

void command_queue_digital_out(const uint32_t *args)
{
    struct digital_out *d = oid_lookup((uint8_t)args[0], OID_DIGITAL_OUT);
    uint32_t clock = args[1], on_ticks = args[2];
    if (d->max_duration && d->last_nondefault
        && clock - d->last_update_clock > d->max_duration)
        shutdown("Scheduled digital out event will exceed max_duration");
    struct move *m = move_alloc();
    m->interval = clock;
    m->value = on_ticks;
    move_queue_push(&d->mq, m);
    d->last_update_clock = clock;
    d->last_nondefault = (on_ticks > 0 && on_ticks < d->cycle_ticks)
                         || (on_ticks > 0) != d->default_value;
    reschedule(d);
}
DECL_COMMAND(command_queue_digital_out, "queue_digital_out oid=%c clock=%u on_ticks=%u");

void command_update_digital_out(const uint32_t *args)
{
    struct digital_out *d = oid_lookup((uint8_t)args[0], OID_DIGITAL_OUT);
    if (!move_queue_empty(&d->mq))
        shutdown("update_digital_out not valid with active queue");
    uint32_t now = timer_read_time();
    apply_update(d, now, args[1] ? 0xffffffff : 0);
    d->last_update_clock = now;
    d->last_nondefault = !!args[1] != d->default_value;
    reschedule(d);
}
DECL_COMMAND(command_update_digital_out, "update_digital_out oid=%c value=%c");

void command_set_digital_out(const uint32_t *args)
{
    gpio_out_setup(args[0], args[1]);
}
DECL_COMMAND(command_set_digital_out, "set_digital_out pin=%u value=%c");

DECL_SHUTDOWN(digital_out_shutdown);
void digital_out_shutdown(void)
{
    int16_t oid = -1;
    struct digital_out *d;
    while ((d = oid_next(&oid, OID_DIGITAL_OUT))) {
        move_queue_clear(&d->mq);
        d->toggling = d->watching = d->timer_active = 0;
        d->level = d->default_value;
        gpio_out_write(d->pin, d->default_value);
    }
}
