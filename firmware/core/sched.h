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
// Interrupt-driven boards (interrupts off): run every timer due at `now`, then return the next
// timer's waketime, or now + limit_ticks if none is sooner. Reads no clock itself (the step path
// is the hot loop), so the caller re-reads the clock and calls again if the next is due.
uint32_t sched_timer_run_due(uint32_t now, uint32_t limit_ticks);
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
