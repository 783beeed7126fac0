// ADXL345 accelerometer models on SPI pins (README "accelerometers").
// The chip samples at its output data rate (BW_RATE) into a 32-entry FIFO while POWER_CTL's
// measure bit is set. Each sample is the toolhead's acceleration: the second derivative of the
// X/Y steppers' positions (sampled at the data rate, smoothed over ~1 ms) plus the deflection
// of a damped spring-mass per axis driven by it (resonance_hz_x/_y, damping), so a vibration
// sweep shows a peak at those frequencies; Z reads gravity. Samples are produced lazily: before
// each step (so the position history is exact) and when the MCU reads the chip.
// SPI: mode 3, CS active low; first byte = read bit 7, multi-byte bit 6, address bits 0..5.
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "sim.h"
#include "json.h"

#define ACCEL_MAX 4
#define FIFO_SIZE 32
// Samples the model keeps beyond the chip's 32: the sim runs in real time, and a sim process
// stalled by a loaded host (> 10 ms) would otherwise lose samples no real MCU would lose.
// FIFO_STATUS still reports at most 32, so the firmware's overflow count sees the stall.
#define BACKLOG_SIZE 1024
#define SMOOTH_N 4           // moving averages over 4 samples: 1.25 ms at 3200 Hz
#define LSB_PER_G 256.0      // full resolution: 3.9 mg per LSB
#define GRAVITY_MM_S2 9806.65

struct accel_axis {
    int stepper_idx;                 // -1: this axis never moves
    double omega, zeta;              // the spring-mass (rad/s, damping ratio); omega 0: rigid
    double prev_mm, vel_hist[SMOOTH_N], acc_hist[SMOOTH_N];
    double prev_vel_avg, defl_mm, defl_vel;
    int hist_pos, primed;
};

struct accel {
    char name[32];
    int cs_pin, sclk_pin, mosi_pin, miso_pin;
    int selected, mosi_level, miso_level, bits, byte_count;
    uint8_t in_byte, out_byte, addr, is_read, multi;
    uint8_t regs[64];
    int16_t fifo[BACKLOG_SIZE][3];
    int fifo_count;
    int16_t latest[3];
    uint32_t next_sample_clock;
    int sampling;
    struct accel_axis axes[2];
};

static struct accel accels[ACCEL_MAX];
static int accel_count;

enum { R_DEVID = 0x00, R_BW_RATE = 0x2c, R_POWER_CTL = 0x2d, R_DATA_FORMAT = 0x31,
       R_DATAX0 = 0x32, R_DATAZ1 = 0x37, R_FIFO_CTL = 0x38, R_FIFO_STATUS = 0x39 };

static uint32_t sample_ticks(const struct accel *a)
{
    int code = a->regs[R_BW_RATE] & 0x0f;
    double hz = 3200.0 / (double)(1 << (15 - code));
    return (uint32_t)(SIM_CLOCK_FREQ / hz);
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

static int16_t to_counts(double mm_s2)
{
    double c = round(mm_s2 / GRAVITY_MM_S2 * LSB_PER_G);
    return (int16_t)(c > 4095 ? 4095 : c < -4096 ? -4096 : c);  // 13-bit full resolution
}

static void advance(struct accel *a, uint32_t clock)
{
    if (!a->sampling)
        return;
    uint32_t ticks = sample_ticks(a);
    double dt = (double)ticks / SIM_CLOCK_FREQ;
    while ((int32_t)(clock - a->next_sample_clock) >= 0) {
        a->latest[0] = to_counts(axis_sample(&a->axes[0], dt));
        a->latest[1] = to_counts(axis_sample(&a->axes[1], dt));
        a->latest[2] = to_counts(GRAVITY_MM_S2);
        if (a->fifo_count < BACKLOG_SIZE)
            memcpy(a->fifo[a->fifo_count++], a->latest, sizeof(a->latest));
        a->next_sample_clock += ticks;
    }
}

void accel_before_step(uint32_t clock)
{
    for (int i = 0; i < accel_count; i++)
        advance(&accels[i], clock);
}

static void set_sampling(struct accel *a, uint32_t clock)
{
    int on = (a->regs[R_POWER_CTL] & 0x08) != 0;
    if (on && !a->sampling) {
        a->next_sample_clock = clock + sample_ticks(a);
        for (int i = 0; i < 2; i++)
            a->axes[i].primed = 0;
    }
    if (!on)
        a->fifo_count = 0;
    a->sampling = on;
}

// The data registers show the FIFO's oldest entry; reading them (a read starting at DATAX0)
// pops it.
static void latch_data(struct accel *a)
{
    int16_t *s = a->latest;
    if (a->fifo_count) {
        static int16_t head[3];
        memcpy(head, a->fifo[0], sizeof(head));
        memmove(a->fifo[0], a->fifo[1], sizeof(a->fifo[0]) * (size_t)(a->fifo_count - 1));
        a->fifo_count--;
        s = head;
    }
    for (int i = 0; i < 3; i++) {
        a->regs[R_DATAX0 + 2 * i] = (uint8_t)(s[i] & 0xff);
        a->regs[R_DATAX0 + 2 * i + 1] = (uint8_t)((uint16_t)s[i] >> 8);
    }
}

static uint8_t reg_read(struct accel *a, uint8_t addr, uint32_t clock)
{
    if (addr == R_FIFO_STATUS) {
        advance(a, clock);
        return (uint8_t)(a->fifo_count < FIFO_SIZE ? a->fifo_count : FIFO_SIZE);
    }
    return a->regs[addr & 0x3f];
}

static void byte_done(struct accel *a, uint32_t clock)
{
    if (a->byte_count++ == 0) {
        a->addr = a->in_byte & 0x3f;
        a->is_read = (a->in_byte & 0x80) != 0;
        a->multi = (a->in_byte & 0x40) != 0;
        if (a->is_read && a->addr == R_DATAX0) {
            advance(a, clock);
            latch_data(a);
        }
    } else {
        if (!a->is_read) {
            a->regs[a->addr] = a->in_byte;
            if (a->addr == R_POWER_CTL || a->addr == R_BW_RATE)
                set_sampling(a, clock);
            if (a->addr == R_FIFO_CTL && !(a->in_byte & 0xc0))
                a->fifo_count = 0;  // bypass mode clears the FIFO
        }
        if (a->multi)
            a->addr = (a->addr + 1) & 0x3f;
    }
    a->out_byte = a->is_read ? reg_read(a, a->addr, clock) : 0;
}

void accel_output_changed(int pin, uint32_t clock, int level)
{
    for (int i = 0; i < accel_count; i++) {
        struct accel *a = &accels[i];
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
        if (accels[i].miso_pin == pin && accels[i].selected) {
            *level = accels[i].miso_level;
            return 1;
        }
    }
    return 0;
}

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

void accel_load(const struct json *list)
{
    for (const struct json *e = list ? list->child : 0; e; e = e->next) {
        if (accel_count >= ACCEL_MAX)
            machine_die(e, "too many accelerometers (max %s)%s", "4", "");
        struct accel *a = &accels[accel_count++];
        memset(a, 0, sizeof(*a));
        const char *name = machine_get_str(e, "name", "adxl345", "accelerometer");
        snprintf(a->name, sizeof(a->name), "%s", name);
        a->cs_pin = get_pin(e, "cs_pin", name);
        if (a->cs_pin < 0)
            machine_die(e, "%s: missing \"cs_pin\" (an ADXL345 talks SPI)%s", name, "");
        a->sclk_pin = get_pin(e, "sclk_pin", name);
        a->mosi_pin = get_pin(e, "mosi_pin", name);
        a->miso_pin = get_pin(e, "miso_pin", name);
        if (a->sclk_pin < 0 || a->mosi_pin < 0 || a->miso_pin < 0) {
            const char *bus = machine_get_str(e, "spi_bus", "spi", name);
            if (sim_spi_bus_pins(bus, &a->sclk_pin, &a->mosi_pin, &a->miso_pin) < 0)
                machine_die(json_get(e, "spi_bus"), "%s: unknown spi_bus \"%s\"", name, bus);
        }
        double def_zeta = 0.1;
        double zeta = machine_get_num(e, "damping", &def_zeta, name);
        if (zeta <= 0 || zeta >= 1)
            machine_die(json_get(e, "damping"), "%s: \"damping\" must be between 0 and 1%s", name, "");
        load_axis(&a->axes[0], e, "x_stepper", "stepper_x", "resonance_hz_x", zeta, name);
        load_axis(&a->axes[1], e, "y_stepper", "stepper_y", "resonance_hz_y", zeta, name);
        a->regs[R_DEVID] = 0xe5;
        a->regs[R_BW_RATE] = 0x0a;  // power-on: 100 Hz
    }
}

int accel_pin_is_bus(int pin)
{
    for (int i = 0; i < accel_count; i++) {
        const struct accel *a = &accels[i];
        if (pin == a->cs_pin || pin == a->sclk_pin || pin == a->mosi_pin || pin == a->miso_pin)
            return 1;
    }
    return 0;
}
