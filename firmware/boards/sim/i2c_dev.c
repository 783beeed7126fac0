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
    int bus;       // -1: answers on every bus
    int sw_bus;    // >= 0: on these software I2C pins instead (sw_buses[])
    union { struct page_lcd lcd; int env; } u;  // env: the sensor model's index (i2c_env.c)
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

// ---- environment sensors (BME280, SHT3x, ...): the chip models are in i2c_env.c ----
int i2c_env_init(const char *kind, const char *name, const struct json *entry);
int i2c_env_write(int idx, uint8_t len, const uint8_t *data, uint32_t clock);
int i2c_env_read(int idx, uint8_t len, uint8_t *data);
static void env_init(struct i2c_device *d, const struct json *entry) { d->u.env = i2c_env_init(d->ops->kind, d->name, entry); }
static int env_write(struct i2c_device *d, uint8_t len, const uint8_t *data, uint32_t clock)
{
    return i2c_env_write(d->u.env, len, data, clock);
}
static int env_read(struct i2c_device *d, uint8_t len, uint8_t *data) { return i2c_env_read(d->u.env, len, data); }
static int env_dirty(const struct i2c_device *d) { (void)d; return 0; }
static void env_trace(struct i2c_device *d, FILE *f) { (void)d; (void)f; }
#define ENV_KIND(name) { name, env_init, env_write, env_read, env_dirty, env_trace }

static const struct i2c_dev_ops kinds[] = {
    { "ssd1306", oled_init, oled_write, oled_read, oled_dirty, oled_trace },
    { "sh1106", oled_init, oled_write, oled_read, oled_dirty, oled_trace },
    ENV_KIND("bme280"), ENV_KIND("bmp280"), ENV_KIND("sht3x"), ENV_KIND("aht10"),
    ENV_KIND("aht20"), ENV_KIND("htu21d"), ENV_KIND("lm75"), ENV_KIND("mcp9808"),
};
#define KIND_COUNT (sizeof(kinds) / sizeof(kinds[0]))

#define MAX_I2C_DEVICES 8
static struct i2c_device devices[MAX_I2C_DEVICES];
static int device_count;

// Software I2C buses: devices with scl_pin and sda_pin listen on those pins (open drain).
enum { SW_IDLE, SW_ADDR, SW_WRITE, SW_READ };
struct sw_bus {
    int index, scl, sda;
    int mcu_scl_low, mcu_sda_low, dev_sda_low;
    int state, clk, reading, len;  // clk: rising SCL edges in this 9-clock frame
    uint8_t shift;
    struct i2c_device *dev;        // addressed by the current transaction
    uint8_t buf[256];
};
#define MAX_SW_BUSES 4
static struct sw_bus sw_buses[MAX_SW_BUSES];
static int sw_bus_count;
static uint8_t sw_bus_of_pin[SIM_PIN_COUNT];  // 1-based index into sw_buses

static int sw_bus_of(const struct json *entry, const char *name)
{
    int inv;
    int scl = machine_get_pin(entry, "scl_pin", 0, &inv, name);
    int sda = machine_get_pin(entry, "sda_pin", 0, &inv, name);
    if (scl < 0 && sda < 0)
        return -1;
    if (scl < 0 || sda < 0 || scl == sda)
        machine_die(entry, "%s: a software I2C bus needs both scl_pin and sda_pin, on two pins%s", name, "");
    for (int i = 0; i < sw_bus_count; i++)
        if (sw_buses[i].scl == scl && sw_buses[i].sda == sda)
            return i;
    if (sw_bus_of_pin[scl] || sw_bus_of_pin[sda] || sw_bus_count >= MAX_SW_BUSES)
        machine_die(entry, "%s: scl_pin/sda_pin already on another software I2C bus (at most 4 buses)%s", name, "");
    struct sw_bus *b = &sw_buses[sw_bus_count];
    memset(b, 0, sizeof(*b));
    b->index = sw_bus_count;
    b->scl = scl;
    b->sda = sda;
    sw_bus_of_pin[scl] = sw_bus_of_pin[sda] = (uint8_t)(sw_bus_count + 1);
    return sw_bus_count++;
}

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
    d->sw_bus = sw_bus_of(entry, d->name);
    if (*bus) {
        static const char *const buses[] = { "twi", "i2c1", "i2c1a", "i2c2", "i2c2a", "i2c3", "i2c0", 0 };
        for (int i = 0; buses[i]; i++)
            if (!strcmp(buses[i], bus))
                d->bus = i;
        if (d->bus < 0)
            machine_die(entry, "%s: unknown i2c_bus \"%s\" (twi, i2c0, i2c1, i2c1a, i2c2, i2c2a, i2c3)", d->name, bus);
    }
    for (int i = 0; i < device_count; i++)
        if (devices[i].addr == d->addr && devices[i].sw_bus == d->sw_bus
            && (devices[i].bus == d->bus || devices[i].bus < 0 || d->bus < 0))
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
        if (d->addr != addr || d->sw_bus >= 0 || (d->bus >= 0 && d->bus != bus))
            continue;
        int ret = write_len ? d->ops->write(d, write_len, write, clock) : I2C_BUS_SUCCESS;
        if (ret == I2C_BUS_SUCCESS && read_len)
            ret = d->ops->read(d, read_len, read);
        return ret;
    }
    return accel_i2c_transfer(addr, write_len, write, read_len, read, clock);  // or START_NACK
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
    sw_bus_count = 0;
    memset(sw_bus_of_pin, 0, sizeof(sw_bus_of_pin));
}

// ---- software I2C: the bus lines at pin level (open drain: low if anyone pulls) ----
static struct i2c_device *sw_find(int sw_bus, uint8_t addr)
{
    for (int i = 0; i < device_count; i++)
        if (devices[i].sw_bus == sw_bus && devices[i].addr == addr)
            return &devices[i];
    return 0;
}

static int line_scl(const struct sw_bus *b) { return !b->mcu_scl_low; }
static int line_sda(const struct sw_bus *b) { return !(b->mcu_sda_low || b->dev_sda_low); }

// A write transaction ends (stop or repeated start): the device takes the bytes.
static void sw_flush(struct sw_bus *b, uint32_t clock)
{
    if (b->dev && !b->reading && b->len)
        b->dev->ops->write(b->dev, (uint8_t)b->len, b->buf, clock);
    b->len = 0;
}

static void sw_load_read_byte(struct sw_bus *b)
{
    b->shift = 0xff;
    b->dev->ops->read(b->dev, 1, &b->shift);
    b->dev_sda_low = !(b->shift & 0x80);
}

static void sw_lines_changed(struct sw_bus *b, int scl_was, int sda_was, uint32_t clock)
{
    int scl = line_scl(b), sda = line_sda(b);
    if (scl && scl_was && sda != sda_was) {
        sw_flush(b, clock);
        b->dev = 0;
        b->dev_sda_low = 0;
        b->clk = 0;
        b->state = sda ? SW_IDLE : SW_ADDR;  // SDA falls: start; rises: stop
        return;
    }
    if (b->state == SW_IDLE)
        return;
    if (scl && !scl_was) {  // rising edge: the receiver samples
        if (b->clk < 8 && b->state != SW_READ)
            b->shift = (uint8_t)(b->shift << 1 | sda);
        else if (b->clk == 8 && b->state == SW_READ && sda)
            b->state = SW_IDLE;  // the master's NACK: the read ends (a stop follows)
        b->clk++;
    } else if (!scl && scl_was) {  // falling edge: the transmitter changes SDA
        if (b->clk == 8) {         // the 8th bit is in: acknowledge it
            if (b->state == SW_ADDR) {
                b->dev = sw_find(b->index, b->shift >> 1);
                b->reading = b->shift & 1;
                b->len = 0;
            }
            if (b->state == SW_WRITE && b->len < (int)sizeof(b->buf))
                b->buf[b->len++] = b->shift;
            // Written bytes are acknowledged by the device; read ones by the master (SDA released).
            b->dev_sda_low = b->dev != 0 && b->state != SW_READ;
        } else if (b->clk == 9) {  // the acknowledge clock is over
            b->clk = 0;
            b->dev_sda_low = 0;
            if (!b->dev)
                b->state = SW_IDLE;  // nobody answered: ignore the rest until a start
            else if (b->state == SW_ADDR)
                b->state = b->reading ? SW_READ : SW_WRITE;
            if (b->state == SW_READ)
                sw_load_read_byte(b);
        } else if (b->state == SW_READ) {  // the next bit of the byte read, MSB first
            b->dev_sda_low = !((b->shift << b->clk) & 0x80);
        }
    }
}

static void sw_line(int pin, uint32_t clock, int pulled_low)
{
    if (pin < 0 || pin >= SIM_PIN_COUNT || !sw_bus_of_pin[pin])
        return;
    struct sw_bus *b = &sw_buses[sw_bus_of_pin[pin] - 1];
    int scl_was = line_scl(b), sda_was = line_sda(b);
    if (pin == b->scl)
        b->mcu_scl_low = pulled_low;
    else
        b->mcu_sda_low = pulled_low;
    sw_lines_changed(b, scl_was, sda_was, clock);
}

void i2c_dev_output_changed(int pin, uint32_t clock, int level) { sw_line(pin, clock, !level); }
void i2c_dev_line_released(int pin, uint32_t clock) { sw_line(pin, clock, 0); }

int i2c_dev_input_read(int pin, uint32_t clock, int *level)
{
    if (pin < 0 || pin >= SIM_PIN_COUNT || !sw_bus_of_pin[pin])
        return 0;
    const struct sw_bus *b = &sw_buses[sw_bus_of_pin[pin] - 1];
    *level = pin == b->scl ? line_scl(b) : line_sda(b);
    return 1;
}

int i2c_dev_pin_is_quiet(int pin)
{
    return pin >= 0 && pin < SIM_PIN_COUNT && sw_bus_of_pin[pin];
}
