// Trigger synchronisation objects (PROTOCOL.md 1.8 "Endstops / trigger sync").
#include <stddef.h>
#include "trsync.h"
#include "basecmd.h"
#include "command.h"
#include "sched.h"
#include "board/timer.h"
#include "gen/dict.h"

struct trsync {
    struct timer report_timer, expire_timer;
    struct trsync_signal *signals;
    uint32_t report_ticks, report_clock;
    uint8_t oid, can_trigger, trigger_reason, expire_reason, report_pending;
};
static uint8_t trsync_wake;  // some trsync has a report pending

DECL_RESPONSE("trsync_state oid=%c can_trigger=%c trigger_reason=%c clock=%u");

void command_config_trsync(const uint32_t *args)
{
    struct trsync *ts = oid_alloc((uint8_t)args[0], OID_TRSYNC, sizeof(*ts));
    ts->oid = (uint8_t)args[0];
}
DECL_COMMAND(command_config_trsync, "config_trsync oid=%c");

struct trsync *trsync_oid_lookup(uint8_t oid)
{
    return oid_lookup(oid, OID_TRSYNC);
}

void trsync_add_signal(struct trsync *ts, struct trsync_signal *sig,
                       void (*func)(struct trsync_signal *, uint8_t))
{
    for (struct trsync_signal *s = ts->signals; s; s = s->next)
        if (s == sig)
            shutdown("Can't add signal that is already active");
    sig->func = func;
    sig->next = ts->signals;
    ts->signals = sig;
}

static void request_report(struct trsync *ts, uint32_t clock)
{
    ts->report_clock = clock;
    ts->report_pending = 1;
    trsync_wake = 1;
    sched_wake_tasks();
}

void trsync_do_trigger(struct trsync *ts, uint8_t reason)
{
    if (!ts->can_trigger)
        return;
    ts->can_trigger = 0;
    ts->trigger_reason = reason;
    struct trsync_signal *s = ts->signals;
    ts->signals = 0;
    while (s) {
        struct trsync_signal *next = s->next;
        s->func(s, reason);
        s = next;
    }
    sched_del_timer(&ts->expire_timer);
    sched_del_timer(&ts->report_timer);
    request_report(ts, sched_now());
}

static uint_fast8_t trsync_report_event(struct timer *t)
{
    struct trsync *ts = container_of(t, struct trsync, report_timer);
    request_report(ts, t->waketime);
    if (!ts->can_trigger)
        return SF_DONE;
    t->waketime += ts->report_ticks;
    return SF_RESCHEDULE;
}

static uint_fast8_t trsync_expire_event(struct timer *t)
{
    struct trsync *ts = container_of(t, struct trsync, expire_timer);
    trsync_do_trigger(ts, ts->expire_reason);
    return SF_DONE;
}

void command_trsync_start(const uint32_t *args)
{
    struct trsync *ts = trsync_oid_lookup((uint8_t)args[0]);
    sched_del_timer(&ts->report_timer);
    sched_del_timer(&ts->expire_timer);
    ts->signals = 0;
    ts->can_trigger = 1;
    ts->trigger_reason = 0;
    ts->report_pending = 0;
    ts->expire_reason = (uint8_t)args[3];
    ts->report_ticks = args[2];
    if (ts->report_ticks) {
        ts->report_timer.func = trsync_report_event;
        ts->report_timer.waketime = args[1];
        sched_add_timer(&ts->report_timer);
    }
}
DECL_COMMAND(command_trsync_start,
             "trsync_start oid=%c report_clock=%u report_ticks=%u expire_reason=%c");

void command_trsync_set_timeout(const uint32_t *args)
{
    struct trsync *ts = trsync_oid_lookup((uint8_t)args[0]);
    sched_del_timer(&ts->expire_timer);
    if (!ts->can_trigger)
        return;
    ts->expire_timer.func = trsync_expire_event;
    ts->expire_timer.waketime = args[1];
    sched_add_timer(&ts->expire_timer);
}
DECL_COMMAND(command_trsync_set_timeout, "trsync_set_timeout oid=%c clock=%u");

void command_trsync_trigger(const uint32_t *args)
{
    struct trsync *ts = trsync_oid_lookup((uint8_t)args[0]);
    trsync_do_trigger(ts, (uint8_t)args[1]);
    ts->report_pending = 0;
    send_trsync_state(ts->oid, ts->can_trigger, ts->trigger_reason, timer_read_time());
}
DECL_COMMAND(command_trsync_trigger, "trsync_trigger oid=%c reason=%c");

DECL_TASK(trsync_task);
void trsync_task(void)
{
    if (!trsync_wake)
        return;
    trsync_wake = 0;
    int16_t oid = -1;
    struct trsync *ts;
    while ((ts = oid_next(&oid, OID_TRSYNC))) {
        if (!ts->report_pending)
            continue;
        ts->report_pending = 0;
        send_trsync_state(ts->oid, ts->can_trigger, ts->trigger_reason, ts->report_clock);
    }
}

DECL_SHUTDOWN(trsync_shutdown);
void trsync_shutdown(void)
{
    int16_t oid = -1;
    struct trsync *ts;
    while ((ts = oid_next(&oid, OID_TRSYNC)))
        trsync_do_trigger(ts, ts->expire_reason);
}
