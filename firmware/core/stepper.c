// Steppers: each runs its queue of (interval, count, add) step runs from a timer.
// Step k of a run is at t0 + k*interval + add*k*(k-1)/2 (t0 = the previous step's time).
#include <stddef.h>
#include "basecmd.h"
#include "command.h"
#include "sched.h"
#include "trsync.h"
#include "board/gpio.h"
#include "board/irq.h"
#include "board/timer.h"
#include "board/misc.h"
#include "gen/dict.h"

enum { MF_DIR = 1 };  // move flags
enum { SF_BOTH_EDGE = 1, SF_INVERT_STEP = 2, SF_NEXT_DIR = 4, SF_NEED_RESET = 8,
       SF_ACTIVE = 16, SF_DIR = 32, SF_LONG_PULSE = 64 };

// The interval is read and advanced as 16 bits while a run's intervals all fit (an 8-bit chip
// then adds 2 bytes instead of 4); the union relies on little-endian layout.
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "interval16 is the low half of interval");

struct stepper {
    struct timer time;  // first, so the step path finds the stepper at the timer's address
    union { uint32_t interval; uint16_t interval16; };
    int16_t add;
    uint16_t count;     // steps left in the current run (queue_step count is 16-bit)
    uint8_t flags;
    struct gpio_out step_pin;
#ifdef BOARD_STEP_MULTI
    uint8_t unstep;     // what the board's step path writes to end a pulse (board_step_unstep)
#endif
    uint32_t last_step_time;
    int32_t position;  // net steps (+1 per step with dir=1) once the current run completes
    uint16_t pulse_ticks;  // step_pulse_ticks, honoured by waiting when SF_LONG_PULSE
#ifdef BOARD_STEP_UNSTEP_TICKS
    uint8_t split;            // SPLIT_*: the pulse ends by this timer (stepper_event_split)
    uint32_t next_step_time;  // while the unstep is due: when the next step is
#endif
    uint8_t oid;
    struct gpio_out dir_pin;
    struct move_queue mq;
    struct trsync_signal stop_signal;
};

DECL_RESPONSE("stepper_position oid=%c pos=%i");

static uint_fast8_t stepper_event_full(struct timer *t);
uint_fast8_t stepper_event_long(struct timer *t);
#ifdef BOARD_STEP_UNSTEP_TICKS
enum { SPLIT_ON = 1, SPLIT_UNSTEP_DUE = 2 };
static uint_fast8_t stepper_event_split(struct timer *t);
#define stepper_unstep_due(s) ((s)->split & SPLIT_UNSTEP_DUE)
#else
#define stepper_unstep_due(s) 0
#endif

// The clock for timing a pulse: the board's 16-bit counter where it has one inline.
#ifdef BOARD_STEP_BURST
#define stepper_pulse_clock() timer_read_low16()
#else
#define stepper_pulse_clock() timer_read_time()
#endif

// The pulse: the unstep edge comes after the step's arithmetic, which takes at least
// BOARD_STEP_PULSE_INLINE_TICKS (measured per board); a longer step_pulse_ticks (SF_LONG_PULSE)
// is waited out from `edge`, the clock read just after the step edge (is_long: the event knows
// the stepper's pulse is long). Boards that do not define the constant (the sim counts edges)
// never wait. The burst below times its pulses itself.
static inline void stepper_unstep(struct stepper *s, uint32_t edge, int is_long)
{
    if (s->flags & SF_BOTH_EDGE)
        return;  // every toggle is a step
    if (is_long)
        while ((uint16_t)(stepper_pulse_clock() - edge) < s->pulse_ticks)
            ;
    gpio_out_toggle_noirq(s->step_pin);
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
    uint32_t interval = m->interval;
    uint16_t count = m->count;
    int16_t add = m->add;
    s->interval = interval;
    s->count = count;
    s->position += dir ? (int32_t)count : -(int32_t)count;
    s->add = add;
    s->time.waketime = s->last_step_time + interval;
    // The lean event when every interval of the run fits 16 bits (intervals are monotonic, so
    // the first and the last decide). Only with interval <= 0xffff is the sum safe in 32 bits:
    // |add * (count - 1)| <= 32768 * 65534 leaves room for it (the fuzzer found the overflow).
    int fits16 = 0;
    if (interval <= 0xffff) {
        int32_t last = (int32_t)interval + (int32_t)add * (int32_t)(count - 1);
        fits16 = last >= 0 && last <= 0xffff;
    }
    // Long pulses have their own 16-bit event: stepper_event (the hot one) never waits.
    s->time.func = !fits16 ? stepper_event_full
                 : (s->flags & SF_LONG_PULSE) ? stepper_event_long : stepper_event;
#ifdef BOARD_STEP_UNSTEP_TICKS
    if (s->split)
        s->time.func = stepper_event_split;
#endif
    move_free(m);
    if (timer_is_before(s->time.waketime, timer_read_time() - timer_late_limit_ticks()))
        shutdown("Stepper too far in past");
    return 1;
}

// The run's last step was taken: start the next run or stop (the unstep is the caller's).
static uint_fast8_t __attribute__((noinline)) stepper_run_done(struct stepper *s)
{
    s->count = 0;
    s->last_step_time = s->time.waketime;
    observe_stepper_move_done(s->oid, s->time.waketime, s->position);
    return load_next_move(s) ? SF_RESCHEDULE : SF_DONE;
}

// One step from a timer dispatcher: edge, the next step's time, unstep. wide: 32-bit intervals;
// pulse: 0 short, 1 long (waited out), 2 look at the stepper's flags.
static inline __attribute__((always_inline)) uint_fast8_t
stepper_step(struct timer *t, int wide, int pulse)
{
    struct stepper *s = container_of(t, struct stepper, time);
    gpio_out_toggle_noirq(s->step_pin);
    int is_long = pulse == 2 ? (s->flags & SF_LONG_PULSE) != 0 : pulse;
    uint32_t edge = is_long ? stepper_pulse_clock() : 0;
    uint_fast8_t res = SF_RESCHEDULE;
    uint16_t count = s->count - 1;
    if (count) {
        s->count = count;
        if (wide) {
            s->interval += s->add;
            t->waketime += s->interval;
        } else {
            uint16_t interval = s->interval16 + (uint16_t)s->add;
            s->interval16 = interval;
            t->waketime += interval;
        }
    } else {
        res = stepper_run_done(s);
    }
    stepper_unstep(s, edge, is_long);
    return res;
}

// Runs whose intervals all fit 16 bits (chosen in load_next_move) with a short pulse or a long
// one, and every other run. (Interrupt-driven boards inline stepper_event into their dispatch
// loop; LTO does that.)
#if defined(__AVR__) || defined(__arm__)
#define STEP_EVENT_INLINE __attribute__((always_inline))
#else
#define STEP_EVENT_INLINE // native builds (sim, tests) are not whole-program: nothing to inline into
#endif
uint_fast8_t STEP_EVENT_INLINE stepper_event(struct timer *t) { return stepper_step(t, 0, 0); }
uint_fast8_t stepper_event_long(struct timer *t) { return stepper_step(t, 0, 1); }
static uint_fast8_t stepper_event_full(struct timer *t) { return stepper_step(t, 1, 2); }

#ifdef BOARD_STEP_UNSTEP_TICKS
// Pulses of at least BOARD_STEP_UNSTEP_TICKS (the 2-5 us of external drivers) end by the
// stepper's own timer instead of a wait inside the step event: the event raises the pin and
// comes back pulse_ticks later to lower it, then at the next step's time. Other timers (other
// steppers' steps) run in between.
static uint_fast8_t stepper_event_unstep(struct timer *t)
{
    struct stepper *s = container_of(t, struct stepper, time);
    gpio_out_toggle_noirq(s->step_pin);
    s->split &= ~SPLIT_UNSTEP_DUE;
    if (s->flags & SF_ACTIVE) {
        t->waketime = s->next_step_time;
        t->func = stepper_event_split;
        return SF_RESCHEDULE;
    }
    // The queue ran dry at the last step; a queue_step since then left its move for here.
    if (!load_next_move(s))
        return SF_DONE;
    s->flags |= SF_ACTIVE;
    return SF_RESCHEDULE;
}

static uint_fast8_t stepper_event_split(struct timer *t)
{
    struct stepper *s = container_of(t, struct stepper, time);
    gpio_out_toggle_noirq(s->step_pin);
    uint32_t edge = timer_read_time();  // not the waketime: a late step still gets its full width
    uint16_t count = s->count - 1;
    if (count) {
        s->count = count;
        s->interval += s->add;
        t->waketime += s->interval;
    } else {
        stepper_run_done(s);  // the next run, or SF_ACTIVE off: the unstep looks again
    }
    s->next_step_time = t->waketime;
    s->split |= SPLIT_UNSTEP_DUE;
    t->waketime = edge + s->pulse_ticks;
    t->func = stepper_event_unstep;
    return SF_RESCHEDULE;
}
#endif

#ifdef BOARD_STEP_BURST
// The step path of a board whose timer interrupt runs the timer list itself (boards/avr; see
// sched.h). t is the due head of the list and its event is stepper_event; the loop calls it when
// t was also the stepper it ran last (a lone or fast stepper). Steps it, then keeps
// stepping while it stays the earliest timer and its next step is at most
// BOARD_STEP_BURST_WAIT_TICKS away, at most *budget steps; leaves the list sorted.
// Within a burst only the low 16 bits of the step time are tracked (a burst spans far less than
// 0x8000 ticks): the board's board_step_run() steps on its 16-bit counter (see its contract in
// boards/avr/board_types.h) and returns with the last step's pulse still high.
static void __attribute__((noinline)) stepper_burst_run(struct timer *t, uint8_t *budget)
{
    struct stepper *s = container_of(t, struct stepper, time);
    // Stop at the next timer's time, or 0x4000 ticks on (16-bit comparisons stay unambiguous).
    uint32_t until = t->waketime + 0x4000;
    if (t->next && timer_is_before(t->next->waketime, until))
        until = t->next->waketime;
    struct step_run r = {
        .count = s->count, .interval = s->interval16, .add = (uint16_t)s->add,
        .time = (uint16_t)t->waketime, .until = (uint16_t)until, .budget = *budget,
    };
    uint16_t pulse = s->pulse_ticks;
    uint32_t first = t->waketime;
    uint16_t edge = board_step_run(s->step_pin, !(s->flags & SF_BOTH_EDGE), pulse, &r);
    if (!r.count) {
        r.budget--;
        t->waketime = first + (uint16_t)(r.time - (uint16_t)first);
        if (stepper_run_done(s) == SF_DONE)
            sched_timer_pop_head(t);
        else
            sched_timer_head_later(t);
    } else {
        s->count = r.count;
        s->interval16 = r.interval;
        t->waketime = first + (uint16_t)(r.time - (uint16_t)first);
        sched_timer_head_later(t);
    }
    *budget = r.budget;
    if (!(s->flags & SF_BOTH_EDGE) && !r.late) {
        while ((uint16_t)(timer_read_low16() - edge) < pulse)
            ;
        gpio_out_toggle_noirq(s->step_pin);
    }
}

// Returns 0 (the caller takes one step itself) when a burst would not pay: the next step is
// too far to wait for, or the stepper is so late that the 16-bit counter could mislead it.
uint8_t __attribute__((always_inline)) stepper_burst(struct timer *t, uint8_t *budget)
{
    struct stepper *s = container_of(t, struct stepper, time);
    if (s->interval16 > BOARD_STEP_BURST_WAIT_TICKS
        || timer_read_time() - t->waketime >= BOARD_STEP_BURST_LATE_TICKS)
        return 0;
    stepper_burst_run(t, budget);
    return 1;
}
#endif

#ifdef BOARD_STEP_MULTI
// Steppers taking turns (boards/avr board_step_multi, hand-written): t is the due head with
// stepper_event. Steps it and every following due head with stepper_event, each put back in
// the list behind the timers due no later than it, until a head is not due, is another event
// or a run's last step, the budget is used up, a byte is received, or the stepper just stepped
// stays first. Counts *budget down by the steps taken (none: t's run ends with this step, the
// caller steps it) and returns 1 when the stepper stepped last stays first (the caller's
// burst), else 0. *now advances with the clock it reads.
uint8_t __attribute__((always_inline)) stepper_multi(struct timer *t, uint32_t *now, uint8_t *budget)
{
    return board_step_multi(t, now, budget, struct stepper, time, count, interval16, add,
                            step_pin, unstep);
}
#endif

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
#ifdef BOARD_STEP_MULTI
    s->unstep = board_step_unstep(s->step_pin, invert_step < 0);
#endif
    s->dir_pin = gpio_out_setup(args[2], 0);
    s->time.func = stepper_event_full;
    if (invert_step >= 0)  // both edges: no pulse
        s->pulse_ticks = args[4] > 0x7fff ? 0x7fff : (uint16_t)args[4];
#ifdef BOARD_STEP_PULSE_INLINE_TICKS
    if (!(s->flags & SF_BOTH_EDGE) && args[4] > BOARD_STEP_PULSE_INLINE_TICKS)
        s->flags |= SF_LONG_PULSE;
#endif
#ifdef BOARD_STEP_UNSTEP_TICKS
    if (!(s->flags & SF_BOTH_EDGE) && s->pulse_ticks >= BOARD_STEP_UNSTEP_TICKS)
        s->split = SPLIT_ON;
#endif
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
    if (!(s->flags & SF_ACTIVE) && !stepper_unstep_due(s)) {  // a due unstep starts it itself
        load_next_move(s);
        s->flags |= SF_ACTIVE;
        sched_add_timer(&s->time);
    }
}
DECL_COMMAND(command_queue_step, "queue_step oid=%c interval=%u count=%hu add=%hi");

void command_set_next_step_dir(const uint32_t *args)
{
    struct stepper *s = stepper_oid_lookup((uint8_t)args[0]);
    irqstatus_t flag = irq_save();  // the step interrupt changes other flags (SF_DIR, SF_ACTIVE)
    if (args[1])
        s->flags |= SF_NEXT_DIR;
    else
        s->flags &= ~SF_NEXT_DIR;
    irq_restore(flag);
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
#ifdef BOARD_STEP_UNSTEP_TICKS
    s->split &= ~SPLIT_UNSTEP_DUE;  // the pin goes to its default here
#endif
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
