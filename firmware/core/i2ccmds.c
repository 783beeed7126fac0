// I2C devices (Klipper's i2c protocol): a device address on a hardware bus (board/i2c.h) or on
// two pins driven open-drain in software; i2c_transfer writes, optionally reads back after a
// repeated start, and always answers i2c_response with the bus status (a missing device is a
// status the host reports, not an MCU shutdown). Used by the host for SSD1306/SH1106 OLED
// displays, I2C accelerometers, MCP4451 digipots, ...
#include "basecmd.h"
#include "command.h"
#include "sched.h"
#include "board/gpio.h"
#include "board/i2c.h"
#include "board/timer.h"
#include "i2ccmds.h"
#include "gen/dict.h"

// Values equal the I2C_BUS_* codes of board/i2c.h.
DECL_ENUMERATION("i2c_bus_status", "SUCCESS", 0);
DECL_ENUMERATION("i2c_bus_status", "NACK", 1);
DECL_ENUMERATION("i2c_bus_status", "BUS_TIMEOUT", 2);
DECL_ENUMERATION("i2c_bus_status", "START_NACK", 3);
DECL_ENUMERATION("i2c_bus_status", "START_READ_NACK", 4);

// Software I2C: a line is released (input with pull-up: the bus resistor pulls it high) or
// pulled low (output 0), never driven high, so a device can hold SDA or stretch SCL.
struct i2c_software {
    struct gpio_in scl_in, sda_in;
    struct gpio_out scl_out, sda_out;
    uint32_t pulse_ticks;
    uint8_t scl_pin, sda_pin;
};

enum { IF_SOFTWARE = 1 << 0, IF_HARDWARE = 1 << 1 };

struct i2cdev {
    struct i2c_software sw;
#ifdef BOARD_HAS_I2C
    struct i2c_config hw;
#endif
    uint8_t flags, addr;
};

#define I2C_SOFTWARE_MAX_PULSE_TICKS 100000  // ~1 kHz at 180 MHz: the waits are busy loops

static void i2c_sw_wait(const struct i2c_software *s)
{
    uint32_t end = timer_read_time() + s->pulse_ticks;
    while (timer_is_before(timer_read_time(), end))
        ;
}

static void i2c_sw_release(struct i2c_software *s, uint8_t sda)
{
    if (sda)
        s->sda_in = gpio_in_setup(s->sda_pin, 1);
    else
        s->scl_in = gpio_in_setup(s->scl_pin, 1);
}

static void i2c_sw_low(struct i2c_software *s, uint8_t sda)
{
    if (sda)
        s->sda_out = gpio_out_setup(s->sda_pin, 0);
    else
        s->scl_out = gpio_out_setup(s->scl_pin, 0);
}

// SCL released and, if a device stretches the clock, waited for (up to ~100 pulses).
static int i2c_sw_scl_high(struct i2c_software *s)
{
    i2c_sw_release(s, 0);
    for (uint8_t i = 0; i < 100; i++) {
        if (gpio_in_read(s->scl_in))
            return 0;
        i2c_sw_wait(s);
    }
    return -1;
}

static int i2c_sw_start(struct i2c_software *s)
{
    i2c_sw_release(s, 1);
    if (i2c_sw_scl_high(s))
        return -1;
    i2c_sw_wait(s);
    i2c_sw_low(s, 1);  // SDA falls while SCL is high: start (or repeated start)
    i2c_sw_wait(s);
    i2c_sw_low(s, 0);
    return 0;
}

static void i2c_sw_stop(struct i2c_software *s)
{
    i2c_sw_low(s, 1);
    i2c_sw_wait(s);
    i2c_sw_scl_high(s);
    i2c_sw_wait(s);
    i2c_sw_release(s, 1);  // SDA rises while SCL is high: stop
    i2c_sw_wait(s);
}

// One bit out (or in, with the line released); returns SDA as read while SCL is high.
static int i2c_sw_bit(struct i2c_software *s, uint8_t bit)
{
    if (bit)
        i2c_sw_release(s, 1);
    else
        i2c_sw_low(s, 1);
    i2c_sw_wait(s);
    if (i2c_sw_scl_high(s))
        return -1;
    i2c_sw_wait(s);
    int level = gpio_in_read(s->sda_in);
    i2c_sw_low(s, 0);
    return bit ? level : 0;
}

// A byte out; returns 0 on ACK, 1 on NACK, -1 on a held clock.
static int i2c_sw_write_byte(struct i2c_software *s, uint8_t b)
{
    for (uint8_t i = 0; i < 8; i++, b <<= 1)
        if (i2c_sw_bit(s, b & 0x80) < 0)
            return -1;
    int ack = i2c_sw_bit(s, 1);
    return ack < 0 ? -1 : ack;
}

static int i2c_sw_read_byte(struct i2c_software *s, uint8_t last, uint8_t *out)
{
    uint8_t b = 0;
    for (uint8_t i = 0; i < 8; i++) {
        int bit = i2c_sw_bit(s, 1);
        if (bit < 0)
            return -1;
        b = (uint8_t)((b << 1) | bit);
    }
    *out = b;
    return i2c_sw_bit(s, last) < 0 ? -1 : 0;  // ACK all but the last byte
}

static int i2c_sw_transfer(struct i2c_software *s, uint8_t addr, uint8_t write_len,
                           const uint8_t *write, uint8_t read_len, uint8_t *read)
{
    int ret = I2C_BUS_SUCCESS;
    if (i2c_sw_start(s))
        return I2C_BUS_TIMEOUT;
    int r = i2c_sw_write_byte(s, (uint8_t)(addr << 1));
    if (r) {
        ret = r < 0 ? I2C_BUS_TIMEOUT : I2C_BUS_START_NACK;
        goto stop;
    }
    for (uint8_t i = 0; i < write_len; i++) {
        r = i2c_sw_write_byte(s, write[i]);
        if (r) {
            ret = r < 0 ? I2C_BUS_TIMEOUT : I2C_BUS_NACK;
            goto stop;
        }
    }
    if (read_len) {
        if (i2c_sw_start(s)) {
            ret = I2C_BUS_TIMEOUT;
            goto stop;
        }
        r = i2c_sw_write_byte(s, (uint8_t)(addr << 1 | 1));
        if (r) {
            ret = r < 0 ? I2C_BUS_TIMEOUT : I2C_BUS_START_READ_NACK;
            goto stop;
        }
        for (uint8_t i = 0; i < read_len; i++)
            if (i2c_sw_read_byte(s, i + 1 == read_len, &read[i])) {
                ret = I2C_BUS_TIMEOUT;
                goto stop;
            }
    }
stop:
    i2c_sw_stop(s);
    return ret;
}

void command_config_i2c(const uint32_t *args)
{
    oid_alloc((uint8_t)args[0], OID_I2C, sizeof(struct i2cdev));
}
DECL_COMMAND(command_config_i2c, "config_i2c oid=%c");

static uint8_t i2c_check_addr(uint32_t addr)
{
    if (addr > 0x7f)
        shutdown("Invalid i2c address");
    return (uint8_t)addr;
}

void command_i2c_set_bus(const uint32_t *args)
{
    struct i2cdev *d = oid_lookup((uint8_t)args[0], OID_I2C);
    d->addr = i2c_check_addr(args[3]);
#ifdef BOARD_HAS_I2C
    d->hw = i2c_setup(args[1], args[2], d->addr);
    d->flags = IF_HARDWARE;
#else
    shutdown("No hardware I2C on this board: use software I2C pins");
#endif
}
DECL_COMMAND(command_i2c_set_bus, "i2c_set_bus oid=%c i2c_bus=%u rate=%u address=%u");

void command_i2c_set_sw_bus(const uint32_t *args)
{
    struct i2cdev *d = oid_lookup((uint8_t)args[0], OID_I2C);
    if (args[3] > I2C_SOFTWARE_MAX_PULSE_TICKS)
        shutdown("Invalid i2c pulse_ticks");
    d->addr = i2c_check_addr(args[4]);
    struct i2c_software *s = &d->sw;
    s->scl_pin = (uint8_t)args[1];
    s->sda_pin = (uint8_t)args[2];
    if (s->scl_pin != args[1] || s->sda_pin != args[2])
        shutdown("Invalid i2c pin");
    s->pulse_ticks = args[3];
    i2c_sw_release(s, 0);
    i2c_sw_release(s, 1);
    d->flags = IF_SOFTWARE;
}
DECL_COMMAND(command_i2c_set_sw_bus,
             "i2c_set_sw_bus oid=%c scl_pin=%u sda_pin=%u pulse_ticks=%u address=%u");

DECL_RESPONSE("i2c_response oid=%c i2c_bus_status=%c response=%*s");

struct i2cdev *i2cdev_oid_lookup(uint8_t oid)
{
    return oid_lookup(oid, OID_I2C);
}

int i2cdev_transfer(struct i2cdev *d, uint8_t write_len, const uint8_t *write,
                    uint8_t read_len, uint8_t *read)
{
    if (d->flags & IF_SOFTWARE)
        return i2c_sw_transfer(&d->sw, d->addr, write_len, write, read_len, read);
#ifdef BOARD_HAS_I2C
    if (d->flags & IF_HARDWARE)
        return i2c_transfer(d->hw, write_len, write, read_len, read);
#endif
    shutdown("I2C device has no bus");
}

void command_i2c_transfer(const uint32_t *args)
{
    uint8_t oid = (uint8_t)args[0];
    struct i2cdev *d = oid_lookup(oid, OID_I2C);
    uint8_t write_len = (uint8_t)args[1];
    const uint8_t *write = command_arg_bytes(args[2]);
    if (args[3] > 48)  // the response must fit one block with its header
        shutdown("Invalid i2c read_len");
    uint8_t read_len = (uint8_t)args[3], read[48];
    int ret = i2cdev_transfer(d, write_len, write, read_len, read);
    if (ret != I2C_BUS_SUCCESS)
        read_len = 0;
    send_i2c_response(oid, (uint8_t)ret, read_len, read);
}
DECL_COMMAND(command_i2c_transfer, "i2c_transfer oid=%c write=%*s read_len=%u");
