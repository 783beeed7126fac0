// SPI devices: a chip select (or none) on a hardware bus (board/spi.h) or a software bus
// bit-banged on any three pins; spi_send writes, spi_transfer writes and answers with the bytes
// read. Used by the host for Trinamic SPI drivers (TMC2130/2240/5160), thermocouple chips, ...
#include "basecmd.h"
#include "command.h"
#include "sched.h"
#include "spicmds.h"
#include "board/gpio.h"
#include "board/spi.h"
#include "board/timer.h"
#include "gen/dict.h"

enum { SF_HAVE_CS = 1 << 0, SF_CS_ACTIVE_HIGH = 1 << 1, SF_SOFTWARE = 1 << 2, SF_HARDWARE = 1 << 3 };

struct spidev {
    struct gpio_out cs;
    struct spi_software sw;
#ifdef BOARD_HAS_SPI
    struct spi_config hw;
#endif
    uint8_t flags;
};

#define SPI_SOFTWARE_MAX_PULSE_TICKS 100000

static void wait_ticks(uint32_t start, uint32_t ticks)
{
    while (timer_is_before(timer_read_time(), start + ticks))
        ;
}

void spi_software_setup(struct spi_software *s, uint32_t miso_pin, uint32_t mosi_pin,
                        uint32_t sclk_pin, uint8_t mode, uint32_t pulse_ticks)
{
    if (mode > 3)
        shutdown("Invalid spi mode");
    // Each clock level is busy-waited inside the command: a host asking for a crawling clock
    // would stall the MCU (and starve its steppers) for as long. 100000 ticks is a ~1 kHz SPI
    // clock even at 180 MHz, far below any driver's need (Klipper's hosts ask for MHz rates).
    if (pulse_ticks > SPI_SOFTWARE_MAX_PULSE_TICKS)
        shutdown("Invalid spi pulse_ticks");
    s->mode = mode;
    s->pulse_ticks = pulse_ticks;
    s->sclk = gpio_out_setup(sclk_pin, mode >> 1);
    // MISO before MOSI: a write-only bus (dotstar LEDs) names its data pin for both, and the
    // pin must end up an output.
    s->miso = gpio_in_setup(miso_pin, 0);
    s->mosi = gpio_out_setup(mosi_pin, 0);
}

void spi_software_prepare(const struct spi_software *s)
{
    gpio_out_write(s->sclk, s->mode >> 1);
}

void spi_software_transfer(const struct spi_software *s, uint8_t receive, uint8_t len, uint8_t *data)
{
    uint8_t idle = s->mode >> 1, sample_late = s->mode & 1;
    for (uint8_t i = 0; i < len; i++) {
        uint8_t out = data[i], in = 0;
        for (uint8_t bit = 0; bit < 8; bit++) {
            uint32_t t = timer_read_time();
            if (!sample_late)  // CPHA 0: data valid before the leading edge, sampled on it
                gpio_out_write(s->mosi, out & 0x80);
            gpio_out_write(s->sclk, !idle);  // leading edge
            if (sample_late)   // CPHA 1: data changes on the leading edge ...
                gpio_out_write(s->mosi, out & 0x80);
            else
                in = (uint8_t)((in << 1) | gpio_in_read(s->miso));
            wait_ticks(t, s->pulse_ticks);
            t = timer_read_time();
            gpio_out_write(s->sclk, idle);  // trailing edge
            if (sample_late)   // ... and is sampled on the trailing one
                in = (uint8_t)((in << 1) | gpio_in_read(s->miso));
            wait_ticks(t, s->pulse_ticks);
            out <<= 1;
        }
        if (receive)
            data[i] = in;
    }
}

static void spidev_cs(struct spidev *d, uint8_t active)
{
    if (d->flags & SF_HAVE_CS)
        gpio_out_write(d->cs, active ^ !(d->flags & SF_CS_ACTIVE_HIGH));
}

void command_config_spi(const uint32_t *args)
{
    struct spidev *d = oid_alloc((uint8_t)args[0], OID_SPI, sizeof(*d));
    d->flags = SF_HAVE_CS | (args[2] ? SF_CS_ACTIVE_HIGH : 0);
    d->cs = gpio_out_setup(args[1], !args[2]);  // inactive
}
DECL_COMMAND(command_config_spi, "config_spi oid=%c pin=%u cs_active_high=%c");

void command_config_spi_without_cs(const uint32_t *args)
{
    oid_alloc((uint8_t)args[0], OID_SPI, sizeof(struct spidev));
}
DECL_COMMAND(command_config_spi_without_cs, "config_spi_without_cs oid=%c");

void command_spi_set_bus(const uint32_t *args)
{
    struct spidev *d = oid_lookup((uint8_t)args[0], OID_SPI);
#ifdef BOARD_HAS_SPI
    if (args[2] > 3)
        shutdown("Invalid spi mode");
    d->hw = spi_setup(args[1], (uint8_t)args[2], args[3]);
    d->flags = (uint8_t)((d->flags & ~SF_SOFTWARE) | SF_HARDWARE);
#else
    (void)d;
    shutdown("No hardware SPI on this board: use software SPI pins");
#endif
}
DECL_COMMAND(command_spi_set_bus, "spi_set_bus oid=%c spi_bus=%u mode=%u rate=%u");

void command_spi_set_sw_bus(const uint32_t *args)
{
    struct spidev *d = oid_lookup((uint8_t)args[0], OID_SPI);
    spi_software_setup(&d->sw, args[1], args[2], args[3], (uint8_t)args[4], args[5]);
    d->flags = (uint8_t)((d->flags & ~SF_HARDWARE) | SF_SOFTWARE);
}
DECL_COMMAND(command_spi_set_sw_bus,
             "spi_set_sw_bus oid=%c miso_pin=%u mosi_pin=%u sclk_pin=%u mode=%u pulse_ticks=%u");

void spidev_transfer(struct spidev *d, uint8_t receive, uint8_t len, uint8_t *data)
{
    if (d->flags & SF_SOFTWARE) {
        spi_software_prepare(&d->sw);
        spidev_cs(d, 1);
        spi_software_transfer(&d->sw, receive, len, data);
#ifdef BOARD_HAS_SPI
    } else if (d->flags & SF_HARDWARE) {
        spi_prepare(d->hw);
        spidev_cs(d, 1);
        spi_transfer(d->hw, receive, len, data);
#endif
    } else {
        shutdown("SPI device has no bus");
    }
    spidev_cs(d, 0);
}

struct spidev *spidev_oid_lookup(uint8_t oid)
{
    return oid_lookup(oid, OID_SPI);
}

// Copy the argument: a transfer overwrites its buffer with the bytes read.
static uint8_t spidev_copy_arg(const uint32_t *args, uint8_t *buf)
{
    uint8_t len = (uint8_t)args[1];
    const uint8_t *src = command_arg_bytes(args[2]);
    for (uint8_t i = 0; i < len; i++)
        buf[i] = src[i];
    return len;
}

void command_spi_send(const uint32_t *args)
{
    struct spidev *d = oid_lookup((uint8_t)args[0], OID_SPI);
    uint8_t buf[64];
    uint8_t len = spidev_copy_arg(args, buf);
    spidev_transfer(d, 0, len, buf);
}
DECL_COMMAND(command_spi_send, "spi_send oid=%c data=%*s");

DECL_RESPONSE("spi_transfer_response oid=%c response=%*s");

void command_spi_transfer(const uint32_t *args)
{
    struct spidev *d = oid_lookup((uint8_t)args[0], OID_SPI);
    uint8_t buf[64];
    uint8_t len = spidev_copy_arg(args, buf);
    spidev_transfer(d, 1, len, buf);
    send_spi_transfer_response((uint8_t)args[0], len, buf);
}
DECL_COMMAND(command_spi_transfer, "spi_transfer oid=%c data=%*s");

DECL_SHUTDOWN(spicmds_shutdown);
void spicmds_shutdown(void)
{
    int16_t oid = -1;
    struct spidev *d;
    while ((d = oid_next(&oid, OID_SPI)))
        spidev_cs(d, 0);
}
