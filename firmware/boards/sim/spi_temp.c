// SPI temperature chip models (machine file section "spi_sensors"): MAX6675, MAX31855,
// MAX31856 and MAX31865 on their chip select and bus pins, reading a simulated heater's
// temperature (or a fixed one) in each chip's format, with a fault that can be switched on a
// given time after the first read, or while an MCU output (fault_pin, e.g. an [output_pin] a
// test sets) is high. Entry fields: name, kind (max6675/max31855/max31856/max31865), cs_pin,
// spi_bus or sclk_pin/mosi_pin/miso_pin, heater (a "heaters" name) or temp_c (default 25),
// rtd_nominal_r/rtd_reference_r (MAX31865, default 100/430), fault (none/open/short_gnd/
// short_vcc), fault_after_s, fault_pin.
// SPI mode 1 (clock idles low, data changes on the rising edge, sampled on the falling one), as
// the host asks for these chips. Register chips (MAX31856/65): first byte = address, bit 7 set
// for a write, the address advancing with each further byte.
// The register chips convert only once configured (MAX31856 CR0 bit 7, MAX31865 config bits
// 7..6): a host that forgets its configuration writes reads 0, as it would on a real board.
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "sim.h"
#include "json.h"

#define SPI_TEMP_MAX 8

enum { K_MAX6675, K_MAX31855, K_MAX31856, K_MAX31865 };
static const char *const kind_names[] = { "max6675", "max31855", "max31856", "max31865", 0 };
enum { F_NONE, F_OPEN, F_SHORT_GND, F_SHORT_VCC };
static const char *const fault_names[] = { "none", "open", "short_gnd", "short_vcc", 0 };

struct spi_temp {
    char name[48];
    int kind, cs_pin, sclk_pin, mosi_pin, miso_pin;
    char heater[32];  // empty: fixed temp_c
    double temp_c, rtd_nominal_r, rtd_reference_r, fault_after_s;
    int fault, seen, fault_pin, fault_pin_level;
    uint32_t first_clock;
    int selected, mosi_level, miso_level, bits, byte_count;
    uint8_t in_byte, out_byte, addr, is_write;
    uint8_t regs[16];
    uint8_t frame[4];
};

static struct spi_temp sensors[SPI_TEMP_MAX];
static int sensor_count;

static int active_fault(struct spi_temp *s, uint32_t clock)
{
    if (!s->seen) {
        s->seen = 1;
        s->first_clock = clock;
    }
    if (s->fault == F_NONE)
        return F_NONE;
    if (s->fault_pin >= 0)
        return s->fault_pin_level ? s->fault : F_NONE;
    double since = (double)(uint32_t)(clock - s->first_clock) / SIM_CLOCK_FREQ;
    return since >= s->fault_after_s ? s->fault : F_NONE;
}

static double temperature(const struct spi_temp *s, uint32_t clock)
{
    return s->heater[0] ? machine_heater_temp(s->heater, clock) : s->temp_c;
}

// Callendar-Van Dusen (IEC 60751) resistance of the platinum RTD.
static double rtd_ohm(double r0, double t)
{
    const double a = 3.9083e-3, b = -5.775e-7, c = -4.183e-12;
    double r = r0 * (1 + a * t + b * t * t);
    if (t < 0)
        r += r0 * c * (t - 100) * t * t * t;
    return r;
}

// A conversion at CS: the frame (read-only chips) or the result registers (register chips).
static void convert(struct spi_temp *s, uint32_t clock)
{
    int fault = active_fault(s, clock);
    double t = temperature(s, clock);
    switch (s->kind) {
    case K_MAX6675: {
        long q = lround(t * 4);
        uint32_t f = (uint32_t)((q < 0 ? 0 : q > 4095 ? 4095 : q) << 3);
        if (fault)
            f |= 0x04;  // the only fault it knows: thermocouple input open
        s->frame[0] = (uint8_t)(f >> 8);
        s->frame[1] = (uint8_t)f;
        break;
    }
    case K_MAX31855: {
        uint32_t tc = (uint32_t)lround(t * 4) & 0x3fff, cj = (uint32_t)lround(25.0 * 16) & 0xfff;
        uint32_t f = tc << 18 | cj << 4;
        if (fault)
            f |= 0x10000u | (fault == F_OPEN ? 0x01u : fault == F_SHORT_GND ? 0x02u : 0x04u);
        for (int i = 0; i < 4; i++)
            s->frame[i] = (uint8_t)(f >> (24 - 8 * i));
        break;
    }
    case K_MAX31856: {
        if (!(s->regs[0x00] & 0x80))
            break;  // not in automatic conversion mode: results stay as they were
        uint32_t v = ((uint32_t)lround(t * 128) & 0x7ffff) << 5;
        s->regs[0x0c] = (uint8_t)(v >> 16);
        s->regs[0x0d] = (uint8_t)(v >> 8);
        s->regs[0x0e] = (uint8_t)v;
        s->regs[0x0f] = (uint8_t)(fault == F_OPEN ? 0x01 : fault ? 0x02 : 0x00);  // OPEN, OVUV
        break;
    }
    case K_MAX31865: {
        if ((s->regs[0x00] & 0xc0) != 0xc0)
            break;  // bias off or no automatic conversion: no new result
        double r = fault == F_OPEN ? 1e12 : fault == F_SHORT_GND ? 0 : rtd_ohm(s->rtd_nominal_r, t);
        long code = lround(r / s->rtd_reference_r * 32768);
        code = code < 0 ? 0 : code > 32767 ? 32767 : code;
        uint8_t status = 0;
        long high = ((s->regs[0x03] << 8) | s->regs[0x04]) >> 1;
        long low = ((s->regs[0x05] << 8) | s->regs[0x06]) >> 1;
        if (code >= high)
            status |= 0x80;  // RTD high threshold
        if (code <= low)
            status |= 0x40;  // RTD low threshold
        if (fault == F_SHORT_VCC)
            status |= 0x04;  // over/under voltage
        s->regs[0x07] |= status;
        uint16_t rtd = (uint16_t)(code << 1 | (s->regs[0x07] ? 1 : 0));
        s->regs[0x01] = (uint8_t)(rtd >> 8);
        s->regs[0x02] = (uint8_t)rtd;
        break;
    }
    }
}

static void write_register(struct spi_temp *s, uint8_t addr, uint8_t value)
{
    if (s->kind == K_MAX31865 && addr == 0x00) {
        if (value & 0x02)
            s->regs[0x07] = 0;  // fault status clear (self-clearing bit)
        value &= (uint8_t)~0x22;
    }
    if (s->kind == K_MAX31856 && addr == 0x00 && (value & 0x02)) {
        s->regs[0x0f] = 0;  // FAULTCLR
        value &= (uint8_t)~0x02;
    }
    if (addr < 16 && (s->kind == K_MAX31856 ? addr <= 0x0b : addr <= 0x06 && addr != 0x01 && addr != 0x02))
        s->regs[addr] = value;
}

static uint8_t next_out_byte(struct spi_temp *s)
{
    if (s->kind == K_MAX6675 || s->kind == K_MAX31855)
        return s->byte_count < 4 ? s->frame[s->byte_count] : 0;
    if (s->byte_count == 0 || s->is_write)
        return 0;
    return s->regs[s->addr & 0x0f];
}

static void byte_done(struct spi_temp *s)
{
    if (s->kind == K_MAX31856 || s->kind == K_MAX31865) {
        if (s->byte_count == 0) {
            s->addr = s->in_byte & 0x7f;
            s->is_write = (s->in_byte & 0x80) != 0;
        } else {
            if (s->is_write)
                write_register(s, s->addr, s->in_byte);
            s->addr = (uint8_t)((s->addr + 1) & 0x7f);
        }
    }
    s->byte_count++;
    s->out_byte = next_out_byte(s);
}

void spi_temp_output_changed(int pin, uint32_t clock, int level)
{
    for (int i = 0; i < sensor_count; i++) {
        struct spi_temp *s = &sensors[i];
        if (pin == s->fault_pin)
            s->fault_pin_level = level;
        if (pin == s->cs_pin) {
            if (!level && !s->selected) {
                s->selected = 1;
                s->bits = s->byte_count = 0;
                convert(s, clock);
                s->out_byte = next_out_byte(s);
            } else if (level) {
                s->selected = 0;
            }
            continue;
        }
        if (pin == s->mosi_pin)
            s->mosi_level = level;
        if (pin != s->sclk_pin || !s->selected)
            continue;
        if (level) {  // rising edge: the next bit out
            s->miso_level = (s->out_byte >> (7 - s->bits)) & 1;
        } else {      // falling edge: sample
            s->in_byte = (uint8_t)((s->in_byte << 1) | (s->mosi_level & 1));
            if (++s->bits == 8) {
                s->bits = 0;
                byte_done(s);
            }
        }
    }
}

int spi_temp_input_read(int pin, uint32_t clock, int *level)
{
    for (int i = 0; i < sensor_count; i++) {
        if (sensors[i].miso_pin == pin && sensors[i].selected) {
            *level = sensors[i].miso_level;
            return 1;
        }
    }
    return 0;
}

static int choice(const struct json *e, const char *key, const char *def, const char *const *names,
                  const char *name)
{
    const char *v = machine_get_str(e, key, def, name);
    for (int i = 0; names[i]; i++)
        if (!strcmp(v, names[i]))
            return i;
    machine_die(json_get(e, key), "%s: unknown \"%s\" value", name, key);
    return -1;
}

void spi_temp_load(const struct json *list)
{
    for (const struct json *e = list ? list->child : 0; e; e = e->next) {
        if (sensor_count >= SPI_TEMP_MAX)
            machine_die(e, "too many spi_sensors (max %s)%s", "8", "");
        struct spi_temp *s = &sensors[sensor_count++];
        memset(s, 0, sizeof(*s));
        const char *name = machine_get_str(e, "name", 0, "spi sensor");
        snprintf(s->name, sizeof(s->name), "%s", name);
        s->kind = choice(e, "kind", 0, kind_names, name);
        int inv;
        s->cs_pin = machine_get_pin(e, "cs_pin", 1, &inv, name);
        s->sclk_pin = machine_get_pin(e, "sclk_pin", 0, &inv, name);
        s->mosi_pin = machine_get_pin(e, "mosi_pin", 0, &inv, name);
        s->miso_pin = machine_get_pin(e, "miso_pin", 0, &inv, name);
        if (s->sclk_pin < 0 || s->mosi_pin < 0 || s->miso_pin < 0) {
            const char *bus = machine_get_str(e, "spi_bus", "spi", name);
            if (sim_spi_bus_pins(bus, &s->sclk_pin, &s->mosi_pin, &s->miso_pin) < 0)
                machine_die(json_get(e, "spi_bus"), "%s: unknown spi_bus \"%s\"", name, bus);
        }
        const char *heater = machine_get_str(e, "heater", "", name);
        if (heater[0] && machine_heater_index(heater) < 0)
            machine_die(json_get(e, "heater"), "%s: no heater named \"%s\" in \"heaters\"", name, heater);
        snprintf(s->heater, sizeof(s->heater), "%s", heater);
        double amb = 25, r0 = 100, rref = 430, zero = 0;
        s->temp_c = machine_get_num(e, "temp_c", &amb, name);
        s->rtd_nominal_r = machine_get_num(e, "rtd_nominal_r", &r0, name);
        s->rtd_reference_r = machine_get_num(e, "rtd_reference_r", &rref, name);
        if (!(s->rtd_nominal_r > 0) || !(s->rtd_reference_r > 0))
            machine_die(e, "%s: rtd_nominal_r and rtd_reference_r must be above 0%s", name, "");
        s->fault = choice(e, "fault", "none", fault_names, name);
        s->fault_after_s = machine_get_num(e, "fault_after_s", &zero, name);
        s->fault_pin = machine_get_pin(e, "fault_pin", 0, &inv, name);
        if (s->kind == K_MAX31865) {
            s->regs[0x03] = s->regs[0x04] = 0xff;  // power-on thresholds: high 0xFFFF, low 0
        }
    }
}
