// Environment sensor models on the sim's I2C buses (README "i2c_sensors"): BME280/BMP280,
// SHT3x, AHT10/AHT20, HTU21D (and Si70xx/SHT21), LM75, MCP9808. Each answers in its chip's
// format, from its datasheet, with the temperature (default: the sim's 25 C ambient), humidity
// and pressure of its machine entry: calibration registers, raw values and CRCs included.
// i2c_dev.c owns the bus side (address, bus, software pins); these are its device kinds.
#include <math.h>
#include <string.h>
#include "json.h"
#include "sim.h"
#include "board/i2c.h"

enum { ENV_BME280, ENV_BMP280, ENV_SHT3X, ENV_AHT10, ENV_AHT20, ENV_HTU21D, ENV_LM75, ENV_MCP9808 };
static const char *const env_kinds[] = { "bme280", "bmp280", "sht3x", "aht10", "aht20", "htu21d", "lm75", "mcp9808", 0 };

struct env_dev {
    int kind;
    double temp_c, humidity_pct, pressure_pa;
    uint8_t reg;          // register pointer (BME280, LM75, MCP9808)
    int rd;               // bytes read since the pointer was set (software I2C reads byte by byte)
    uint8_t regs[256];    // BME280 register file
    uint8_t out[8];       // the answer a command prepared (SHT3x, AHT, HTU21D)
    int out_len, out_pos;
    uint8_t user_reg;     // HTU21D resolution bits
    int calibrated;       // AHT
};
#define MAX_ENV_DEVS 8
static struct env_dev env_devs[MAX_ENV_DEVS];
static int env_dev_count;

// CRC-8, polynomial 0x31, MSB first (Sensirion/AHT init 0xFF, HTU21D init 0x00).
static uint8_t crc8(const uint8_t *b, int n, uint8_t crc)
{
    for (int i = 0; i < n; i++) {
        crc ^= b[i];
        for (int k = 0; k < 8; k++)
            crc = (uint8_t)(crc & 0x80 ? (crc << 1) ^ 0x31 : crc << 1);
    }
    return crc;
}

// ---- BME280: trimming values (the BMP280 datasheet's example for T and P, typical H) ----
static const int32_t T1 = 27504, T2 = 26435, T3 = -1000;
static const int64_t P[9] = { 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000 };
static const int32_t H1 = 75, H2 = 362, H3 = 0, H4 = 313, H5 = 50, H6 = 30;

static int32_t bme_t_fine(int32_t adc_t)
{
    int32_t v1 = (((adc_t >> 3) - (T1 << 1)) * T2) >> 11;
    int32_t d = (adc_t >> 4) - T1;
    int32_t v2 = (((d * d) >> 12) * T3) >> 14;
    return v1 + v2;
}

static int64_t bme_pressure_q8(int32_t adc_p, int32_t t_fine)
{
    int64_t v1 = (int64_t)t_fine - 128000, v2 = v1 * v1 * P[5];
    v2 += (v1 * P[4]) * 131072;
    v2 += P[3] * 34359738368LL;
    v1 = ((v1 * v1 * P[2]) >> 8) + ((v1 * P[1]) * 4096);
    v1 = ((((int64_t)1) << 47) + v1) * P[0] >> 33;
    if (!v1)
        return 0;
    int64_t p = 1048576 - adc_p;
    p = ((p * 2147483648LL) - v2) * 3125 / v1;
    v1 = (P[8] * (p >> 13) * (p >> 13)) >> 25;
    v2 = (P[7] * p) >> 19;
    return ((p + v1 + v2) >> 8) + (P[6] * 16);
}

static int32_t bme_humidity_q10(int32_t adc_h, int32_t t_fine)
{
    int32_t v = t_fine - 76800;
    v = (((((adc_h << 14) - (H4 << 20) - (H5 * v)) + 16384) >> 15)
         * (((((((v * H6) >> 10) * (((v * H3) >> 11) + 32768)) >> 10) + 2097152) * H2 + 8192) >> 14));
    v = v - (((((v >> 15) * (v >> 15)) >> 7) * H1) >> 4);
    v = v < 0 ? 0 : v > 419430400 ? 419430400 : v;
    return v >> 12;
}

// The raw value (lo..hi) whose compensated reading is nearest `want`: the chip's answer found
// through the host's formula (monotonic in the raw value; `rising` says which way).
typedef int64_t (*bme_fn)(int32_t raw, int32_t t_fine);
static int64_t fn_temp(int32_t raw, int32_t t_fine) { (void)t_fine; return (bme_t_fine(raw) * 5 + 128) >> 8; }
static int64_t fn_press(int32_t raw, int32_t t_fine) { return bme_pressure_q8(raw, t_fine); }
static int64_t fn_hum(int32_t raw, int32_t t_fine) { return bme_humidity_q10(raw, t_fine); }

static int32_t bme_raw_for(bme_fn f, int64_t want, int32_t t_fine, int32_t lo, int32_t hi, int rising)
{
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        int64_t v = f(mid, t_fine);
        if (rising ? v < want : v > want)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void put16le(uint8_t *r, int v) { r[0] = (uint8_t)v; r[1] = (uint8_t)(v >> 8); }

static void bme_init(struct env_dev *e)
{
    uint8_t *r = e->regs;
    r[0xd0] = e->kind == ENV_BME280 ? 0x60 : 0x58;
    put16le(&r[0x88], T1);
    put16le(&r[0x8a], T2);
    put16le(&r[0x8c], T3);
    for (int i = 0; i < 9; i++)
        put16le(&r[0x8e + 2 * i], (int)P[i]);
    if (e->kind == ENV_BME280) {
        r[0xa1] = (uint8_t)H1;
        put16le(&r[0xe1], H2);
        r[0xe3] = (uint8_t)H3;
        r[0xe4] = (uint8_t)(H4 >> 4);
        r[0xe5] = (uint8_t)((H4 & 0x0f) | ((H5 & 0x0f) << 4));
        r[0xe6] = (uint8_t)(H5 >> 4);
        r[0xe7] = (uint8_t)H6;
    }
}

// The readings registers 0xF7..0xFE from the entry's values (zero until a mode is set).
static void bme_measure(struct env_dev *e)
{
    uint8_t *r = e->regs;
    if (!(r[0xf4] & 3))
        return;  // sleep mode: the reset values stay
    int32_t adc_t = bme_raw_for(fn_temp, llround(e->temp_c * 100), 0, 0, (1 << 20) - 1, 1);
    int32_t t_fine = bme_t_fine(adc_t);
    int32_t adc_p = bme_raw_for(fn_press, llround(e->pressure_pa * 256), t_fine, 0, (1 << 20) - 1, 0);
    r[0xf7] = (uint8_t)(adc_p >> 12);
    r[0xf8] = (uint8_t)(adc_p >> 4);
    r[0xf9] = (uint8_t)((adc_p & 0x0f) << 4);
    r[0xfa] = (uint8_t)(adc_t >> 12);
    r[0xfb] = (uint8_t)(adc_t >> 4);
    r[0xfc] = (uint8_t)((adc_t & 0x0f) << 4);
    if (e->kind == ENV_BME280) {
        int32_t adc_h = bme_raw_for(fn_hum, llround(e->humidity_pct * 1024), t_fine, 0, 0xffff, 1);
        r[0xfd] = (uint8_t)(adc_h >> 8);
        r[0xfe] = (uint8_t)adc_h;
    }
}

// Register writes come as (register, value) pairs after the pointer byte.
static void bme_write(struct env_dev *e, uint8_t len, const uint8_t *d)
{
    e->reg = d[0];
    for (int i = 0; i + 1 < len; i += 2) {
        if (d[i] == 0xe0 && d[i + 1] == 0xb6) {  // soft reset
            memset(e->regs + 0xf2, 0, 14);
            continue;
        }
        e->regs[d[i]] = d[i + 1];
    }
    if (len == 1 && e->reg >= 0xf7)
        bme_measure(e);
}

// ---- SHT3x / AHT / HTU21D: a command prepares the answer read next ----
static void sensirion_word(uint8_t *out, uint16_t w, uint8_t crc_init)
{
    out[0] = (uint8_t)(w >> 8);
    out[1] = (uint8_t)w;
    out[2] = crc8(out, 2, crc_init);
}

static uint16_t clamp16(double v) { return (uint16_t)(v < 0 ? 0 : v > 65535 ? 65535 : lround(v)); }

static void sht3x_write(struct env_dev *e, uint8_t len, const uint8_t *d)
{
    if (len < 2)
        return;
    uint16_t cmd = (uint16_t)(d[0] << 8 | d[1]);
    e->out_pos = 0;
    if (cmd == 0xf32d) {  // status register: no alerts
        sensirion_word(e->out, 0x0000, 0xff);
        e->out_len = 3;
    } else if (cmd == 0x30a2) {  // soft reset
        e->out_len = 0;
    } else if ((cmd >> 8) == 0x24 || (cmd >> 8) == 0x2c || cmd == 0xe000) {  // single shot / fetch
        sensirion_word(e->out, clamp16((e->temp_c + 45) * 65535 / 175), 0xff);
        sensirion_word(e->out + 3, clamp16(e->humidity_pct * 65535 / 100), 0xff);
        e->out_len = 6;
    }
}

static void aht_write(struct env_dev *e, uint8_t len, const uint8_t *d)
{
    e->out_pos = 0;
    e->out_len = 0;
    if (d[0] == 0xba) {
        e->calibrated = 0;
    } else if ((d[0] == 0xe1 && e->kind == ENV_AHT10) || (d[0] == 0xbe && e->kind == ENV_AHT20)) {
        e->calibrated = len == 3 && (d[1] & 0x08);
    } else if (d[0] == 0xac && len == 3) {
        double h = e->humidity_pct / 100 * 1048576, t = (e->temp_c + 50) / 200 * 1048576;
        uint32_t rh = (uint32_t)(h < 0 ? 0 : h > 1048575 ? 1048575 : lround(h));
        uint32_t rt = (uint32_t)(t < 0 ? 0 : t > 1048575 ? 1048575 : lround(t));
        e->out[1] = (uint8_t)(rh >> 12);
        e->out[2] = (uint8_t)(rh >> 4);
        e->out[3] = (uint8_t)((rh & 0x0f) << 4 | (rt >> 16));
        e->out[4] = (uint8_t)(rt >> 8);
        e->out[5] = (uint8_t)rt;
        e->out_len = e->kind == ENV_AHT20 ? 7 : 6;
    }
    e->out[0] = (uint8_t)(0x10 | (e->calibrated ? 0x08 : 0));  // status: idle (bit 7 clear)
    if (e->out_len == 7)
        e->out[6] = crc8(e->out, 6, 0xff);
}

// HTU21D: bits of each resolution (user register bits 7 and 0).
static void htu_bits(uint8_t user, int *t_bits, int *h_bits)
{
    static const int t[4] = { 14, 12, 13, 11 }, h[4] = { 12, 8, 10, 11 };
    int i = (user & 1) | ((user >> 6) & 2);
    *t_bits = t[i];
    *h_bits = h[i];
}

static void htu_write(struct env_dev *e, uint8_t len, const uint8_t *d)
{
    int t_bits, h_bits;
    htu_bits(e->user_reg, &t_bits, &h_bits);
    e->out_pos = 0;
    e->out_len = 0;
    if (d[0] == 0xfe) {
        e->user_reg = 0x02;
    } else if (d[0] == 0xe7) {
        e->out[0] = e->user_reg;
        e->out_len = 1;
    } else if (d[0] == 0xe6 && len == 2) {
        e->user_reg = (uint8_t)((e->user_reg & 0x7e) | (d[1] & 0x81));
    } else if (d[0] == 0xf3 || d[0] == 0xe3 || d[0] == 0xf5 || d[0] == 0xe5) {
        int temp = d[0] == 0xf3 || d[0] == 0xe3;
        double v = temp ? (e->temp_c + 46.85) * 65536 / 175.72 : (e->humidity_pct + 6) * 65536 / 125;
        int bits = temp ? t_bits : h_bits;
        uint16_t w = clamp16(v);
        w = (uint16_t)((w >> (16 - bits)) << (16 - bits)) & 0xfffc;  // the chip's resolution, status bits clear
        sensirion_word(e->out, (uint16_t)(w | (temp ? 0 : 0x02)), 0x00);
        e->out_len = 3;
    }
}

// ---- LM75 (11-bit LM75A steps of 0.125 C) and MCP9808 (13 bits of 1/16 C) ----
static int lm75_read(struct env_dev *e, uint8_t len, uint8_t *data)
{
    int16_t w = 0;
    if (e->reg == 0x00)
        w = (int16_t)(lround(e->temp_c * 8) * 32);
    else if (e->reg == 0x02)
        w = 75 * 256;
    else if (e->reg == 0x03)
        w = 80 * 256;
    for (uint8_t i = 0; i < len; i++, e->rd++)
        data[i] = e->reg == 0x01 ? e->regs[1] : (uint8_t)(e->rd & 1 ? w : w >> 8);
    return I2C_BUS_SUCCESS;
}

static int mcp9808_read(struct env_dev *e, uint8_t len, uint8_t *data)
{
    uint16_t w = 0;
    if (e->reg == 0x05)
        w = (uint16_t)(lround(e->temp_c * 16) & 0x1fff);
    else if (e->reg == 0x06)
        w = 0x0054;
    else if (e->reg == 0x07)
        w = 0x0400;
    for (uint8_t i = 0; i < len; i++, e->rd++)
        data[i] = (uint8_t)(e->rd & 1 ? w : w >> 8);
    return I2C_BUS_SUCCESS;
}

// ---- the device kinds' entry points (i2c_dev.c) ----
int i2c_env_init(const char *kind, const char *name, const struct json *entry)
{
    int k = -1;
    for (int i = 0; env_kinds[i]; i++)
        if (!strcmp(env_kinds[i], kind))
            k = i;
    if (env_dev_count >= MAX_ENV_DEVS)
        machine_die(entry, "%s: too many I2C sensors (at most 8)%s", name, "");
    struct env_dev *e = &env_devs[env_dev_count];
    memset(e, 0, sizeof(*e));
    e->kind = k;
    const double amb = 25, rh = 40, hpa = 1013.25;
    e->temp_c = machine_get_num(entry, "temperature_c", &amb, "i2c_sensors");
    e->humidity_pct = machine_get_num(entry, "humidity_pct", &rh, "i2c_sensors");
    e->pressure_pa = machine_get_num(entry, "pressure_hpa", &hpa, "i2c_sensors") * 100;
    if (e->humidity_pct < 0 || e->humidity_pct > 100 || e->pressure_pa < 30000 || e->pressure_pa > 110000)
        machine_die(entry, "%s: humidity_pct must be 0-100 and pressure_hpa 300-1100 (the BME280's range)%s", name, "");
    if (k == ENV_BME280 || k == ENV_BMP280)
        bme_init(e);
    e->user_reg = 0x02;
    return env_dev_count++;
}

int i2c_env_write(int idx, uint8_t len, const uint8_t *data, uint32_t clock)
{
    (void)clock;
    struct env_dev *e = &env_devs[idx];
    if (!len)
        return I2C_BUS_SUCCESS;
    e->rd = 0;
    switch (e->kind) {
    case ENV_BME280:
    case ENV_BMP280:
        bme_write(e, len, data);
        break;
    case ENV_SHT3X:
        sht3x_write(e, len, data);
        break;
    case ENV_AHT10:
    case ENV_AHT20:
        aht_write(e, len, data);
        break;
    case ENV_HTU21D:
        htu_write(e, len, data);
        break;
    default:  // LM75, MCP9808: a pointer byte, then register bytes
        e->reg = data[0];
        if (e->kind == ENV_LM75 && data[0] == 0x01 && len > 1)
            e->regs[1] = data[1];
        break;
    }
    return I2C_BUS_SUCCESS;
}

int i2c_env_read(int idx, uint8_t len, uint8_t *data)
{
    struct env_dev *e = &env_devs[idx];
    switch (e->kind) {
    case ENV_BME280:
    case ENV_BMP280:
        for (uint8_t i = 0; i < len; i++, e->rd++)
            data[i] = e->regs[(uint8_t)(e->reg + e->rd)];
        return I2C_BUS_SUCCESS;
    case ENV_LM75:
        return lm75_read(e, len, data);
    case ENV_MCP9808:
        return mcp9808_read(e, len, data);
    default:
        // A read with no answer prepared is not acknowledged (the chips NACK while measuring).
        if (!e->out_len && e->kind != ENV_AHT10 && e->kind != ENV_AHT20)
            return I2C_BUS_START_READ_NACK;
        for (uint8_t i = 0; i < len; i++)
            data[i] = e->out_pos < (int)sizeof(e->out) ? e->out[e->out_pos++] : 0xff;
        return I2C_BUS_SUCCESS;
    }
}

void i2c_env_load(const struct json *list)
{
    env_dev_count = 0;
    for (const struct json *e = list ? list->child : 0; e; e = e->next) {
        const char *kind = machine_get_str(e, "kind", 0, "i2c_sensors");
        int known = 0;
        for (int i = 0; env_kinds[i]; i++)
            known |= !strcmp(env_kinds[i], kind);
        if (!known || !i2c_dev_add(e, kind))
            machine_die(e, "i2c_sensors: unknown kind \"%s\" (bme280, bmp280, sht3x, aht10, aht20, htu21d, lm75, mcp9808)%s", kind, "");
    }
}
