// I2C device models of the sim, by address: a table of device kinds (ops) and their instances.
// A transfer to an address nobody answers ends in START_NACK, as on a real bus. To add a
// kind: its ops (write, read, trace) and a line in `kinds`.
#include <string.h>
#include "json.h"
#include "lcd.h"
#include "sim.h"
#include "board/i2c.h"

struct i2c_device;
struct i2c_dev_ops {
    const char *kind;
    void (*init)(struct i2c_device *d, const struct json *entry);
    // The bytes written after the address byte; returns an I2C_BUS_* status.
    int (*write)(struct i2c_device *d, uint8_t len, const uint8_t *data, uint32_t clock);
    int (*read)(struct i2c_device *d, uint8_t len, uint8_t *data);
    int (*dirty)(const struct i2c_device *d);
    void (*trace)(struct i2c_device *d, FILE *f);
};

struct i2c_device {
    const struct i2c_dev_ops *ops;
    char name[32];
    uint8_t addr;
    int bus;  // -1: answers on every bus
    union { struct page_lcd lcd; } u;
};

// ---- SSD1306 / SH1106 OLED on I2C: a control byte (Co bit 7, D/C bit 6) before the bytes ----
static void oled_init(struct i2c_device *d, const struct json *entry)
{
    const double zero = 0;
    int x_offset = (int)machine_get_num(entry, "x_offset", &zero, "displays");
    if (x_offset < 0 || x_offset > 4)
        machine_die(entry, "%s: x_offset must be 0-4 (the SH1106's RAM is 132 columns)%s", d->name, "");
    page_lcd_init(&d->u.lcd, page_lcd_kind(d->ops->kind), d->name, x_offset);
}

static int oled_write(struct i2c_device *d, uint8_t len, const uint8_t *data, uint32_t clock)
{
    uint8_t i = 0;
    while (i < len) {
        uint8_t control = data[i++];
        int is_data = control & 0x40, single = control & 0x80;
        for (; i < len; i++) {
            if (is_data)
                page_lcd_data(&d->u.lcd, data[i], clock);
            else
                page_lcd_command(&d->u.lcd, data[i], clock);
            if (single) {  // Co=1: one byte, then another control byte
                i++;
                break;
            }
        }
    }
    return I2C_BUS_SUCCESS;
}

// A read gives the status byte: bit 6 set while the display is off.
static int oled_read(struct i2c_device *d, uint8_t len, uint8_t *data)
{
    for (uint8_t i = 0; i < len; i++)
        data[i] = d->u.lcd.on ? 0x00 : 0x40;
    return I2C_BUS_SUCCESS;
}

static int oled_dirty(const struct i2c_device *d) { return d->u.lcd.dirty; }
static void oled_trace(struct i2c_device *d, FILE *f) { page_lcd_trace(&d->u.lcd, f); }

static const struct i2c_dev_ops kinds[] = {
    { "ssd1306", oled_init, oled_write, oled_read, oled_dirty, oled_trace },
    { "sh1106", oled_init, oled_write, oled_read, oled_dirty, oled_trace },
};
#define KIND_COUNT (sizeof(kinds) / sizeof(kinds[0]))

#define MAX_I2C_DEVICES 8
static struct i2c_device devices[MAX_I2C_DEVICES];
static int device_count;

int i2c_dev_add(const struct json *entry, const char *kind)
{
    const struct i2c_dev_ops *ops = 0;
    for (unsigned i = 0; i < KIND_COUNT; i++)
        if (!strcmp(kinds[i].kind, kind))
            ops = &kinds[i];
    if (!ops)
        return 0;
    if (device_count >= MAX_I2C_DEVICES)
        machine_die(entry, "too many I2C devices (at most 8)%s%s", "", "");
    struct i2c_device *d = &devices[device_count];
    memset(d, 0, sizeof(*d));
    d->ops = ops;
    snprintf(d->name, sizeof(d->name), "%s", machine_get_str(entry, "name", 0, "displays"));
    const double def_addr = 0x3c;
    double addr = machine_get_num(entry, "i2c_address", &def_addr, "displays");
    if (addr < 0 || addr > 0x7f || addr != (int)addr)
        machine_die(entry, "%s: i2c_address must be a 7-bit address (0-127; an SSD1306 is 60 = 0x3c)%s", d->name, "");
    d->addr = (uint8_t)addr;
    const char *bus = machine_get_str(entry, "i2c_bus", "", "displays");
    d->bus = -1;
    if (*bus) {
        static const char *const buses[] = { "twi", "i2c1", "i2c1a", "i2c2", "i2c2a", "i2c3", "i2c0", 0 };
        for (int i = 0; buses[i]; i++)
            if (!strcmp(buses[i], bus))
                d->bus = i;
        if (d->bus < 0)
            machine_die(entry, "%s: unknown i2c_bus \"%s\" (twi, i2c0, i2c1, i2c1a, i2c2, i2c2a, i2c3)", d->name, bus);
    }
    for (int i = 0; i < device_count; i++)
        if (devices[i].addr == d->addr && (devices[i].bus == d->bus || devices[i].bus < 0 || d->bus < 0))
            machine_die(entry, "%s: another I2C device already answers at this address on this bus%s", d->name, "");
    ops->init(d, entry);
    device_count++;
    return 1;
}

int i2c_dev_transfer(uint8_t bus, uint8_t addr, uint8_t write_len, const uint8_t *write,
                     uint8_t read_len, uint8_t *read, uint32_t clock)
{
    for (int i = 0; i < device_count; i++) {
        struct i2c_device *d = &devices[i];
        if (d->addr != addr || (d->bus >= 0 && d->bus != bus))
            continue;
        int ret = write_len ? d->ops->write(d, write_len, write, clock) : I2C_BUS_SUCCESS;
        if (ret == I2C_BUS_SUCCESS && read_len)
            ret = d->ops->read(d, read_len, read);
        return ret;
    }
    return I2C_BUS_START_NACK;
}

void i2c_dev_flush(FILE *f)
{
    for (int i = 0; i < device_count; i++)
        if (devices[i].ops->dirty(&devices[i]))
            devices[i].ops->trace(&devices[i], f);
}

void i2c_dev_reset(void)
{
    device_count = 0;
}
