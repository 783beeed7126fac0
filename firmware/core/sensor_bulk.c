// Poll timer and bulk sample messages shared by the accelerometer drivers (sensor_bulk.h).
// Left out of the atmega328p build with the drivers (Makefile).
#include <string.h>
#include "command.h"
#include "sensor_bulk.h"
#include "board/timer.h"
#include "gen/dict.h"

DECL_RESPONSE("sensor_bulk_data oid=%c sequence=%hu data=%*s");
DECL_RESPONSE("sensor_bulk_status oid=%c clock=%u query_ticks=%u next_sequence=%hu buffered=%u"
              " possible_overflows=%hu");

static uint_fast8_t sensor_bulk_event(struct timer *t)
{
    struct sensor_bulk *sb = container_of(t, struct sensor_bulk, timer);
    sb->pending = 1;
    *sb->wake = 1;
    sched_wake_tasks();
    t->waketime += sb->rest_ticks;
    return SF_RESCHEDULE;
}

void sensor_bulk_init(struct sensor_bulk *sb, uint8_t oid, uint8_t msg_bytes, uint8_t *wake)
{
    sb->oid = oid;
    sb->msg_bytes = msg_bytes;
    sb->wake = wake;
    sb->timer.func = sensor_bulk_event;
}

static void sensor_bulk_flush(struct sensor_bulk *sb)
{
    if (!sb->data_count)
        return;
    send_sensor_bulk_data(sb->oid, sb->sequence, sb->data_count, sb->data);
    sb->sequence++;
    sb->data_count = 0;
}

void sensor_bulk_query(struct sensor_bulk *sb, uint32_t rest_ticks)
{
    sched_del_timer(&sb->timer);
    sb->pending = 0;
    if (!rest_ticks) {
        sensor_bulk_flush(sb);
        return;
    }
    sb->rest_ticks = rest_ticks;
    sb->sequence = 0;
    sb->possible_overflows = 0;
    sb->data_count = 0;
    sb->timer.waketime = timer_read_time() + rest_ticks;
    sched_add_timer(&sb->timer);
}

int sensor_bulk_due(struct sensor_bulk *sb)
{
    if (!sb->pending)
        return 0;
    sb->pending = 0;
    return 1;
}

void sensor_bulk_add(struct sensor_bulk *sb, const uint8_t *sample, uint8_t len)
{
    memcpy(&sb->data[sb->data_count], sample, len);
    sb->data_count += len;
    if (sb->data_count + len > sb->msg_bytes)
        sensor_bulk_flush(sb);
}

void sensor_bulk_report_status(struct sensor_bulk *sb, uint32_t start, uint32_t end, uint32_t fifo_bytes)
{
    send_sensor_bulk_status(sb->oid, start, end - start, sb->sequence, fifo_bytes + sb->data_count,
                            sb->possible_overflows);
}
