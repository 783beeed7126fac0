// InvenSense accelerometers on I2C (config_i2c): MPU-9250/6500/6050 (config_mpu9250) and
// ICM-20948 (config_icm20948), whose FIFOs work alike at other register addresses. A poll
// timer wakes the task every rest_ticks; it reads the FIFO byte count (and the overflow flag)
// and then whole samples from the FIFO register, 6 bytes each (X, Y, Z big-endian as the chip
// stores them), 8 per sensor_bulk_data message; query_*_status reports the clock of a count
// read (sensor_bulk_status, buffered in bytes). Klipper's command formats.
// The host configures the chip (rate, range, FIFO) and leaves the ICM-20948 on register bank 0.
// Left out of the atmega328p build (Makefile).
#include "basecmd.h"
#include "command.h"
#include "i2ccmds.h"
#include "sched.h"
#include "sensor_bulk.h"
#include "board/timer.h"
#include "gen/dict.h"

#define BYTES_PER_SAMPLE 6
#define BULK_DATA_SIZE 48  // also the most read in one transfer

// Register addresses per family (datasheets): FIFO count (high byte first), FIFO data, and the
// interrupt status holding the FIFO overflow flag.
struct mpu_regs { uint8_t fifo_count, fifo_data, int_status, overflow_mask; };
static const struct mpu_regs MPU9250_REGS = { 0x72, 0x74, 0x3a, 0x10 };
static const struct mpu_regs ICM20948_REGS = { 0x70, 0x72, 0x1b, 0x1f };

struct mpu9250 {
    struct sensor_bulk sb;
    struct i2cdev *i2c;
    const struct mpu_regs *regs;
};

static uint8_t mpu9250_wake;

static void mpu_config(const uint32_t *args, const struct mpu_regs *regs)
{
    struct i2cdev *i2c = i2cdev_oid_lookup((uint8_t)args[1]);
    struct mpu9250 *m = oid_alloc((uint8_t)args[0], OID_MPU9250, sizeof(*m));
    m->i2c = i2c;
    m->regs = regs;
    sensor_bulk_init(&m->sb, (uint8_t)args[0], BULK_DATA_SIZE, &mpu9250_wake);
}

void command_config_mpu9250(const uint32_t *args) { mpu_config(args, &MPU9250_REGS); }
DECL_COMMAND(command_config_mpu9250, "config_mpu9250 oid=%c i2c_oid=%c");
void command_config_icm20948(const uint32_t *args) { mpu_config(args, &ICM20948_REGS); }
DECL_COMMAND(command_config_icm20948, "config_icm20948 oid=%c i2c_oid=%c");

static void mpu_read(struct mpu9250 *m, uint8_t reg, uint8_t len, uint8_t *out)
{
    if (i2cdev_transfer(m->i2c, 1, &reg, len, out))
        shutdown("mpu9250 i2c transfer failed");
}

// Bytes in the FIFO (13 bits).
static uint16_t mpu_fifo_bytes(struct mpu9250 *m)
{
    uint8_t c[2];
    mpu_read(m, m->regs->fifo_count, 2, c);
    return (uint16_t)(((c[0] & 0x1f) << 8) | c[1]);
}

static void mpu_query(const uint32_t *args)
{
    struct mpu9250 *m = oid_lookup((uint8_t)args[0], OID_MPU9250);
    sensor_bulk_query(&m->sb, args[1]);
}
void command_query_mpu9250(const uint32_t *args) { mpu_query(args); }
DECL_COMMAND(command_query_mpu9250, "query_mpu9250 oid=%c rest_ticks=%u");
void command_query_icm20948(const uint32_t *args) { mpu_query(args); }
DECL_COMMAND(command_query_icm20948, "query_icm20948 oid=%c rest_ticks=%u");

static void mpu_status(const uint32_t *args)
{
    struct mpu9250 *m = oid_lookup((uint8_t)args[0], OID_MPU9250);
    uint32_t start = timer_read_time();
    uint16_t bytes = mpu_fifo_bytes(m);
    uint32_t end = timer_read_time();
    sensor_bulk_report_status(&m->sb, start, end, bytes);
}
void command_query_mpu9250_status(const uint32_t *args) { mpu_status(args); }
DECL_COMMAND(command_query_mpu9250_status, "query_mpu9250_status oid=%c");
void command_query_icm20948_status(const uint32_t *args) { mpu_status(args); }
DECL_COMMAND(command_query_icm20948_status, "query_icm20948_status oid=%c");

DECL_TASK(mpu9250_task);
void mpu9250_task(void)
{
    if (!mpu9250_wake)
        return;
    mpu9250_wake = 0;
    int16_t oid = -1;
    struct mpu9250 *m;
    while ((m = oid_next(&oid, OID_MPU9250))) {
        if (!sensor_bulk_due(&m->sb))
            continue;
        uint8_t status;
        mpu_read(m, m->regs->int_status, 1, &status);  // reading clears the flag
        if (status & m->regs->overflow_mask)
            m->sb.possible_overflows++;
        // Whole samples only: a partly written one stays for the next poll.
        uint16_t samples = mpu_fifo_bytes(m) / BYTES_PER_SAMPLE;
        while (samples) {
            uint8_t n = samples > BULK_DATA_SIZE / BYTES_PER_SAMPLE ? BULK_DATA_SIZE / BYTES_PER_SAMPLE : (uint8_t)samples;
            uint8_t d[BULK_DATA_SIZE];
            mpu_read(m, m->regs->fifo_data, (uint8_t)(n * BYTES_PER_SAMPLE), d);
            for (uint8_t i = 0; i < n; i++)
                sensor_bulk_add(&m->sb, &d[i * BYTES_PER_SAMPLE], BYTES_PER_SAMPLE);
            samples -= n;
        }
    }
}

DECL_SHUTDOWN(mpu9250_shutdown);
void mpu9250_shutdown(void)
{
    int16_t oid = -1;
    struct mpu9250 *m;
    while ((m = oid_next(&oid, OID_MPU9250)))
        m->sb.pending = 0;
}
