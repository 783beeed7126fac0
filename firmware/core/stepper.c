// Steppers: each runs its queue of (interval, count, add) step runs from a timer.
// Step k of a run is at t0 + k*interval + add*k*(k-1)/2 (t0 = the previous step's time).
#include <stddef.h>
#include "basecmd.h"
#include "command.h"
#include "sched.h"
#include "trsync.h"
#include "board/gpio.h"
#include "board/timer.h"
#include "board/misc.h"
#include "gen/dict.h"

enum { MF_DIR = 1 };  // move flags
enum { SF_BOTH_EDGE = 1, SF_INVERT_STEP = 2, SF_NEXT_DIR = 4, SF_NEED_RESET = 8,
       SF_ACTIVE = 16, SF_DIR = 32 };

struct stepper {
    struct timer time;
    uint32_t interval, last_step_time;
    uint16_t count;     // steps left in the current run (queue_step count is 16-bit)
    int32_t position;  // net steps (+1 per step with dir=1) once the current run completes
    int16_t add;
    uint8_t oid, flags;
    struct gpio_out step_pin, dir_pin;
    struct move_queue mq;
    struct trsync_signal stop_signal;
};

DECL_RESPONSE("stepper_position oid=%c pos=%i");

static void do_step(struct stepper *s)
{
    if (s->flags & SF_BOTH_EDGE) {
        gpio_out_toggle_noirq(s->step_pin);
    } else {
        // The pulse is issued inline: the sim needs no width, hardware boards keep
        // step_pulse_ticks short enough to fit in this call.
        gpio_out_toggle_noirq(s->step_pin);
        gpio_out_toggle_noirq(s->step_pin);
    }
}

// Net steps taken so far: the step path does not count (it is the hot loop); the position is
// advanced a whole run at a time and the steps still to go are taken off here.
static int32_t stepper_position(const struct stepper *s)
{
    return s->position - ((s->flags & SF_DIR) ? (int32_t)s->count : -(int32_t)s->count);
}

// Take the next run off the queue; returns 0 if there is none.
static int load_next_move(struct stepper *s)
{
    struct move *m = move_queue_pop(&s->mq);
    if (!m) {
        s->flags &= ~SF_ACTIVE;
        return 0;
    }
    int dir = (m->flags & MF_DIR) != 0;
    if (dir != !!(s->flags & SF_DIR)) {
        s->flags ^= SF_DIR;
        gpio_out_write(s->dir_pin, dir);
    }
    s->interval = m->interval;
    s->count = m->count;
    s->position += dir ? (int32_t)m->count : -(int32_t)m->count;
    s->add = m->add;
    s->time.waketime = s->last_step_time + s->interval;
    move_free(m);
    if (timer_is_before(s->time.waketime, timer_read_time() - timer_late_limit_ticks()))
        shutdown("Stepper too far in past");
    return 1;
}

static uint_fast8_t stepper_event(struct timer *t)
{
    struct stepper *s = container_of(t, struct stepper, time);
    do_step(s);
    if (--s->count) {
        s->interval += s->add;
        t->waketime += s->interval;
        return SF_RESCHEDULE;
    }
    s->last_step_time = t->waketime;
    observe_stepper_move_done(s->oid, t->waketime, s->position);
    return load_next_move(s) ? SF_RESCHEDULE : SF_DONE;
}

void command_config_stepper(const uint32_t *args)
{
    struct stepper *s = oid_alloc((uint8_t)args[0], OID_STEPPER, sizeof(*s));
    int8_t invert_step = (int8_t)args[3];
    s->oid = (uint8_t)args[0];
    if (invert_step < 0)
        s->flags |= SF_BOTH_EDGE;
    else if (invert_step)
        s->flags |= SF_INVERT_STEP;
    s->step_pin = gpio_out_setup(args[1], invert_step > 0);
    s->dir_pin = gpio_out_setup(args[2], 0);
    s->time.func = stepper_event;
    observe_stepper_config(s->oid, (uint8_t)args[1], (uint8_t)args[2], invert_step);
}
DECL_COMMAND(command_config_stepper,
             "config_stepper oid=%c step_pin=%c dir_pin=%c invert_step=%c step_pulse_ticks=%u");

static struct stepper *stepper_oid_lookup(uint8_t oid)
{
    return oid_lookup(oid, OID_STEPPER);
}

void command_queue_step(const uint32_t *args)
{
    struct stepper *s = stepper_oid_lookup((uint8_t)args[0]);
    uint16_t count = (uint16_t)args[2];
    if (!count)
        shutdown("Invalid count parameter");
    if (s->flags & SF_NEED_RESET)
        return;  // halted by a trsync: dropped until reset_step_clock
    struct move *m = move_alloc();
    m->interval = args[1];
    m->count = count;
    m->add = (int16_t)args[3];
    m->flags = (s->flags & SF_NEXT_DIR) ? MF_DIR : 0;
    move_queue_push(&s->mq, m);
    if (!(s->flags & SF_ACTIVE)) {
        load_next_move(s);
        s->flags |= SF_ACTIVE;
        sched_add_timer(&s->time);
    }
}
DECL_COMMAND(command_queue_step, "queue_step oid=%c interval=%u count=%hu add=%hi");

void command_set_next_step_dir(const uint32_t *args)
{
    struct stepper *s = stepper_oid_lookup((uint8_t)args[0]);
    if (args[1])
        s->flags |= SF_NEXT_DIR;
    else
        s->flags &= ~SF_NEXT_DIR;
}
DECL_COMMAND(command_set_next_step_dir, "set_next_step_dir oid=%c dir=%c");

void command_reset_step_clock(const uint32_t *args)
{
    struct stepper *s = stepper_oid_lookup((uint8_t)args[0]);
    if (s->flags & SF_ACTIVE)
        shutdown("Can't reset time when stepper active");
    s->last_step_time = args[1];
    s->flags &= ~SF_NEED_RESET;
}
DECL_COMMAND(command_reset_step_clock, "reset_step_clock oid=%c clock=%u");

void command_stepper_get_position(const uint32_t *args)
{
    struct stepper *s = stepper_oid_lookup((uint8_t)args[0]);
    send_stepper_position(s->oid, (uint32_t)stepper_position(s));
}
DECL_COMMAND(command_stepper_get_position, "stepper_get_position oid=%c");

static void stepper_stop(struct stepper *s)
{
    sched_del_timer(&s->time);
    move_queue_clear(&s->mq);
    s->position = stepper_position(s);
    s->count = 0;
    s->flags &= ~SF_ACTIVE;
    if (!(s->flags & SF_BOTH_EDGE))
        gpio_out_write(s->step_pin, (s->flags & SF_INVERT_STEP) != 0);
}

static void stepper_stop_signal(struct trsync_signal *sig, uint8_t reason)
{
    struct stepper *s = container_of(sig, struct stepper, stop_signal);
    stepper_stop(s);
    s->flags |= SF_NEED_RESET;
}

void command_stepper_stop_on_trigger(const uint32_t *args)
{
    struct stepper *s = stepper_oid_lookup((uint8_t)args[0]);
    struct trsync *ts = trsync_oid_lookup((uint8_t)args[1]);
    trsync_add_signal(ts, &s->stop_signal, stepper_stop_signal);
}
DECL_COMMAND(command_stepper_stop_on_trigger, "stepper_stop_on_trigger oid=%c trsync_oid=%c");

DECL_SHUTDOWN(stepper_shutdown);
void stepper_shutdown(void)
{
    int16_t oid = -1;
    struct stepper *s;
    while ((s = oid_next(&oid, OID_STEPPER)))
        stepper_stop(s);
}
