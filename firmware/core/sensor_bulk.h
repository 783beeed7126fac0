#ifndef CORE_SENSOR_BULK_H
#define CORE_SENSOR_BULK_H
// What the bulk-reporting sensor drivers share (adxl345.c, lis2dw.c, mpu9250.c): a poll timer
// that wakes the driver's task every rest_ticks, and samples collected into sensor_bulk_data
// messages numbered by sequence; sensor_bulk_status tells the host how many samples existed at
// a clock so it can map sample numbers to time (Klipper's protocol).
#include <stdint.h>
#include "sched.h"

#define SENSOR_BULK_DATA_MAX 52

struct sensor_bulk {
    struct timer timer;
    uint8_t *wake;          // the driver's task flag, set with each poll
    uint32_t rest_ticks;
    uint16_t sequence, possible_overflows;
    uint8_t oid, msg_bytes, data_count, pending;
    uint8_t data[SENSOR_BULK_DATA_MAX];
};

// At config: the sensor's oid, its message size (a whole number of samples) and task flag.
void sensor_bulk_init(struct sensor_bulk *sb, uint8_t oid, uint8_t msg_bytes, uint8_t *wake);
// query_*: rest_ticks 0 stops polling and sends what is left; otherwise restarts from sequence 0.
void sensor_bulk_query(struct sensor_bulk *sb, uint32_t rest_ticks);
// In the task: whether a poll fell due since the last call (once per poll).
int sensor_bulk_due(struct sensor_bulk *sb);
// Append one sample's bytes; a message goes out when the next sample would not fit.
void sensor_bulk_add(struct sensor_bulk *sb, const uint8_t *sample, uint8_t len);
// query_*_status: the clock of the chip's FIFO read (start, end) and the bytes it held.
void sensor_bulk_report_status(struct sensor_bulk *sb, uint32_t start, uint32_t end, uint32_t fifo_bytes);

#endif
