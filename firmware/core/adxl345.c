// ADXL345 accelerometer on an SPI device (config_spi): a timer polls the chip's FIFO every
// rest_ticks, the task reads it out and sends the samples to the host in bulk
// (sensor_bulk_data, 5 bytes a sample, numbered by sequence); query_adxl345_status reports
// the clock of a FIFO read so the host can map sample numbers to time (sensor_bulk_status).
// The polling and message buffering are sensor_bulk.c's.
// Left out of the atmega328p build (Makefile): its RAM cannot spare the buffer.
#include "basecmd.h"
#include "command.h"
#include "sched.h"
#include "sensor_bulk.h"
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
    struct sensor_bulk sb;
    struct spidev *spi;
};

static uint8_t adxl345_wake;

void command_config_adxl345(const uint32_t *args)
{
    // The bus first: a bad spi_oid shuts down before an adxl345 without a bus exists (a host
    // may clear the shutdown and query it).
    struct spidev *spi = spidev_oid_lookup((uint8_t)args[1]);
    struct adxl345 *a = oid_alloc((uint8_t)args[0], OID_ADXL345, sizeof(*a));
    a->spi = spi;
    sensor_bulk_init(&a->sb, (uint8_t)args[0], BULK_DATA_SIZE, &adxl345_wake);
}
DECL_COMMAND(command_config_adxl345, "config_adxl345 oid=%c spi_oid=%c");

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
    uint8_t d[BYTES_PER_SAMPLE] = {
        msg[1], msg[3], msg[5],
        (uint8_t)((msg[2] & 0x1f) | (msg[6] << 5)),
        (uint8_t)((msg[4] & 0x1f) | ((msg[6] << 2) & 0x60)),
    };
    sensor_bulk_add(&a->sb, d, BYTES_PER_SAMPLE);
}

void command_query_adxl345(const uint32_t *args)
{
    struct adxl345 *a = oid_lookup((uint8_t)args[0], OID_ADXL345);
    sensor_bulk_query(&a->sb, args[1]);
}
DECL_COMMAND(command_query_adxl345, "query_adxl345 oid=%c rest_ticks=%u");

void command_query_adxl345_status(const uint32_t *args)
{
    struct adxl345 *a = oid_lookup((uint8_t)args[0], OID_ADXL345);
    uint32_t start = timer_read_time();
    uint8_t entries = adxl345_fifo_entries(a);
    uint32_t end = timer_read_time();
    sensor_bulk_report_status(&a->sb, start, end, (uint32_t)entries * BYTES_PER_SAMPLE);
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
        if (!sensor_bulk_due(&a->sb))
            continue;
        // Read what the FIFO holds now (at most its 32 entries); messages go out full.
        uint8_t entries = adxl345_fifo_entries(a);
        if (entries >= 32)  // full FIFO: samples may have been dropped
            a->sb.possible_overflows++;
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
        a->sb.pending = 0;
}
