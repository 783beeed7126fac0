// Trinamic single-wire UART (TMC2208/2209/2225/2226): the host hands over the raw bit stream
// (start and stop bits already added, LSB first); this file clocks it out on a pin at bit_time,
// then turns the line around and samples the driver's reply at the same rate. The rx and tx
// pins may be the same pin (half duplex, the usual wiring): it is an output only while sending.
#include "basecmd.h"
#include "command.h"
#include "sched.h"
#include "board/gpio.h"
#include "board/timer.h"
#include "gen/dict.h"

#define TMCUART_MAX_BYTES 16     // a write datagram is 10 bytes on the wire, a reply 10
// A driver answers at least 8 bit times after the request (SENDDELAY, at most 15 x 8): look for
// the start bit from half that on (polling costs interrupts), give up after 128 bit times.
#define TMCUART_QUIET_BITS 4
#define TMCUART_TIMEOUT_BITS 128  // no start bit by then: empty reply

enum { TU_ACTIVE = 1 << 0, TU_READING = 1 << 1, TU_DONE = 1 << 2, TU_SINGLE_WIRE = 1 << 3 };

struct tmcuart {
    struct timer time;
    struct gpio_out tx;
    struct gpio_in rx;
    uint32_t bit_ticks, deadline;
    uint8_t oid, flags, pull_up;
    uint8_t write_bits_left, read_bytes, pos_bit;
    uint8_t data[TMCUART_MAX_BYTES];
};

static uint8_t tmcuart_wake;

DECL_RESPONSE("tmcuart_response oid=%c read=%*s");

static void tmcuart_finish(struct tmcuart *t)
{
    if (t->flags & TU_SINGLE_WIRE)
        gpio_in_reset(t->rx, t->pull_up);  // hand the line back to its pull-up
    t->flags |= TU_DONE;
    tmcuart_wake = 1;
    sched_wake_tasks();
}

// Sample one reply bit in the middle of its bit time.
static uint_fast8_t tmcuart_read_event(struct timer *tm)
{
    struct tmcuart *t = container_of(tm, struct tmcuart, time);
    uint8_t pos = t->pos_bit;
    if (gpio_in_read(t->rx))
        t->data[pos / 8] |= (uint8_t)(1 << (pos % 8));
    t->pos_bit = ++pos;
    if (pos >= t->read_bytes * 8) {
        tmcuart_finish(t);
        return SF_DONE;
    }
    tm->waketime += t->bit_ticks;
    return SF_RESCHEDULE;
}

// Poll for the falling edge of the reply's first start bit, four times per bit.
static uint_fast8_t tmcuart_wait_start_event(struct timer *tm)
{
    struct tmcuart *t = container_of(tm, struct tmcuart, time);
    uint32_t poll_ticks = t->bit_ticks / 4;
    if (gpio_in_read(t->rx)) {
        if (!timer_is_before(tm->waketime, t->deadline)) {
            t->read_bytes = 0;  // nobody answered: an empty reply tells the host
            tmcuart_finish(t);
            return SF_DONE;
        }
        tm->waketime += poll_ticks;
        return SF_RESCHEDULE;
    }
    // The edge came within the last poll: the start bit's middle is about half a bit after
    // the middle of that poll interval. Sample the start bit itself as bit 0 (the host checks it).
    tm->waketime += t->bit_ticks / 2 - poll_ticks / 2;
    tm->func = tmcuart_read_event;
    return SF_RESCHEDULE;
}

// Drive the next bit of the request; after the last one's bit time, turn the line around.
static uint_fast8_t tmcuart_send_event(struct timer *tm)
{
    struct tmcuart *t = container_of(tm, struct tmcuart, time);
    if (!t->write_bits_left) {
        if (!t->read_bytes) {
            tmcuart_finish(t);
            return SF_DONE;
        }
        if (t->flags & TU_SINGLE_WIRE)
            gpio_in_reset(t->rx, t->pull_up);
        t->flags |= TU_READING;
        t->pos_bit = 0;
        for (uint8_t i = 0; i < TMCUART_MAX_BYTES; i++)
            t->data[i] = 0;
        t->deadline = tm->waketime + TMCUART_TIMEOUT_BITS * t->bit_ticks;
        tm->func = tmcuart_wait_start_event;
        tm->waketime += TMCUART_QUIET_BITS * t->bit_ticks;
        return SF_RESCHEDULE;
    }
    uint8_t pos = t->pos_bit;
    gpio_out_write(t->tx, (t->data[pos / 8] >> (pos % 8)) & 1);
    t->pos_bit = pos + 1;
    t->write_bits_left--;
    tm->waketime += t->bit_ticks;
    return SF_RESCHEDULE;
}

void command_config_tmcuart(const uint32_t *args)
{
    struct tmcuart *t = oid_alloc((uint8_t)args[0], OID_TMCUART, sizeof(*t));
    t->oid = (uint8_t)args[0];
    t->pull_up = (uint8_t)args[2];
    t->bit_ticks = args[4];
    if (t->bit_ticks < 8)
        shutdown("tmcuart bit_time too small");
    // Output (idle high) first, so that a half-duplex pin ends up an input with its pull-up.
    t->tx = gpio_out_setup(args[3], 1);
    t->rx = gpio_in_setup(args[1], (int32_t)args[2]);
    if (args[1] == args[3])
        t->flags |= TU_SINGLE_WIRE;
}
DECL_COMMAND(command_config_tmcuart, "config_tmcuart oid=%c rx_pin=%u pull_up=%c tx_pin=%u bit_time=%u");

void command_tmcuart_send(const uint32_t *args)
{
    struct tmcuart *t = oid_lookup((uint8_t)args[0], OID_TMCUART);
    if (t->flags & TU_ACTIVE)
        return;  // busy with the previous transfer: the host's query retry sends it again
    uint8_t write_len = (uint8_t)args[1], read_len = (uint8_t)args[3];
    if (write_len > TMCUART_MAX_BYTES || read_len > TMCUART_MAX_BYTES)
        shutdown("tmcuart data too large");
    const uint8_t *write = command_arg_bytes(args[2]);
    for (uint8_t i = 0; i < write_len; i++)
        t->data[i] = write[i];
    t->write_bits_left = write_len * 8;
    t->read_bytes = read_len;
    t->pos_bit = 0;
    t->flags = (t->flags & TU_SINGLE_WIRE) | TU_ACTIVE;
    if (t->flags & TU_SINGLE_WIRE)
        gpio_out_reset(t->tx, 1);
    // One idle (high) bit before the first start bit.
    t->time.func = tmcuart_send_event;
    t->time.waketime = timer_read_time() + t->bit_ticks;
    sched_add_timer(&t->time);
}
DECL_COMMAND(command_tmcuart_send, "tmcuart_send oid=%c write=%*s read=%c");

DECL_TASK(tmcuart_task);
void tmcuart_task(void)
{
    if (!tmcuart_wake)
        return;
    tmcuart_wake = 0;
    int16_t oid = -1;
    struct tmcuart *t;
    while ((t = oid_next(&oid, OID_TMCUART))) {
        if (!(t->flags & TU_DONE))
            continue;
        uint8_t len = (t->flags & TU_READING) ? t->read_bytes : 0;
        send_tmcuart_response(t->oid, len, t->data);
        t->flags &= TU_SINGLE_WIRE;
    }
}

DECL_SHUTDOWN(tmcuart_shutdown);
void tmcuart_shutdown(void)
{
    int16_t oid = -1;
    struct tmcuart *t;
    while ((t = oid_next(&oid, OID_TMCUART))) {
        sched_del_timer(&t->time);
        if (t->flags & TU_SINGLE_WIRE)
            gpio_in_reset(t->rx, t->pull_up);
        t->flags &= TU_SINGLE_WIRE;
    }
}
