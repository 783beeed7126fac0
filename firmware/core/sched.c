// Timers (a sorted list), the main loop with "stats" reports, and shutdown handling.
#include <string.h>
#include "sched.h"
#include "command.h"
#include "board/timer.h"
#include "board/irq.h"
#include "gen/dict.h"
#include "board_types.h"

struct timer *sched_timer_list, *sched_timer_hint;
static struct timer *running_timer;
static uint8_t shutdown_status;  // 0 running, 1 shut down
static uint16_t shutdown_reason;
jmp_buf *sched_shutdown_jmp;
volatile uint8_t sched_tasks_pending;
struct sched_lateness sched_lateness;

DECL_RESPONSE("starting");
DECL_RESPONSE("shutdown clock=%u static_string_id=%hu");
DECL_RESPONSE("is_shutdown static_string_id=%hu");
DECL_RESPONSE("stats count=%u sum=%u sumsq=%u");
DECL_CONSTANT("STATS_SUMSQ_BASE", 256);

static void insert_timer(struct timer *t)
{
    struct timer **pos = &sched_timer_list;
    while (*pos && !timer_is_before(t->waketime, (*pos)->waketime))
        pos = &(*pos)->next;
    t->next = *pos;
    *pos = t;
    if (!sched_timer_hint)
        sched_timer_hint = t;
}

void sched_add_timer(struct timer *t)
{
    irqstatus_t flag = irq_save();
    if (timer_is_before(t->waketime, timer_read_time() - timer_late_limit_ticks())) {
        irq_restore(flag);
        shutdown("Timer too close");
    }
    insert_timer(t);
    int is_head = sched_timer_list == t;
    irq_restore(flag);
    if (is_head)
        timer_kick();
}

void sched_del_timer(struct timer *t)
{
    irqstatus_t flag = irq_save();
    for (struct timer **pos = &sched_timer_list; *pos; pos = &(*pos)->next) {
        if (*pos == t) {
            *pos = t->next;
            if (sched_timer_hint == t)
                sched_timer_hint = sched_timer_list;
            break;
        }
    }
    t->next = 0;
    irq_restore(flag);
}

uint32_t sched_now(void)
{
    return running_timer ? running_timer->waketime : timer_read_time();
}

uint32_t sched_next_waketime(uint32_t now, uint32_t limit)
{
    if (sched_timer_list && timer_is_before(sched_timer_list->waketime, now + limit))
        return sched_timer_list->waketime;
    return now + limit;
}

void sched_timer_dispatch(void)
{
    sched_timer_dispatch_until(timer_read_time());
}

void sched_timer_dispatch_until(uint32_t until)
{
    uint32_t now = timer_read_time();
    uint32_t late_limit = timer_late_limit_ticks();
    uint_fast16_t n = 0;
    while (sched_timer_list && !timer_is_before(until, sched_timer_list->waketime)) {
        struct timer *t = sched_timer_list;
#ifndef BOARD_NO_LATENESS_STATS
        sched_lateness.count++;
        if (!timer_is_before(now, t->waketime)) {
            uint32_t late = now - t->waketime;
            sched_lateness.sum_ticks += late;
            if (late > sched_lateness.max_ticks)
                sched_lateness.max_ticks = late;
        }
#endif
        sched_timer_pop_head(t);
        running_timer = t;
        uint_fast8_t res = t->func(t);
        running_timer = 0;
        if (res == SF_RESCHEDULE) {
            if (timer_is_before(t->waketime, now - late_limit))
                shutdown("Rescheduled timer in the past");
            insert_timer(t);
        }
        if (++n >= 64) {
            n = 0;
            uint32_t fresh = timer_read_time();
            until += fresh - now;  // keep the same look-ahead as time moves on
            now = fresh;
        }
    }
}

void sched_timer_run_head(struct timer *t, uint32_t now)
{
    sched_timer_pop_head(t);
    running_timer = t;
    uint_fast8_t res = t->func(t);
    running_timer = 0;
    if (res == SF_RESCHEDULE) {
        if (timer_is_before(t->waketime, now - timer_late_limit_ticks()))
            shutdown("Rescheduled timer in the past");
        insert_timer(t);
    }
}

int sched_is_shutdown(void)
{
    return shutdown_status;
}

uint16_t sched_shutdown_reason(void)
{
    return shutdown_reason;
}

void sched_try_shutdown(uint16_t reason)
{
    if (shutdown_status)
        return;
    shutdown_status = 1;
    shutdown_reason = reason;
    // Stop every timer, then let each feature put its outputs to their defaults.
    irqstatus_t flag = irq_save();
    sched_timer_list = sched_timer_hint = 0;
    running_timer = 0;
    irq_restore(flag);
    run_shutdown_functions();
    send_shutdown(timer_read_time(), reason);
}

void sched_shutdown(uint16_t reason)
{
    sched_try_shutdown(reason);
    if (sched_shutdown_jmp)
        longjmp(*sched_shutdown_jmp, 1);
    for (;;)
        ;  // no handler: nothing safe left to do
}

void sched_clear_shutdown(void)
{
    if (!shutdown_status)
        shutdown("Shutdown cleared when not shutdown");
    shutdown_status = 0;
}

void sched_reinit(void)
{
    sched_timer_list = sched_timer_hint = 0;
    running_timer = 0;
    shutdown_status = 0;
    shutdown_reason = 0;
    memset(&sched_lateness, 0, sizeof(sched_lateness));
    command_reset_link();
    run_init_functions();
}

// Main-loop statistics every 5 s of MCU time (PROTOCOL.md 1.8 "stats"): how many passes did
// work and how long that work took (sleeping in idle is not counted).
static uint32_t stats_send_time, stats_count, stats_sum, stats_sumsq;

static void stats_update(uint32_t start, uint32_t end)
{
    uint32_t diff = end - start;
    stats_count++;
    stats_sum += diff;
    uint32_t add;
    if (diff <= 0xffff)
        add = (diff * diff + 255) / 256;
    else if (diff <= 0xfffff)
        add = ((diff + 255) / 256) * diff;
    else
        add = 0xffffffff;
    stats_sumsq = stats_sumsq + add < stats_sumsq ? 0xffffffff : stats_sumsq + add;
    if (timer_is_before(end, stats_send_time + 5 * DICT_CLOCK_FREQ))
        return;
    send_stats(stats_count, stats_sum, stats_sumsq);
    stats_send_time = end;
    stats_count = stats_sum = stats_sumsq = 0;
}

void sched_main(void (*idle)(void))
{
    static jmp_buf main_jmp;
    sched_reinit();
    send_starting();
    stats_send_time = timer_read_time();
    sched_shutdown_jmp = &main_jmp;
    setjmp(main_jmp);  // a shutdown resumes the loop here
    for (;;) {
        idle();
        uint32_t start = timer_read_time();
        command_task();
        run_task_functions();
        stats_update(start, timer_read_time());
    }
}
