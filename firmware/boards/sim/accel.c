// Accelerometer models (README "accelerometers"): ADXL345 on SPI pins, LIS2DW12 and LIS3DH on
// SPI pins or I2C, MPU-9250/6500/6050 and ICM-20948 on I2C; each a register map with its
// chip's identity, rate, range and FIFO. One motion model feeds them all: each sample is the
// toolhead's acceleration, the second derivative of the X/Y steppers' positions (sampled at
// the chip's data rate, smoothed over ~1 ms) plus the deflection of a damped spring-mass per
// axis driven by it (resonance_hz_x/_y, damping), so a vibration sweep shows a peak at those
// frequencies; Z reads gravity. Samples are produced lazily: before each step (so the
// position history is exact) and when the MCU reads the chip's FIFO level or data.
// SPI: mode 3, CS active low; first byte = read bit 7, address bits 0..5, address
// auto-increment by bit 6 (ADXL345, LIS3DH) or by CTRL2.IF_ADD_INC (LIS2DW). I2C: the first
// byte written is the register (LIS3DH: bit 7 = auto-increment; the others always increment,
// except on a FIFO data register, which a burst read drains).
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "sim.h"
#include "json.h"
#include "board/i2c.h"

#define ACCEL_MAX 4
// Samples the model keeps beyond the chip's FIFO: the sim runs in real time, and a sim process
// stalled by a loaded host (> 10 ms) would otherwise lose samples no real MCU would lose.
// The FIFO level still reports at most the chip's capacity (with its overflow flag), so the
// firmware's overflow count sees the stall.
#define BACKLOG_SIZE 1024
#define SMOOTH_N 4           // moving averages over 4 samples: 1.25 ms at 3200 Hz
#define GRAVITY_MM_S2 9806.65

enum chip { ADXL345, LIS2DW, LIS3DH, MPU9250, MPU6500, MPU6050, ICM20948 };
static const struct chip_info {
    const char *name;
    uint8_t id_reg, id;    // identity register and value
    uint8_t i2c_only;      // no SPI model
    uint8_t default_addr;  // I2C address when "i2c_address" is not given
} chip_infos[] = {
    [ADXL345] = { "adxl345", 0x00, 0xe5, 0, 0 },
    [LIS2DW] = { "lis2dw", 0x0f, 0x44, 0, 0x19 },
    [LIS3DH] = { "lis3dh", 0x0f, 0x33, 0, 0x19 },
    [MPU9250] = { "mpu9250", 0x75, 0x71, 1, 0x68 },
    [MPU6500] = { "mpu6500", 0x75, 0x70, 1, 0x68 },
    [MPU6050] = { "mpu6050", 0x75, 0x68, 1, 0x68 },
    [ICM20948] = { "icm20948", 0x00, 0xea, 1, 0x68 },
};
#define CHIP_COUNT (sizeof(chip_infos) / sizeof(chip_infos[0]))

// Registers used below (datasheets). ADXL345:
enum { AD_BW_RATE = 0x2c, AD_POWER_CTL = 0x2d, AD_DATAX0 = 0x32, AD_FIFO_CTL = 0x38, AD_FIFO_STATUS = 0x39 };
// LIS2DW12 / LIS3DH (CTRL1 = CTRL_REG1; LIS2DW CTRL6 = range, LIS3DH CTRL_REG4 = range, CTRL_REG5 = FIFO_EN):
enum { LI_CTRL1 = 0x20, LI_CTRL2 = 0x21, LI3_CTRL4 = 0x23, LI3_CTRL5 = 0x24, LI2_CTRL6 = 0x25,
       LI_OUT_X_L = 0x28, LI_FIFO_CTRL = 0x2e, LI_FIFO_LEVEL = 0x2f };
// MPU-9250/6500/6050:
enum { MP_SMPLRT_DIV = 0x19, MP_ACCEL_CONFIG = 0x1c, MP_ACCEL_CONFIG2 = 0x1d, MP_FIFO_EN = 0x23,
       MP_INT_STATUS = 0x3a, MP_USER_CTRL = 0x6a, MP_PWR_MGMT_1 = 0x6b, MP_PWR_MGMT_2 = 0x6c,
       MP_FIFO_COUNTH = 0x72, MP_FIFO_R_W = 0x74 };
// ICM-20948, bank 0 and (IC2_) bank 2; REG_BANK_SEL is in every bank:
enum { IC_USER_CTRL = 0x03, IC_PWR_MGMT_1 = 0x06, IC_PWR_MGMT_2 = 0x07, IC_INT_STATUS_2 = 0x1b,
       IC_FIFO_EN_2 = 0x67, IC_FIFO_RST = 0x68, IC_FIFO_COUNTH = 0x70, IC_FIFO_R_W = 0x72,
       IC_BANK_SEL = 0x7f, IC2_ACCEL_SMPLRT_DIV_1 = 0x10, IC2_ACCEL_SMPLRT_DIV_2 = 0x11,
       IC2_ACCEL_CONFIG = 0x14 };

struct accel_axis {
    int stepper_idx;                 // -1: this axis never moves
    double omega, zeta;              // the spring-mass (rad/s, damping ratio); omega 0: rigid
    double prev_mm, vel_hist[SMOOTH_N], acc_hist[SMOOTH_N];
    double prev_vel_avg, defl_mm, defl_vel;
    int hist_pos, primed;
};

struct accel {
    char name[32];
    enum chip chip;
    int on_i2c, i2c_addr;
    int cs_pin, sclk_pin, mosi_pin, miso_pin;
    int selected, mosi_level, miso_level, bits, byte_count;
    uint8_t in_byte, out_byte, addr, is_read, multi;
    uint8_t regs[4][128];            // [bank][address]; only the ICM-20948 has banks
    float fifo[BACKLOG_SIZE][3];     // mm/s^2, oldest first
    int fifo_count, fifo_byte_pos;   // byte_pos: bytes of the oldest sample read (MPU/ICM)
    int overflowed;                  // FIFO overflow flag (MPU/ICM), cleared when read
    uint8_t count_low;               // FIFO count low byte latched with the high byte
    float latest[3];
    uint32_t next_sample_clock;
    int sampling;
    struct accel_axis axes[2];
};

static struct accel accels[ACCEL_MAX];
static int accel_count;

static int is_lis(const struct accel *a) { return a->chip == LIS2DW || a->chip == LIS3DH; }
static int is_mpu(const struct accel *a) { return a->chip == MPU9250 || a->chip == MPU6500 || a->chip == MPU6050; }

static uint8_t *reg(struct accel *a, int bank, uint8_t addr) { return &a->regs[bank][addr & 0x7f]; }
static int bank_of(struct accel *a) { return a->chip == ICM20948 ? (a->regs[0][IC_BANK_SEL] >> 4) & 3 : 0; }
#define R0(a, addr) (*reg(a, 0, addr))

static double sample_hz(struct accel *a)
{
    switch (a->chip) {
    case ADXL345:
        return 3200.0 / (double)(1 << (15 - (R0(a, AD_BW_RATE) & 0x0f)));
    case LIS2DW: {
        static const double hz[16] = { 0, 12.5, 12.5, 25, 50, 100, 200, 400, 800, 1600, 1600, 1600, 1600, 1600, 1600, 1600 };
        return hz[R0(a, LI_CTRL1) >> 4];
    }
    case LIS3DH: {
        static const double hz[16] = { 0, 1, 10, 25, 50, 100, 200, 400, 1600, 1344, 1344, 1344, 1344, 1344, 1344, 1344 };
        int code = R0(a, LI_CTRL1) >> 4;
        return code == 9 && (R0(a, LI_CTRL1) & 0x08) ? 5376 : hz[code];  // LPen: low-power rate
    }
    case MPU9250:
    case MPU6500:
        if (R0(a, MP_ACCEL_CONFIG2) & 0x08)  // ACCEL_FCHOICE_B: filter bypassed, 4 kHz
            return 4000;
        return 1000.0 / (1 + R0(a, MP_SMPLRT_DIV));
    case MPU6050:
        return 1000.0 / (1 + R0(a, MP_SMPLRT_DIV));
    case ICM20948: {
        if (!(*reg(a, 2, IC2_ACCEL_CONFIG) & 0x01))  // ACCEL_FCHOICE 0: filter bypassed, 4.5 kHz
            return 4500;
        int div = ((*reg(a, 2, IC2_ACCEL_SMPLRT_DIV_1) & 0x0f) << 8) | *reg(a, 2, IC2_ACCEL_SMPLRT_DIV_2);
        return 1125.0 / (1 + div);
    }
    }
    return 0;
}

static uint32_t sample_ticks(struct accel *a)
{
    double hz = sample_hz(a);
    return hz > 0 ? (uint32_t)(SIM_CLOCK_FREQ / hz) : SIM_CLOCK_FREQ;
}

// Measuring at all (the output registers update).
static int measuring(struct accel *a)
{
    switch (a->chip) {
    case ADXL345: return (R0(a, AD_POWER_CTL) & 0x08) != 0;
    case LIS2DW:
    case LIS3DH: return (R0(a, LI_CTRL1) >> 4) != 0;
    case ICM20948: return !(R0(a, IC_PWR_MGMT_1) & 0x40) && (R0(a, IC_PWR_MGMT_2) & 0x38) != 0x38;
    default: return !(R0(a, MP_PWR_MGMT_1) & 0x40) && (R0(a, MP_PWR_MGMT_2) & 0x38) != 0x38;
    }
}

// Samples go into the FIFO (otherwise only the output registers follow them).
static int fifo_on(struct accel *a)
{
    switch (a->chip) {
    case ADXL345: return (R0(a, AD_FIFO_CTL) & 0xc0) != 0;
    case LIS2DW: return (R0(a, LI_FIFO_CTRL) & 0xe0) != 0;
    case LIS3DH: return (R0(a, LI_FIFO_CTRL) & 0xc0) != 0 && (R0(a, LI3_CTRL5) & 0x40);
    case ICM20948: return (R0(a, IC_USER_CTRL) & 0x40) && (R0(a, IC_FIFO_EN_2) & 0x10);
    default: return (R0(a, MP_USER_CTRL) & 0x40) && (R0(a, MP_FIFO_EN) & 0x08);
    }
}

// The FIFO's capacity in bytes (MPU/ICM count bytes; the others count entries of 32).
static int fifo_capacity_bytes(const struct accel *a) { return a->chip == MPU6050 ? 1024 : 512; }

static int16_t clamp16(double v, double lo, double hi) { return (int16_t)(v > hi ? hi : v < lo ? lo : v); }

// One axis in the chip's output counts, as its data registers hold them (16-bit two's complement).
static int16_t to_raw(struct accel *a, double mm_s2)
{
    double g = mm_s2 / GRAVITY_MM_S2;
    switch (a->chip) {
    case ADXL345:  // full resolution: 256 counts per g, 13 bits
        return clamp16(round(g * 256.0), -4096, 4095);
    case LIS2DW: {  // 14 bits, left-justified; mg per count by CTRL6.FS
        static const double mg[4] = { 0.244, 0.488, 0.976, 1.952 };
        return (int16_t)(clamp16(round(g * 1000 / mg[(R0(a, LI2_CTRL6) >> 4) & 3]), -8192, 8191) * 4);
    }
    case LIS3DH: {  // high resolution: 12 bits, left-justified; mg per count by CTRL_REG4.FS
        static const double mg[4] = { 1, 2, 4, 12 };
        return (int16_t)(clamp16(round(g * 1000 / mg[(R0(a, LI3_CTRL4) >> 4) & 3]), -2048, 2047) * 16);
    }
    case ICM20948:
        return clamp16(round(g * (16384 >> ((*reg(a, 2, IC2_ACCEL_CONFIG) >> 1) & 3))), -32768, 32767);
    default:
        return clamp16(round(g * (16384 >> ((R0(a, MP_ACCEL_CONFIG) >> 3) & 3))), -32768, 32767);
    }
}

// The axis's measured acceleration (mm/s^2) for the position at this sample.
static double axis_sample(struct accel_axis *x, double dt)
{
    double mm = x->stepper_idx >= 0 ? machine_stepper_mm(&sim_machine.steppers[x->stepper_idx]) : 0;
    if (!x->primed) {
        x->prev_mm = mm;
        x->primed = 1;
    }
    x->vel_hist[x->hist_pos] = (mm - x->prev_mm) / dt;
    x->prev_mm = mm;
    double vel = 0;
    for (int i = 0; i < SMOOTH_N; i++)
        vel += x->vel_hist[i] / SMOOTH_N;
    x->acc_hist[x->hist_pos] = (vel - x->prev_vel_avg) / dt;
    x->prev_vel_avg = vel;
    x->hist_pos = (x->hist_pos + 1) % SMOOTH_N;
    double drive = 0;
    for (int i = 0; i < SMOOTH_N; i++)
        drive += x->acc_hist[i] / SMOOTH_N;
    if (x->omega <= 0)
        return drive;
    // Toolhead = motor + deflection; the deflection's spring-mass is driven by the motor's
    // acceleration (semi-implicit Euler, stable for omega * dt < 2).
    double defl_acc = -drive - 2 * x->zeta * x->omega * x->defl_vel - x->omega * x->omega * x->defl_mm;
    x->defl_vel += defl_acc * dt;
    x->defl_mm += x->defl_vel * dt;
    return drive + defl_acc;
}

static void advance(struct accel *a, uint32_t clock)
{
    if (!a->sampling)
        return;
    uint32_t ticks = sample_ticks(a);
    double dt = (double)ticks / SIM_CLOCK_FREQ;
    int to_fifo = fifo_on(a);
    while ((int32_t)(clock - a->next_sample_clock) >= 0) {
        a->latest[0] = (float)axis_sample(&a->axes[0], dt);
        a->latest[1] = (float)axis_sample(&a->axes[1], dt);
        a->latest[2] = (float)GRAVITY_MM_S2;
        if (to_fifo && a->fifo_count < BACKLOG_SIZE)
            memcpy(a->fifo[a->fifo_count++], a->latest, sizeof(a->latest));
        a->next_sample_clock += ticks;
    }
    if (a->fifo_count * 6 - a->fifo_byte_pos > fifo_capacity_bytes(a))
        a->overflowed = 1;
}

void accel_before_step(uint32_t clock)
{
    for (int i = 0; i < accel_count; i++)
        advance(&accels[i], clock);
}

static void clear_fifo(struct accel *a)
{
    a->fifo_count = a->fifo_byte_pos = 0;
}

static void set_sampling(struct accel *a, uint32_t clock)
{
    advance(a, clock);  // samples so far at the old settings
    int on = measuring(a);
    if (on && !a->sampling) {
        a->next_sample_clock = clock + sample_ticks(a);
        for (int i = 0; i < 2; i++)
            a->axes[i].primed = 0;
    }
    if (!on)
        clear_fifo(a);
    a->sampling = on;
}

static void pop_sample(struct accel *a, float out[3])
{
    memcpy(out, a->fifo[0], sizeof(a->fifo[0]));
    memmove(a->fifo[0], a->fifo[1], sizeof(a->fifo[0]) * (size_t)(a->fifo_count - 1));
    a->fifo_count--;
}

// A read starting at the first output register pops the FIFO's oldest entry into the output
// registers (ADXL345, LIS: X, Y, Z low byte first); without FIFO entries they show the latest.
static void read_started(struct accel *a, uint8_t addr, uint32_t clock)
{
    uint8_t first = a->chip == ADXL345 ? AD_DATAX0 : LI_OUT_X_L;
    if ((a->chip != ADXL345 && !is_lis(a)) || addr != first)
        return;
    advance(a, clock);
    float s[3];
    if (a->fifo_count)
        pop_sample(a, s);
    else
        memcpy(s, a->latest, sizeof(s));
    for (int i = 0; i < 3; i++) {
        uint16_t raw = (uint16_t)to_raw(a, s[i]);
        R0(a, first + 2 * i) = (uint8_t)(raw & 0xff);
        R0(a, first + 2 * i + 1) = (uint8_t)(raw >> 8);
    }
}

// The next byte of the MPU/ICM FIFO: the oldest sample's X, Y, Z, high byte first.
static uint8_t fifo_byte(struct accel *a)
{
    if (!a->fifo_count)
        return 0;
    uint16_t raw = (uint16_t)to_raw(a, a->fifo[0][a->fifo_byte_pos / 2]);
    uint8_t b = a->fifo_byte_pos % 2 ? (uint8_t)(raw & 0xff) : (uint8_t)(raw >> 8);
    if (++a->fifo_byte_pos == 6) {
        float s[3];
        pop_sample(a, s);
        a->fifo_byte_pos = 0;
    }
    return b;
}

// FIFO level as the MPU/ICM count registers give it: bytes, at most the capacity.
static uint16_t fifo_count_bytes(struct accel *a, uint32_t clock)
{
    advance(a, clock);
    int bytes = a->fifo_count * 6 - a->fifo_byte_pos;
    int cap = fifo_capacity_bytes(a);
    return (uint16_t)(bytes < cap ? bytes : cap);
}

static uint8_t reg_read(struct accel *a, uint8_t addr, uint32_t clock)
{
    int bank = bank_of(a);
    addr &= 0x7f;
    if (a->chip == ADXL345 && addr == AD_FIFO_STATUS) {
        advance(a, clock);
        return (uint8_t)(a->fifo_count < 32 ? a->fifo_count : 32);
    }
    if (is_lis(a) && addr == LI_FIFO_LEVEL) {
        advance(a, clock);
        int n = a->fifo_count;
        if (a->chip == LIS2DW)  // FIFO_SAMPLES: overrun bit 6, unread entries 0..32
            return (uint8_t)((n > 32 ? 0x40 : 0) | (n < 32 ? n : 32));
        // LIS3DH FIFO_SRC_REG: overrun bit 6 when full, empty bit 5, unread entries 0..31
        return (uint8_t)(n >= 32 ? 0x40 | 0x1f : n == 0 ? 0x20 : n);
    }
    uint8_t count_h = is_mpu(a) ? MP_FIFO_COUNTH : IC_FIFO_COUNTH;
    uint8_t data_reg = is_mpu(a) ? MP_FIFO_R_W : IC_FIFO_R_W;
    uint8_t status_reg = is_mpu(a) ? MP_INT_STATUS : IC_INT_STATUS_2;
    if ((is_mpu(a) || a->chip == ICM20948) && bank == 0) {
        if (addr == count_h) {  // the low byte is latched with the high one
            uint16_t n = fifo_count_bytes(a, clock);
            a->count_low = (uint8_t)(n & 0xff);
            return (uint8_t)(n >> 8);
        }
        if (addr == count_h + 1)
            return a->count_low;
        if (addr == data_reg)
            return fifo_byte(a);
        if (addr == status_reg) {
            advance(a, clock);
            uint8_t v = a->overflowed ? (is_mpu(a) ? 0x10 : 0x01) : 0;
            a->overflowed = 0;
            return v;
        }
    }
    return *reg(a, bank, addr);
}

static void reg_write(struct accel *a, uint8_t addr, uint8_t value, uint32_t clock)
{
    int bank = bank_of(a);
    addr &= 0x7f;
    if (a->chip == ICM20948 && addr == IC_BANK_SEL) {
        a->regs[0][IC_BANK_SEL] = value & 0x30;
        return;
    }
    if (addr == chip_infos[a->chip].id_reg && bank == 0)
        return;  // read-only identity
    advance(a, clock);
    *reg(a, bank, addr) = value;
    switch (a->chip) {
    case ADXL345:
        if (addr == AD_FIFO_CTL && !(value & 0xc0))
            clear_fifo(a);  // bypass mode clears the FIFO
        break;
    case LIS2DW:
    case LIS3DH:
        if (addr == LI_FIFO_CTRL && !(value & (a->chip == LIS2DW ? 0xe0 : 0xc0)))
            clear_fifo(a);
        break;
    case ICM20948:
        if (bank == 0 && addr == IC_FIFO_RST && (value & 0x1f))
            clear_fifo(a);
        break;
    default:
        if (addr == MP_USER_CTRL && (value & 0x04)) {  // FIFO_RST, self-clearing
            clear_fifo(a);
            R0(a, MP_USER_CTRL) &= (uint8_t)~0x04;
        }
        break;
    }
    set_sampling(a, clock);
}

// ---- SPI at pin level ----
static void byte_done(struct accel *a, uint32_t clock)
{
    if (a->byte_count++ == 0) {
        a->addr = a->in_byte & 0x3f;
        a->is_read = (a->in_byte & 0x80) != 0;
        a->multi = a->chip == LIS2DW ? (R0(a, LI_CTRL2) & 0x04) != 0 : (a->in_byte & 0x40) != 0;
        if (a->is_read)
            read_started(a, a->addr, clock);
    } else {
        if (!a->is_read)
            reg_write(a, a->addr, a->in_byte, clock);
        if (a->multi)
            a->addr = (a->addr + 1) & 0x3f;
    }
    a->out_byte = a->is_read ? reg_read(a, a->addr, clock) : 0;
}

void accel_output_changed(int pin, uint32_t clock, int level)
{
    for (int i = 0; i < accel_count; i++) {
        struct accel *a = &accels[i];
        if (a->on_i2c)
            continue;
        if (pin == a->cs_pin) {
            if (!level && !a->selected) {
                a->selected = 1;
                a->bits = a->byte_count = 0;
                a->out_byte = 0;
            } else if (level) {
                a->selected = 0;
            }
            continue;
        }
        if (pin == a->mosi_pin)
            a->mosi_level = level;
        if (pin != a->sclk_pin || !a->selected)
            continue;
        if (!level) {  // falling edge: put the next bit out
            a->miso_level = (a->out_byte >> (7 - a->bits)) & 1;
        } else {       // rising edge: sample
            a->in_byte = (uint8_t)((a->in_byte << 1) | (a->mosi_level & 1));
            if (++a->bits == 8) {
                a->bits = 0;
                byte_done(a, clock);
            }
        }
    }
}

int accel_input_read(int pin, uint32_t clock, int *level)
{
    for (int i = 0; i < accel_count; i++) {
        if (!accels[i].on_i2c && accels[i].miso_pin == pin && accels[i].selected) {
            *level = accels[i].miso_level;
            return 1;
        }
    }
    return 0;
}

// ---- I2C (any sim bus): a write sets the register and writes on; a read reads from it ----
int accel_i2c_transfer(uint8_t addr, uint8_t write_len, const uint8_t *write, uint8_t read_len,
                       uint8_t *read, uint32_t clock)
{
    struct accel *a = 0;
    for (int i = 0; i < accel_count; i++)
        if (accels[i].on_i2c && accels[i].i2c_addr == addr)
            a = &accels[i];
    if (!a)
        return I2C_BUS_START_NACK;
    if (write_len) {
        a->addr = write[0] & 0x7f;
        a->multi = a->chip == LIS3DH ? (write[0] & 0x80) != 0
                   : a->chip == LIS2DW ? (R0(a, LI_CTRL2) & 0x04) != 0 : 1;
        for (uint8_t i = 1; i < write_len; i++) {
            reg_write(a, a->addr, write[i], clock);
            if (a->multi)
                a->addr = (a->addr + 1) & 0x7f;
        }
    }
    if (read_len) {
        read_started(a, a->addr, clock);
        uint8_t fifo_reg = is_mpu(a) ? MP_FIFO_R_W : a->chip == ICM20948 ? IC_FIFO_R_W : 0xff;
        for (uint8_t i = 0; i < read_len; i++) {
            read[i] = reg_read(a, a->addr, clock);
            if (a->multi && !(a->addr == fifo_reg && bank_of(a) == 0))
                a->addr = (a->addr + 1) & 0x7f;
        }
    }
    return I2C_BUS_SUCCESS;
}

// ---- loading ----
static int get_pin(const struct json *e, const char *key, const char *name)
{
    int inv;
    return machine_get_pin(e, key, 0, &inv, name);
}

static void load_axis(struct accel_axis *x, const struct json *e, const char *stepper_key,
                      const char *def_stepper, const char *hz_key, double zeta, const char *name)
{
    double zero = 0;
    const char *stepper = machine_get_str(e, stepper_key, def_stepper, name);
    x->stepper_idx = machine_stepper_index(stepper);
    double hz = machine_get_num(e, hz_key, &zero, name);
    if (hz < 0 || hz > 400)
        machine_die(json_get(e, hz_key), "%s: \"%s\" must be 0..400 Hz (0: no resonance)", name, hz_key);
    x->omega = 2 * M_PI * hz;
    x->zeta = zeta;
}

static void load_spi(struct accel *a, const struct json *e, const char *name)
{
    a->sclk_pin = get_pin(e, "sclk_pin", name);
    a->mosi_pin = get_pin(e, "mosi_pin", name);
    a->miso_pin = get_pin(e, "miso_pin", name);
    if (a->sclk_pin < 0 || a->mosi_pin < 0 || a->miso_pin < 0) {
        const char *bus = machine_get_str(e, "spi_bus", "spi", name);
        if (sim_spi_bus_pins(bus, &a->sclk_pin, &a->mosi_pin, &a->miso_pin) < 0)
            machine_die(json_get(e, "spi_bus"), "%s: unknown spi_bus \"%s\"", name, bus);
    }
}

static void load_i2c(struct accel *a, const struct json *e, const char *name)
{
    double def_addr = chip_infos[a->chip].default_addr;
    double addr = machine_get_num(e, "i2c_address", &def_addr, name);
    if (addr < 0 || addr > 0x7f || addr != (int)addr)
        machine_die(json_get(e, "i2c_address"), "%s: i2c_address must be a 7-bit address (0-127)%s", name, "");
    a->on_i2c = 1;
    a->i2c_addr = (int)addr;
    a->cs_pin = a->sclk_pin = a->mosi_pin = a->miso_pin = -1;
    for (int i = 0; i < accel_count - 1; i++)
        if (accels[i].on_i2c && accels[i].i2c_addr == a->i2c_addr)
            machine_die(e, "%s: another accelerometer already answers at this I2C address%s", name, "");
}

// Power-on register values the host relies on (datasheets).
static void power_on(struct accel *a)
{
    const struct chip_info *c = &chip_infos[a->chip];
    R0(a, c->id_reg) = c->id;
    switch (a->chip) {
    case ADXL345: R0(a, AD_BW_RATE) = 0x0a; break;  // 100 Hz
    case LIS2DW: R0(a, LI_CTRL2) = 0x04; break;     // IF_ADD_INC
    case LIS3DH: R0(a, LI_CTRL1) = 0x07; break;     // axes on, power-down
    case ICM20948:
        R0(a, IC_PWR_MGMT_1) = 0x41;  // sleep
        *reg(a, 2, IC2_ACCEL_CONFIG) = 0x01;
        break;
    default: R0(a, MP_PWR_MGMT_1) = 0x40; break;  // sleep
    }
}

void accel_load(const struct json *list)
{
    accel_count = 0;
    for (const struct json *e = list ? list->child : 0; e; e = e->next) {
        if (accel_count >= ACCEL_MAX)
            machine_die(e, "too many accelerometers (max %s)%s", "4", "");
        struct accel *a = &accels[accel_count++];
        memset(a, 0, sizeof(*a));
        const char *name = machine_get_str(e, "name", "adxl345", "accelerometer");
        snprintf(a->name, sizeof(a->name), "%s", name);
        const char *chip = machine_get_str(e, "chip", "adxl345", name);
        unsigned k = 0;
        while (k < CHIP_COUNT && strcmp(chip_infos[k].name, chip))
            k++;
        if (k == CHIP_COUNT)
            machine_die(json_get(e, "chip"), "%s: unknown chip \"%s\" (adxl345, lis2dw, lis3dh, mpu9250, mpu6500, mpu6050, icm20948)", name, chip);
        a->chip = (enum chip)k;
        a->cs_pin = get_pin(e, "cs_pin", name);
        if (a->cs_pin >= 0 && !chip_infos[k].i2c_only)
            load_spi(a, e, name);
        else if (a->chip == ADXL345)
            machine_die(e, "%s: missing \"cs_pin\" (an ADXL345 talks SPI)%s", name, "");
        else
            load_i2c(a, e, name);
        double def_zeta = 0.1;
        double zeta = machine_get_num(e, "damping", &def_zeta, name);
        if (zeta <= 0 || zeta >= 1)
            machine_die(json_get(e, "damping"), "%s: \"damping\" must be between 0 and 1%s", name, "");
        load_axis(&a->axes[0], e, "x_stepper", "stepper_x", "resonance_hz_x", zeta, name);
        load_axis(&a->axes[1], e, "y_stepper", "stepper_y", "resonance_hz_y", zeta, name);
        power_on(a);
    }
}

int accel_pin_is_bus(int pin)
{
    for (int i = 0; i < accel_count; i++) {
        const struct accel *a = &accels[i];
        if (!a->on_i2c && (pin == a->cs_pin || pin == a->sclk_pin || pin == a->mosi_pin || pin == a->miso_pin))
            return 1;
    }
    return 0;
}
