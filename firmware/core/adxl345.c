// ADXL345 accelerometer on an SPI device (config_spi): a timer polls the chip's FIFO every
// rest_ticks, the task reads it out and sends the samples to the host in bulk
// (sensor_bulk_data, 5 bytes a sample, numbered by sequence); query_adxl345_status reports
// the clock of a FIFO read so the host can map sample numbers to time (sensor_bulk_status).
// Left out of the atmega328p build (Makefile): its RAM cannot spare the buffer.
#include <string.h>
#include "basecmd.h"
#include "command.h"
#include "sched.h"
#include "spicmds.h"
#include "board/timer.h"
#include "gen/dict.h"

// Chip registers (datasheet).
#define AR_FIFO_STATUS 0x39
#define AR_DATAX0 0x32
#define AM_READ 0x80
#define AM_MULTI 0x40

#define BYTES_PER_SAMPLE 5
#define BULK_DATA_SIZE 50  // 10 samples per sensor_bulk_data message

struct adxl345 {
    struct timer timer;
    struct spidev *spi;
    uint32_t rest_ticks;
    uint16_t sequence, possible_overflows;
    uint8_t oid, data_count, pending;
    uint8_t data[BULK_DATA_SIZE];
};

static uint8_t adxl345_wake;

DECL_RESPONSE("sensor_bulk_data oid=%c sequence=%hu data=%*s");
DECL_RESPONSE("sensor_bulk_status oid=%c clock=%u query_ticks=%u next_sequence=%hu buffered=%u"
              " possible_overflows=%hu");

static uint_fast8_t adxl345_event(struct timer *t)
{
    struct adxl345 *a = container_of(t, struct adxl345, timer);
    a->pending = 1;
    adxl345_wake = 1;
    sched_wake_tasks();
    t->waketime += a->rest_ticks;
    return SF_RESCHEDULE;
}

void command_config_adxl345(const uint32_t *args)
{
    // The bus first: a bad spi_oid shuts down before an adxl345 without a bus exists (a host
    // may clear the shutdown and query it).
    struct spidev *spi = spidev_oid_lookup((uint8_t)args[1]);
    struct adxl345 *a = oid_alloc((uint8_t)args[0], OID_ADXL345, sizeof(*a));
    a->oid = (uint8_t)args[0];
    a->spi = spi;
    a->timer.func = adxl345_event;
}
DECL_COMMAND(command_config_adxl345, "config_adxl345 oid=%c spi_oid=%c");

static void adxl345_flush(struct adxl345 *a)
{
    if (!a->data_count)
        return;
    send_sensor_bulk_data(a->oid, a->sequence, a->data_count, a->data);
    a->sequence++;
    a->data_count = 0;
}

static uint8_t adxl345_fifo_entries(struct adxl345 *a)
{
    uint8_t msg[2] = { AR_FIFO_STATUS | AM_READ, 0 };
    spidev_transfer(a->spi, 1, 2, msg);
    return msg[1] & 0x3f;
}

// One FIFO entry (X, Y, Z, 13 bits each in full resolution) packed into 5 bytes: the three
// low bytes, then X's and Y's top 5 bits each with Z's top bits above them (the host's decode
// is the protocol's: x = xlow | (b3 & 0x1f) << 8, z high bits in b3 bits 5..7, b4 bits 5..6).
static void adxl345_read_sample(struct adxl345 *a)
{
    uint8_t msg[7] = { AR_DATAX0 | AM_READ | AM_MULTI, 0, 0, 0, 0, 0, 0 };
    spidev_transfer(a->spi, 1, sizeof(msg), msg);
    uint8_t *d = &a->data[a->data_count];
    d[0] = msg[1];
    d[1] = msg[3];
    d[2] = msg[5];
    d[3] = (uint8_t)((msg[2] & 0x1f) | (msg[6] << 5));
    d[4] = (uint8_t)((msg[4] & 0x1f) | ((msg[6] << 2) & 0x60));
    a->data_count += BYTES_PER_SAMPLE;
    if (a->data_count + BYTES_PER_SAMPLE > BULK_DATA_SIZE)
        adxl345_flush(a);
}

void command_query_adxl345(const uint32_t *args)
{
    struct adxl345 *a = oid_lookup((uint8_t)args[0], OID_ADXL345);
    sched_del_timer(&a->timer);
    a->pending = 0;
    if (!args[1]) {
        adxl345_flush(a);  // rest_ticks 0 stops: send what is left
        return;
    }
    a->rest_ticks = args[1];
    a->sequence = 0;
    a->possible_overflows = 0;
    a->data_count = 0;
    a->timer.waketime = timer_read_time() + a->rest_ticks;
    sched_add_timer(&a->timer);
}
DECL_COMMAND(command_query_adxl345, "query_adxl345 oid=%c rest_ticks=%u");

void command_query_adxl345_status(const uint32_t *args)
{
    struct adxl345 *a = oid_lookup((uint8_t)args[0], OID_ADXL345);
    uint32_t start = timer_read_time();
    uint8_t entries = adxl345_fifo_entries(a);
    uint32_t end = timer_read_time();
    send_sensor_bulk_status(a->oid, start, end - start, a->sequence,
                            (uint32_t)entries * BYTES_PER_SAMPLE + a->data_count,
                            a->possible_overflows);
}
DECL_COMMAND(command_query_adxl345_status, "query_adxl345_status oid=%c");

DECL_TASK(adxl345_task);
void adxl345_task(void)
{
    if (!adxl345_wake)
        return;
    adxl345_wake = 0;
    int16_t oid = -1;
    struct adxl345 *a;
    while ((a = oid_next(&oid, OID_ADXL345))) {
        if (!a->pending)
            continue;
        a->pending = 0;
        // Read what the FIFO holds now (at most its 32 entries), then flush a partial message
        // only when the FIFO ran empty so messages stay full while samples keep coming.
        uint8_t entries = adxl345_fifo_entries(a);
        if (entries >= 32)  // full FIFO: samples may have been dropped
            a->possible_overflows++;
        while (entries--)
            adxl345_read_sample(a);
    }
}

DECL_SHUTDOWN(adxl345_shutdown);
void adxl345_shutdown(void)
{
    int16_t oid = -1;
    struct adxl345 *a;
    while ((a = oid_next(&oid, OID_ADXL345)))
        a->pending = 0;
}
