// LIS2DW12 and LIS3DH accelerometers on SPI (config_spi) or I2C (config_i2c): a poll timer
// wakes the task every rest_ticks; it reads the FIFO level and then each entry's six output
// bytes (X, Y, Z little-endian, as the chip gives them), sent in sensor_bulk_data messages of
// 8 samples (48 bytes); query_lis2dw_status reports the clock of a FIFO level read
// (sensor_bulk_status, buffered in bytes). Klipper's config_lis2dw/query_lis2dw formats.
// Left out of the atmega328p build (Makefile).
#include "basecmd.h"
#include "command.h"
#include "i2ccmds.h"
#include "sched.h"
#include "sensor_bulk.h"
#include "spicmds.h"
#include "board/timer.h"
#include "gen/dict.h"

DECL_ENUMERATION("bus_oid_type", "spi", 0);
DECL_ENUMERATION("bus_oid_type", "i2c", 1);
DECL_ENUMERATION("lis_chip_type", "LIS2DW", 0);
DECL_ENUMERATION("lis_chip_type", "LIS3DH", 1);
enum { BUS_SPI, BUS_I2C };
enum { CHIP_LIS2DW, CHIP_LIS3DH };

// Registers (both datasheets agree on these addresses).
#define LR_OUT_X_L 0x28
#define LR_FIFO_LEVEL 0x2f  // LIS2DW FIFO_SAMPLES / LIS3DH FIFO_SRC_REG
#define LM_SPI_READ 0x80
#define LM_LIS3DH_SPI_MULTI 0x40  // LIS3DH address auto-increment: bit 6 on SPI, bit 7 on I2C
#define LM_LIS3DH_I2C_MULTI 0x80

#define BYTES_PER_SAMPLE 6
#define BULK_DATA_SIZE 48
#define FIFO_ENTRIES 32

struct lis2dw {
    struct sensor_bulk sb;
    void *bus;
    uint8_t bus_type, chip_type;
};

static uint8_t lis2dw_wake;

void command_config_lis2dw(const uint32_t *args)
{
    uint8_t bus_type = (uint8_t)args[2], chip_type = (uint8_t)args[3];
    if (bus_type > BUS_I2C || chip_type > CHIP_LIS3DH)
        shutdown("Invalid lis2dw bus or chip type");
    // The bus first, so a bad bus oid shuts down before a sensor without a bus exists.
    void *bus = bus_type == BUS_SPI ? (void *)spidev_oid_lookup((uint8_t)args[1])
                                    : (void *)i2cdev_oid_lookup((uint8_t)args[1]);
    struct lis2dw *l = oid_alloc((uint8_t)args[0], OID_LIS2DW, sizeof(*l));
    l->bus = bus;
    l->bus_type = bus_type;
    l->chip_type = chip_type;
    sensor_bulk_init(&l->sb, (uint8_t)args[0], BULK_DATA_SIZE, &lis2dw_wake);
}
DECL_COMMAND(command_config_lis2dw,
             "config_lis2dw oid=%c bus_oid=%c bus_oid_type=%c lis_chip_type=%c");

// Read len (<= 6) registers from reg on; the LIS2DW auto-increments by its CTRL2 default.
static void lis2dw_read(struct lis2dw *l, uint8_t reg, uint8_t len, uint8_t *out)
{
    uint8_t multi = len > 1 && l->chip_type == CHIP_LIS3DH;
    if (l->bus_type == BUS_SPI) {
        uint8_t msg[1 + BYTES_PER_SAMPLE] = { (uint8_t)(reg | LM_SPI_READ | (multi ? LM_LIS3DH_SPI_MULTI : 0)) };
        spidev_transfer(l->bus, 1, 1 + len, msg);
        for (uint8_t i = 0; i < len; i++)
            out[i] = msg[1 + i];
        return;
    }
    uint8_t addr = (uint8_t)(reg | (multi ? LM_LIS3DH_I2C_MULTI : 0));
    if (i2cdev_transfer(l->bus, 1, &addr, len, out))
        shutdown("lis2dw i2c transfer failed");
}

// Unread FIFO entries; a full FIFO or the overrun flag counts as a possible overflow.
static uint8_t lis2dw_fifo_entries(struct lis2dw *l, uint8_t *overrun)
{
    uint8_t v;
    lis2dw_read(l, LR_FIFO_LEVEL, 1, &v);
    uint8_t n = l->chip_type == CHIP_LIS3DH ? ((v & 0x40) ? FIFO_ENTRIES : (v & 0x1f)) : (v & 0x3f);
    *overrun = (v & 0x40) || n >= FIFO_ENTRIES;
    return n;
}

void command_query_lis2dw(const uint32_t *args)
{
    struct lis2dw *l = oid_lookup((uint8_t)args[0], OID_LIS2DW);
    sensor_bulk_query(&l->sb, args[1]);
}
DECL_COMMAND(command_query_lis2dw, "query_lis2dw oid=%c rest_ticks=%u");

void command_query_lis2dw_status(const uint32_t *args)
{
    struct lis2dw *l = oid_lookup((uint8_t)args[0], OID_LIS2DW);
    uint8_t overrun;
    uint32_t start = timer_read_time();
    uint8_t entries = lis2dw_fifo_entries(l, &overrun);
    uint32_t end = timer_read_time();
    sensor_bulk_report_status(&l->sb, start, end, (uint32_t)entries * BYTES_PER_SAMPLE);
}
DECL_COMMAND(command_query_lis2dw_status, "query_lis2dw_status oid=%c");

DECL_TASK(lis2dw_task);
void lis2dw_task(void)
{
    if (!lis2dw_wake)
        return;
    lis2dw_wake = 0;
    int16_t oid = -1;
    struct lis2dw *l;
    while ((l = oid_next(&oid, OID_LIS2DW))) {
        if (!sensor_bulk_due(&l->sb))
            continue;
        uint8_t overrun, entries = lis2dw_fifo_entries(l, &overrun);
        if (overrun)
            l->sb.possible_overflows++;
        while (entries--) {
            uint8_t d[BYTES_PER_SAMPLE];
            lis2dw_read(l, LR_OUT_X_L, BYTES_PER_SAMPLE, d);
            sensor_bulk_add(&l->sb, d, BYTES_PER_SAMPLE);
        }
    }
}

DECL_SHUTDOWN(lis2dw_shutdown);
void lis2dw_shutdown(void)
{
    int16_t oid = -1;
    struct lis2dw *l;
    while ((l = oid_next(&oid, OID_LIS2DW)))
        l->sb.pending = 0;
}
