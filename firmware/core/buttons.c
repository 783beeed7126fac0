// Buttons: a group of up to 8 input pins polled on a timer (Klipper's buttons protocol). A pin
// change counts once two polls in a row agree (debounce); each change is queued as a report
// (the group's state byte) and sent in buttons_state until the host acknowledges it with
// buttons_ack, resent every retransmit_count polls, so a lost block never loses a press.
#include <string.h>
#include "basecmd.h"
#include "command.h"
#include "sched.h"
#include "board/gpio.h"
#include "board/irq.h"
#include "gen/dict.h"

#define BUTTONS_MAX 8  // one state byte
#define BUTTONS_REPORTS_MAX 8

struct buttons {
    struct timer time;
    uint32_t rest_ticks;
    uint8_t oid, button_count, invert;
    uint8_t pressed;      // the debounced state last reported
    uint8_t last_sample;  // the previous poll's raw state
    uint8_t ack_count;    // reports the host has acknowledged (wraps at 256)
    uint8_t pending;      // reports[] not acknowledged yet
    uint8_t retransmit_count, retransmit_left, send_now;
    uint8_t reports[BUTTONS_REPORTS_MAX];
    struct gpio_in pins[];
};
static uint8_t buttons_wake;

DECL_RESPONSE("buttons_state oid=%c ack_count=%c state=%*s");

static uint_fast8_t buttons_event(struct timer *t)
{
    struct buttons *b = container_of(t, struct buttons, time);
    uint8_t sample = 0;
    for (uint8_t i = 0; i < b->button_count; i++)
        if (gpio_in_read(b->pins[i]))
            sample |= (uint8_t)(1 << i);
    sample ^= b->invert;
    // A full report queue keeps the change unregistered: it is taken once the host acks.
    if (sample != b->pressed && sample == b->last_sample && b->pending < BUTTONS_REPORTS_MAX) {
        b->pressed = sample;
        b->reports[b->pending++] = sample;
        b->send_now = 1;
    } else if (b->pending && b->retransmit_count && !--b->retransmit_left) {
        b->send_now = 1;  // no ack yet: send the same reports again
    }
    if (b->send_now) {
        buttons_wake = 1;
        sched_wake_tasks();
    }
    b->last_sample = sample;
    t->waketime += b->rest_ticks;
    return SF_RESCHEDULE;
}

void command_config_buttons(const uint32_t *args)
{
    uint8_t count = (uint8_t)args[1];
    if (count > BUTTONS_MAX)
        shutdown("Max of 8 buttons");
    struct buttons *b = oid_alloc((uint8_t)args[0], OID_BUTTONS,
                                  sizeof(*b) + count * sizeof(struct gpio_in));
    b->oid = (uint8_t)args[0];
    b->button_count = count;
    b->time.func = buttons_event;
}
DECL_COMMAND(command_config_buttons, "config_buttons oid=%c button_count=%c");

void command_buttons_add(const uint32_t *args)
{
    struct buttons *b = oid_lookup((uint8_t)args[0], OID_BUTTONS);
    uint8_t pos = (uint8_t)args[1];
    if (pos >= b->button_count)
        shutdown("Set button past maximum button count");
    b->pins[pos] = gpio_in_setup(args[2], (int32_t)args[3]);
}
DECL_COMMAND(command_buttons_add, "buttons_add oid=%c pos=%c pin=%u pull_up=%c");

void command_buttons_query(const uint32_t *args)
{
    struct buttons *b = oid_lookup((uint8_t)args[0], OID_BUTTONS);
    sched_del_timer(&b->time);
    // A new query is a new session: the host counts acks from 0 again.
    b->invert = (uint8_t)args[4];
    b->ack_count = b->pending = b->send_now = 0;
    b->rest_ticks = args[2];
    b->retransmit_count = b->retransmit_left = (uint8_t)args[3];
    if (!b->rest_ticks)
        return;  // rest_ticks 0 stops polling
    // Start from "every pin reads 0" so pins already active are reported once.
    b->pressed = b->last_sample = 0;
    b->time.waketime = args[1];
    sched_add_timer(&b->time);
}
DECL_COMMAND(command_buttons_query,
             "buttons_query oid=%c clock=%u rest_ticks=%u retransmit_count=%c invert=%c");

void command_buttons_ack(const uint32_t *args)
{
    struct buttons *b = oid_lookup((uint8_t)args[0], OID_BUTTONS);
    uint8_t count = (uint8_t)args[1];
    if (count > b->pending)
        shutdown("Invalid buttons ack count");
    irqstatus_t flag = irq_save();
    b->pending -= count;
    memmove(b->reports, b->reports + count, b->pending);
    b->ack_count += count;
    irq_restore(flag);
}
DECL_COMMAND(command_buttons_ack, "buttons_ack oid=%c count=%c");

DECL_TASK(buttons_task);
void buttons_task(void)
{
    if (!buttons_wake)
        return;
    buttons_wake = 0;
    int16_t oid = -1;
    struct buttons *b;
    while ((b = oid_next(&oid, OID_BUTTONS))) {
        uint8_t reports[BUTTONS_REPORTS_MAX];
        irqstatus_t flag = irq_save();
        uint8_t send = b->send_now, count = b->pending, ack = b->ack_count;
        b->send_now = 0;
        if (send)
            b->retransmit_left = b->retransmit_count;
        memcpy(reports, b->reports, count);
        irq_restore(flag);
        if (send && count)
            send_buttons_state(b->oid, ack, count, reports);
    }
}
