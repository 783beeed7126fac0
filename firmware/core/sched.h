#ifndef CORE_SCHED_H
#define CORE_SCHED_H
// Timers, the main loop and shutdown.
#include <stdint.h>
#include <setjmp.h>
#include <stddef.h>

// The struct holding a member (timers and signals are embedded in their objects).
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

struct timer {
    struct timer *next;
    uint32_t waketime;
    uint_fast8_t (*func)(struct timer *t);  // returns SF_DONE or SF_RESCHEDULE
};
enum { SF_DONE = 0, SF_RESCHEDULE = 1 };

// a is before b on the wrapping 32-bit clock.
static inline int timer_is_before(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

void sched_add_timer(struct timer *t);
void sched_del_timer(struct timer *t);
// Run every due timer (timer interrupt on hardware, idle hook on the sim).
void sched_timer_dispatch(void);
// Also run timers due up to `until` (a simulating board may run a little ahead of the clock to
// batch work instead of spinning; hardware boards use sched_timer_dispatch()).
void sched_timer_dispatch_until(uint32_t until);
// ---- An interrupt-driven board's timer interrupt (boards/avr) ----
// Its dispatch loop is the step path, so it works on the list itself (interrupts off), calling
// the step event directly (LTO inlines it) and every other event through sched_timer_run_head.
extern struct timer *sched_timer_list;  // earliest first
// The timer sched_timer_head_later put back last: steppers taking turns go right behind it, so
// the re-sort starts there instead of walking the list. Always a timer in the list while the
// list is not empty (a hand-written step path relies on it): one that leaves hands the hint to
// the new head, an added timer takes it when there is none.
extern struct timer *sched_timer_hint;
// stepper.c's events for runs with 16-bit intervals (short and long pulses). When the due head
// has one, the loop calls it inline, or first stepper_burst (boards defining BOARD_STEP_BURST
// and timer_read_low16() in board_types.h) when the same stepper comes again: that steps while
// it stays the earliest timer and its steps are near, keeps the list sorted and counts *budget
// down; it returns 0 without stepping when a burst would not pay. Boards defining
// BOARD_STEP_MULTI step steppers taking turns with stepper_multi (see stepper.c).
uint_fast8_t stepper_event(struct timer *t);
uint_fast8_t stepper_event_long(struct timer *t);
uint8_t stepper_burst(struct timer *t, uint8_t *budget);
uint8_t stepper_multi(struct timer *t, uint32_t *now, uint8_t *budget);
// Run the due head timer t by its function; put it back if it rescheduled itself
// ("Rescheduled timer in the past" if it is then before now - the late limit).
void sched_timer_run_head(struct timer *t, uint32_t now);
// Take the head t off the list (its event returned SF_DONE).
static inline __attribute__((always_inline)) void sched_timer_pop_head(struct timer *t)
{
    sched_timer_list = t->next;
    if (sched_timer_hint == t)
        sched_timer_hint = t->next;
}
// The head t moved later (its event returned SF_RESCHEDULE): re-sort it behind every timer due
// no later than it. With one busy stepper it stays first and this is one comparison.
static inline __attribute__((always_inline)) void sched_timer_head_later(struct timer *t)
{
    struct timer *prev = t->next;
    uint32_t waketime = t->waketime;
    if (!prev || timer_is_before(waketime, prev->waketime))
        return;
    sched_timer_list = prev;
    // Every timer before the hint is due no later than it: start there if it is due no later
    // than t.
    struct timer *hint = sched_timer_hint;
    if (hint && hint != t && !timer_is_before(waketime, hint->waketime))
        prev = hint;
    struct timer *pos = prev->next;
    while (pos && !timer_is_before(waketime, pos->waketime)) {
        prev = pos;
        pos = pos->next;
    }
    t->next = pos;
    prev->next = t;
    sched_timer_hint = t;
}
// The waketime of the next timer, or now + limit if none.
uint32_t sched_next_waketime(uint32_t now, uint32_t limit);
// A timer left work for a task: the main loop must run (interrupt-driven boards sleep until
// then instead of running every task after every timer interrupt).
extern volatile uint8_t sched_tasks_pending;
static inline void sched_wake_tasks(void) { sched_tasks_pending = 1; }
// Time of the event being executed: the running timer's waketime, else the clock.
uint32_t sched_now(void);

// Enter shutdown with a static string (the generator collects every literal used here).
// Where the compiler can resolve the id from the literal (gen/dict.h's DICT_STATIC_STRING_ID,
// folded at compile time), the strings never take RAM: needed on the 2 KiB AVRs.
#ifdef __AVR__
#define shutdown(msg) sched_shutdown(DICT_STATIC_STRING_ID(msg))
#define try_shutdown(msg) sched_try_shutdown(DICT_STATIC_STRING_ID(msg))
#else
#define shutdown(msg) sched_shutdown(static_string_lookup(msg))
#define try_shutdown(msg) sched_try_shutdown(static_string_lookup(msg))
#endif
void sched_shutdown(uint16_t reason) __attribute__((noreturn));
void sched_try_shutdown(uint16_t reason);
int sched_is_shutdown(void);
uint16_t sched_shutdown_reason(void);
void sched_clear_shutdown(void);

// Where a shutdown longjmps to (the main loop, or a test).
extern jmp_buf *sched_shutdown_jmp;

// Board main: boot, then loop forever calling idle (which sleeps / dispatches timers on the sim).
void sched_main(void (*idle)(void)) __attribute__((noreturn));
// Re-initialise the core as after a reset (used by board_reset on the sim and by tests).
void sched_reinit(void);
// Timing statistics of timer dispatch (for the sim's benchmark output).
struct sched_lateness { uint32_t count, max_ticks; uint64_t sum_ticks; };
extern struct sched_lateness sched_lateness;

#endif
