// Hardware PWM outputs: timed value updates with the max_duration watchdog.
#include <stddef.h>
#include "basecmd.h"
#include "command.h"
#include "sched.h"
#include "board/pwm.h"
#include "board/timer.h"
#include "gen/dict.h"

struct pwm_out {
    struct timer timer;
    struct gpio_pwm pin;
    struct move_queue mq;  // (clock, value) updates
    uint32_t max_duration, end_time, last_update_clock;
    uint16_t default_value;
    uint8_t watching, last_nondefault;
};

static void apply_value(struct pwm_out *p, uint32_t clock, uint32_t value)
{
    gpio_pwm_write(p->pin, value);
    p->watching = p->max_duration && value != p->default_value;
    p->end_time = clock + p->max_duration;
}

static int next_event(struct pwm_out *p, uint32_t *when)
{
    if (p->mq.first) {
        *when = p->mq.first->interval;
        if (p->watching && timer_is_before(p->end_time, *when))
            *when = p->end_time;
        return 1;
    }
    if (p->watching) {
        *when = p->end_time;
        return 1;
    }
    return 0;
}

static uint_fast8_t pwm_out_event(struct timer *t)
{
    struct pwm_out *p = container_of(t, struct pwm_out, timer);
    struct move *m = p->mq.first;
    if (m && !timer_is_before(t->waketime, m->interval)) {
        move_queue_pop(&p->mq);
        uint32_t value = m->value;
        move_free(m);
        apply_value(p, t->waketime, value);
    } else if (p->watching && !timer_is_before(t->waketime, p->end_time)) {
        shutdown("Missed scheduling of next hard pwm event");
    }
    return next_event(p, &t->waketime) ? SF_RESCHEDULE : SF_DONE;
}

void command_config_pwm_out(const uint32_t *args)
{
    struct pwm_out *p = oid_alloc((uint8_t)args[0], OID_PWM_OUT, sizeof(*p));
    p->pin = gpio_pwm_setup(args[1], args[2], args[3]);
    p->default_value = (uint16_t)args[4];
    p->max_duration = args[5];
    p->timer.func = pwm_out_event;
}
DECL_COMMAND(command_config_pwm_out,
             "config_pwm_out oid=%c pin=%u cycle_ticks=%u value=%hu default_value=%hu"
             " max_duration=%u");

void command_queue_pwm_out(const uint32_t *args)
{
    struct pwm_out *p = oid_lookup((uint8_t)args[0], OID_PWM_OUT);
    uint32_t clock = args[1], value = args[2];
    if (p->max_duration && p->last_nondefault && clock - p->last_update_clock > p->max_duration)
        shutdown("Scheduled pwm event will exceed max_duration");
    struct move *m = move_alloc();
    m->interval = clock;
    m->value = value;
    move_queue_push(&p->mq, m);
    p->last_update_clock = clock;
    p->last_nondefault = value != p->default_value;
    sched_del_timer(&p->timer);
    if (next_event(p, &p->timer.waketime))
        sched_add_timer(&p->timer);
}
DECL_COMMAND(command_queue_pwm_out, "queue_pwm_out oid=%c clock=%u value=%hu");

void command_set_pwm_out(const uint32_t *args)
{
    gpio_pwm_setup(args[0], args[1], args[2]);
}
DECL_COMMAND(command_set_pwm_out, "set_pwm_out pin=%u cycle_ticks=%u value=%hu");

DECL_SHUTDOWN(pwm_out_shutdown);
void pwm_out_shutdown(void)
{
    int16_t oid = -1;
    struct pwm_out *p;
    while ((p = oid_next(&oid, OID_PWM_OUT))) {
        move_queue_clear(&p->mq);
        p->watching = 0;
        gpio_pwm_write(p->pin, p->default_value);
    }
}
