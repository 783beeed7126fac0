// Endstops: poll a pin while homing and fire a trsync when it reads the trigger value
// sample_count times in a row, sample_ticks apart.
#include <stddef.h>
#include "basecmd.h"
#include "command.h"
#include "sched.h"
#include "trsync.h"
#include "board/gpio.h"
#include "gen/dict.h"

struct endstop {
    struct timer time;
    struct gpio_in pin;
    struct trsync *ts;
    uint32_t rest_ticks, sample_ticks, next_poll;
    uint8_t oid, homing, pin_value, sample_count, samples_left, trigger_reason;
};

DECL_RESPONSE("endstop_state oid=%c homing=%c next_clock=%u pin_value=%c");

static uint_fast8_t endstop_poll_event(struct timer *t);

static uint_fast8_t endstop_oversample_event(struct timer *t)
{
    struct endstop *e = container_of(t, struct endstop, time);
    if (gpio_in_read(e->pin) != e->pin_value) {
        // A bounce: back to normal polling.
        t->func = endstop_poll_event;
        t->waketime = e->next_poll;
        return SF_RESCHEDULE;
    }
    if (--e->samples_left) {
        t->waketime += e->sample_ticks;
        return SF_RESCHEDULE;
    }
    e->homing = 0;
    trsync_do_trigger(e->ts, e->trigger_reason);
    return SF_DONE;
}

static uint_fast8_t endstop_poll_event(struct timer *t)
{
    struct endstop *e = container_of(t, struct endstop, time);
    if (gpio_in_read(e->pin) != e->pin_value) {
        t->waketime += e->rest_ticks;
        return SF_RESCHEDULE;
    }
    e->next_poll = t->waketime + e->rest_ticks;
    e->samples_left = e->sample_count;
    t->func = endstop_oversample_event;
    return endstop_oversample_event(t);
}

void command_config_endstop(const uint32_t *args)
{
    struct endstop *e = oid_alloc((uint8_t)args[0], OID_ENDSTOP, sizeof(*e));
    e->oid = (uint8_t)args[0];
    e->pin = gpio_in_setup(args[1], (int32_t)args[2]);
}
DECL_COMMAND(command_config_endstop, "config_endstop oid=%c pin=%c pull_up=%c");

void command_endstop_home(const uint32_t *args)
{
    struct endstop *e = oid_lookup((uint8_t)args[0], OID_ENDSTOP);
    sched_del_timer(&e->time);
    e->homing = 0;
    e->sample_count = (uint8_t)args[3];
    if (!e->sample_count)
        return;  // sample_count 0 stops homing
    if (!args[4])
        shutdown("Invalid rest_ticks");  // would poll forever at one instant
    e->time.waketime = e->next_poll = args[1];
    e->sample_ticks = args[2];
    e->rest_ticks = args[4];
    e->pin_value = (uint8_t)args[5];
    e->ts = trsync_oid_lookup((uint8_t)args[6]);
    e->trigger_reason = (uint8_t)args[7];
    e->time.func = endstop_poll_event;
    e->homing = 1;
    sched_add_timer(&e->time);
}
DECL_COMMAND(command_endstop_home,
             "endstop_home oid=%c clock=%u sample_ticks=%u sample_count=%c rest_ticks=%u"
             " pin_value=%c trsync_oid=%c trigger_reason=%c");

void command_endstop_query_state(const uint32_t *args)
{
    struct endstop *e = oid_lookup((uint8_t)args[0], OID_ENDSTOP);
    // After a trigger, next_clock is the poll after the one that first saw the pin (as Klipper's
    // MCU reports it): the host subtracts rest_ticks to get the moment of detection.
    uint32_t next_clock = e->homing ? e->time.waketime : e->next_poll;
    send_endstop_state(e->oid, e->homing, next_clock, gpio_in_read(e->pin));
}
DECL_COMMAND(command_endstop_query_state, "endstop_query_state oid=%c");

DECL_SHUTDOWN(endstop_shutdown);
void endstop_shutdown(void)
{
    int16_t oid = -1;
    struct endstop *e;
    while ((e = oid_next(&oid, OID_ENDSTOP)))
        e->homing = 0;
}
