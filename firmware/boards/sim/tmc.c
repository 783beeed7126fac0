// Trinamic stepper driver models on the sim's pins (README "drivers").
// UART drivers (TMC2208/2209/2225/2226) listen to the MCU's bit-banged line: the edges' clock
// times are decoded like the chip does (bit time measured from the sync nibble, each bit sampled
// in its middle), the CRC8 is checked, and a read request is answered by driving the reply onto
// the line at the same bit rate after SENDDELAY. SPI drivers (TMC2130/5160) shift 40-bit
// datagrams on SCLK edges (mode 3) and answer with a status byte and the register the previous
// datagram addressed. Register writes are traced as `tmc` events.
// A TMC2660 shifts 20-bit datagrams (the last 20 bits clocked in while CS was low; the register
// is bits 19..17) and answers with the read response DRVCONF.RDSEL selects.
// Sensorless homing: a driver with a "stepper" and a "hard_stop" blocks that stepper's steps past
// the stop (the carriage cannot go on; the motor skips); a hard stop with an "axis" is a wall of
// a carriage moved by two motors (corexy) and blocks a step of either that would push the
// carriage past it. A driver with a "diag_pin" drives its DIAG output while its motor pushes
// against a stop with StallGuard set up the way the chip needs (TCOOLTHRS above the speed,
// stealthChop for StallGuard4 on a TMC2209, spreadCycle and diag0/1_stall for StallGuard2 on
// the SPI kinds). Stall changes are traced as `tmc_stall` events.
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "sim.h"
#include "json.h"

#define TMC_MAX_DRIVERS 16
#define TMC_MAX_LINES 8
#define TMC_MAX_EDGES 512

enum { ACC_NONE, ACC_R, ACC_W, ACC_RW, ACC_RC };  // RC: read, write 1 to clear (GSTAT)
struct tmc_reg { const char *name; uint8_t addr, access; uint32_t reset; };

// Power-on values the models start from (datasheet reset values, rounded to what the host reads).
static const struct tmc_reg regs_2209[] = {
    { "GCONF", 0x00, ACC_RW, 0x00000041 }, { "GSTAT", 0x01, ACC_RC, 0x00000001 },
    { "IFCNT", 0x02, ACC_R, 0 }, { "SLAVECONF", 0x03, ACC_W, 0 },
    { "OTP_PROG", 0x04, ACC_W, 0 }, { "OTP_READ", 0x05, ACC_R, 0 },
    { "IOIN", 0x06, ACC_R, 0 }, { "FACTORY_CONF", 0x07, ACC_RW, 0x0000000f },
    { "IHOLD_IRUN", 0x10, ACC_W, 0x00001f00 }, { "TPOWERDOWN", 0x11, ACC_W, 20 },
    { "TSTEP", 0x12, ACC_R, 0x000fffff }, { "TPWMTHRS", 0x13, ACC_W, 0 },
    { "TCOOLTHRS", 0x14, ACC_W, 0 }, { "VACTUAL", 0x22, ACC_W, 0 },
    { "SGTHRS", 0x40, ACC_W, 0 }, { "SG_RESULT", 0x41, ACC_R, 0 },
    { "COOLCONF", 0x42, ACC_W, 0 }, { "MSCNT", 0x6a, ACC_R, 0 },
    { "MSCURACT", 0x6b, ACC_R, 0x00f70000 }, { "CHOPCONF", 0x6c, ACC_RW, 0x10000053 },
    { "DRV_STATUS", 0x6f, ACC_R, 0x80000000 }, { "PWMCONF", 0x70, ACC_RW, 0xc10d0024 },
    { "PWM_SCALE", 0x71, ACC_R, 0 }, { "PWM_AUTO", 0x72, ACC_R, 0 },
    { 0, 0, 0, 0 },
};
static const struct tmc_reg regs_2130[] = {
    { "GCONF", 0x00, ACC_RW, 0 }, { "GSTAT", 0x01, ACC_RC, 0x00000001 },
    { "IOIN", 0x04, ACC_R, 0 }, { "IHOLD_IRUN", 0x10, ACC_W, 0 },
    { "TPOWERDOWN", 0x11, ACC_W, 0 }, { "TSTEP", 0x12, ACC_R, 0x000fffff },
    { "TPWMTHRS", 0x13, ACC_W, 0 }, { "TCOOLTHRS", 0x14, ACC_W, 0 }, { "THIGH", 0x15, ACC_W, 0 },
    { "XDIRECT", 0x2d, ACC_RW, 0 }, { "VDCMIN", 0x33, ACC_W, 0 },
    { "MSCNT", 0x6a, ACC_R, 0 }, { "MSCURACT", 0x6b, ACC_R, 0 },
    { "CHOPCONF", 0x6c, ACC_RW, 0 }, { "COOLCONF", 0x6d, ACC_W, 0 },
    { "DCCTRL", 0x6e, ACC_W, 0 }, { "DRV_STATUS", 0x6f, ACC_R, 0x80000000 },
    { "PWMCONF", 0x70, ACC_W, 0x00050480 }, { "PWM_SCALE", 0x71, ACC_R, 0 },
    { "ENCM_CTRL", 0x72, ACC_W, 0 }, { "LOST_STEPS", 0x73, ACC_R, 0 },
    { 0, 0, 0, 0 },
};
static const struct tmc_reg regs_5160[] = {
    { "GCONF", 0x00, ACC_RW, 0x00000008 }, { "GSTAT", 0x01, ACC_RC, 0x00000001 },
    { "IFCNT", 0x02, ACC_R, 0 }, { "SLAVECONF", 0x03, ACC_W, 0 },
    { "IOIN", 0x04, ACC_R, 0 }, { "X_COMPARE", 0x05, ACC_W, 0 },
    { "OTP_READ", 0x07, ACC_R, 0 }, { "FACTORY_CONF", 0x08, ACC_RW, 0 },
    { "SHORT_CONF", 0x09, ACC_W, 0x00010606 }, { "DRV_CONF", 0x0a, ACC_W, 0 },
    { "GLOBALSCALER", 0x0b, ACC_W, 0 }, { "OFFSET_READ", 0x0c, ACC_R, 0 },
    { "IHOLD_IRUN", 0x10, ACC_W, 0 }, { "TPOWERDOWN", 0x11, ACC_W, 10 },
    { "TSTEP", 0x12, ACC_R, 0x000fffff }, { "TPWMTHRS", 0x13, ACC_W, 0 },
    { "TCOOLTHRS", 0x14, ACC_W, 0 }, { "THIGH", 0x15, ACC_W, 0 },
    { "RAMPMODE", 0x20, ACC_RW, 0 }, { "XACTUAL", 0x21, ACC_RW, 0 },
    { "VACTUAL", 0x22, ACC_R, 0 }, { "VSTART", 0x23, ACC_W, 0 }, { "A1", 0x24, ACC_W, 0 },
    { "V1", 0x25, ACC_W, 0 }, { "AMAX", 0x26, ACC_W, 0 }, { "VMAX", 0x27, ACC_W, 0 },
    { "DMAX", 0x28, ACC_W, 0 }, { "D1", 0x2a, ACC_W, 0 }, { "VSTOP", 0x2b, ACC_W, 0 },
    { "TZEROWAIT", 0x2c, ACC_W, 0 }, { "XTARGET", 0x2d, ACC_RW, 0 },
    { "VDCMIN", 0x33, ACC_W, 0 }, { "SW_MODE", 0x34, ACC_RW, 0 }, { "RAMP_STAT", 0x35, ACC_R, 0 },
    { "MSCNT", 0x6a, ACC_R, 0 }, { "MSCURACT", 0x6b, ACC_R, 0 },
    { "CHOPCONF", 0x6c, ACC_RW, 0x10410150 }, { "COOLCONF", 0x6d, ACC_W, 0 },
    { "DCCTRL", 0x6e, ACC_W, 0 }, { "DRV_STATUS", 0x6f, ACC_R, 0x80000000 },
    { "PWMCONF", 0x70, ACC_W, 0xc40c001e }, { "PWM_SCALE", 0x71, ACC_R, 0 },
    { "PWM_AUTO", 0x72, ACC_R, 0 }, { "LOST_STEPS", 0x73, ACC_R, 0 },
    { 0, 0, 0, 0 },
};

// TMC2660: registers by datagram bits 19..17 (DRVCTRL is 00x: both 0 and 1 in bits 19..17).
static const struct tmc_reg regs_2660[] = {
    { "DRVCTRL", 0x0, ACC_W, 0 }, { "DRVCTRL", 0x1, ACC_W, 0 }, { "CHOPCONF", 0x4, ACC_W, 0 },
    { "SMARTEN", 0x5, ACC_W, 0 }, { "SGCSCONF", 0x6, ACC_W, 0 }, { "DRVCONF", 0x7, ACC_W, 0 },
    { 0, 0, 0, 0 },
};

// The version byte is IOIN bits 24..31 (the host identifies the chip by it).
// is_spi: 0 UART, 1 40-bit SPI, 2 20-bit SPI (TMC2660). fclk_hz: the clock TSTEP counts.
enum { BUS_UART, BUS_SPI40, BUS_SPI20 };
struct tmc_kind { const char *name; const struct tmc_reg *regs; int is_spi; uint8_t ioin, version; uint32_t fclk_hz; };
static const struct tmc_kind kinds[] = {
    { "tmc2208", regs_2209, BUS_UART, 0x06, 0x20, 12000000 }, { "tmc2209", regs_2209, BUS_UART, 0x06, 0x21, 12000000 },
    { "tmc2225", regs_2209, BUS_UART, 0x06, 0x20, 12000000 }, { "tmc2226", regs_2209, BUS_UART, 0x06, 0x21, 12000000 },
    { "tmc2130", regs_2130, BUS_SPI40, 0x04, 0x11, 13200000 }, { "tmc5160", regs_5160, BUS_SPI40, 0x04, 0x30, 12000000 },
    { "tmc2660", regs_2660, BUS_SPI20, 0, 0, 15000000 },
    { 0, 0, 0, 0, 0, 0 },
};

struct tmc_line;
struct tmc_driver {
    char name[32];
    const struct tmc_kind *kind;
    uint32_t regs[128];
    // UART
    struct tmc_line *line;
    uint8_t address;
    // SPI: mode 3, CS active low
    int cs_pin, sclk_pin, mosi_pin, miso_pin;
    int selected, mosi_level, miso_level;
    uint64_t shift_in, shift_out;
    int bits_in, bits_out;
    uint8_t prev_addr;
    // Sensorless homing (optional): the sim stepper this driver moves, its DIAG pin (`diag`:
    // which output, 0 or 1, on the SPI kinds), the hard stop (side -1 min, +1 max, 0 none).
    int stepper_idx, diag_pin, diag_out, stop_side;
    int64_t stop_steps;
    // A hard stop of the carriage (`axis`) rather than of this stepper: the carriage's x or y
    // from two motors, as the endstops' "gantry" combines them (corexy: x = (a+b)/2, y = (a-b)/2).
    int stop_axis, stop_x_idx, stop_y_idx, stop_corexy;  // stop_axis: -1 none, 0 x, 1 y
    double stop_mm;
    uint32_t last_step_clock, step_interval, push_clock;
    int has_step, has_push, stalled;
    int64_t lost_steps;
};

// One UART line: what the MCU drives on tx_pin (edges with their clock), decoded into
// datagrams; the reply any driver drives onto rx_pin (the same pin for half duplex).
struct tmc_line {
    int tx_pin, rx_pin;
    uint32_t edge_clock[TMC_MAX_EDGES];
    uint8_t edge_level[TMC_MAX_EDGES];
    int edge_count, base_level, level;
    int in_frame, byte_count, expect_bytes;
    uint32_t byte_start, bit_ticks;
    uint32_t wait_from;  // with wait_from_set: the last byte ended, look for a start bit from here
    int wait_from_set;
    uint8_t bytes[8];
    int replying;
    uint32_t reply_start, reply_bit_ticks;
    uint8_t reply[8];
};

static struct tmc_driver drivers[TMC_MAX_DRIVERS];
static int driver_count;
static struct tmc_line lines[TMC_MAX_LINES];
static int line_count;
static uint8_t quiet_pin[SIM_PIN_COUNT];  // the drivers' bus pins (not traced as pin events)

static int before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }

// The Trinamic datagram CRC8 (polynomial x^8 + x^2 + x + 1, bytes fed LSB first, init 0).
static uint8_t tmc_crc8(const uint8_t *data, int len)
{
    uint8_t crc = 0;
    for (int i = 0; i < len; i++) {
        uint8_t b = data[i];
        for (int j = 0; j < 8; j++) {
            crc = ((crc >> 7) ^ (b & 1)) ? (uint8_t)((crc << 1) ^ 0x07) : (uint8_t)(crc << 1);
            b >>= 1;
        }
    }
    return crc;
}

static const struct tmc_reg *find_reg(const struct tmc_driver *d, uint8_t addr)
{
    for (const struct tmc_reg *r = d->kind->regs; r->name; r++)
        if (r->addr == addr)
            return r;
    return 0;
}

static uint32_t reg_read(struct tmc_driver *d, uint8_t addr)
{
    const struct tmc_reg *r = find_reg(d, addr);
    if (!r || r->access == ACC_W)
        return 0;  // write-only and unknown registers read as 0, as on the chip
    return d->regs[addr];
}

static void reg_write(struct tmc_driver *d, uint8_t addr, uint32_t value, uint32_t clock,
                      uint32_t bit_ticks)
{
    const struct tmc_reg *r = find_reg(d, addr);
    if (r && r->access == ACC_RC)
        d->regs[addr] &= ~value;
    else if (r && r->access != ACC_R)
        d->regs[addr] = value;
    if (trace_file)
        fprintf(trace_file, "{\"ev\":\"tmc\",\"name\":\"%s\",\"clock\":%u,\"reg\":%u,\"reg_name\":\"%s\","
                "\"value\":%u,\"bit_ticks\":%u%s}\n", d->name, clock, addr, r ? r->name : "?", value, bit_ticks,
                !r ? ",\"ignored\":\"unknown register\"" : r->access == ACC_R ? ",\"ignored\":\"read-only\"" : "");
}

// ---- UART ----

static int line_level_at(const struct tmc_line *l, uint32_t t)
{
    int level = l->base_level;
    for (int i = 0; i < l->edge_count && !before(t, l->edge_clock[i]); i++)
        level = l->edge_level[i];
    return level;
}

// Forget edges before clock t (their last level becomes the base).
static void line_drop_edges_before(struct tmc_line *l, uint32_t t)
{
    int n = 0;
    while (n < l->edge_count && before(l->edge_clock[n], t))
        l->base_level = l->edge_level[n++];
    memmove(l->edge_clock, l->edge_clock + n, (l->edge_count - n) * sizeof(l->edge_clock[0]));
    memmove(l->edge_level, l->edge_level + n, (l->edge_count - n) * sizeof(l->edge_level[0]));
    l->edge_count -= n;
}

// The first falling edge at or after t, or -1.
static int line_falling_edge(const struct tmc_line *l, uint32_t t)
{
    int prev = l->base_level;
    for (int i = 0; i < l->edge_count; i++) {
        if (!before(l->edge_clock[i], t) && prev && !l->edge_level[i])
            return i;
        prev = l->edge_level[i];
    }
    return -1;
}

static void line_datagram(struct tmc_line *l, uint32_t end_clock)
{
    int len = l->byte_count;
    uint8_t crc = tmc_crc8(l->bytes, len - 1);
    if (crc != l->bytes[len - 1]) {
        if (trace_file)
            fprintf(trace_file, "{\"ev\":\"tmc_error\",\"clock\":%u,\"address\":%u,\"why\":\"bad crc\"}\n",
                    end_clock, l->bytes[1]);
        return;  // the chip ignores it (IFCNT does not count it)
    }
    uint8_t addr = l->bytes[2] & 0x7f;
    for (int i = 0; i < driver_count; i++) {
        struct tmc_driver *d = &drivers[i];
        if (d->line != l || d->address != l->bytes[1])
            continue;
        if (len == 8) {
            uint32_t v = (uint32_t)l->bytes[3] << 24 | (uint32_t)l->bytes[4] << 16
                | (uint32_t)l->bytes[5] << 8 | l->bytes[6];
            reg_write(d, addr, v, end_clock, l->bit_ticks);
            d->regs[0x02] = (d->regs[0x02] + 1) & 0xff;  // IFCNT counts valid writes
            continue;
        }
        uint32_t v = reg_read(d, addr);
        uint8_t *r = l->reply;
        r[0] = 0x05;
        r[1] = 0xff;
        r[2] = addr;
        r[3] = (uint8_t)(v >> 24);
        r[4] = (uint8_t)(v >> 16);
        r[5] = (uint8_t)(v >> 8);
        r[6] = (uint8_t)v;
        r[7] = tmc_crc8(r, 7);
        // SENDDELAY (SLAVECONF bits 8..11): 8 bit times, or 3, 5, ... 15 times 8.
        uint32_t senddelay = (d->regs[0x03] >> 8) & 0x0f;
        uint32_t delay_bits = senddelay < 2 ? 8 : 8 * ((senddelay | 1));
        l->replying = 1;
        l->reply_bit_ticks = l->bit_ticks;
        l->reply_start = end_clock + delay_bits * l->bit_ticks;
    }
}

// Decode every byte of the MCU's transmission complete by clock `now`.
static void line_advance(struct tmc_line *l, uint32_t now)
{
    for (;;) {
        if (!l->in_frame) {
            int i = line_falling_edge(l, l->edge_count ? l->edge_clock[0] : now);
            if (i < 0) {
                // Nothing started: keep only the current level.
                if (l->edge_count)
                    line_drop_edges_before(l, l->edge_clock[l->edge_count - 1] + 1);
                return;
            }
            line_drop_edges_before(l, l->edge_clock[i]);
            l->in_frame = 1;
            l->byte_count = 0;
            l->expect_bytes = 0;
            l->bit_ticks = 0;
            l->wait_from_set = 0;
            l->byte_start = l->edge_clock[0];
        }
        if (!l->bit_ticks) {
            // The sync nibble (1010 after the start bit) has falling edges at 0, 2 and 4 bits.
            int f2 = line_falling_edge(l, l->byte_start + 1);
            int f3 = f2 < 0 ? -1 : line_falling_edge(l, l->edge_clock[f2] + 1);
            if (f3 < 0) {
                if (before(l->byte_start + SIM_CLOCK_FREQ / 100, now))
                    goto reset;  // a lone glitch
                return;
            }
            uint32_t two = l->edge_clock[f2] - l->byte_start, four = l->edge_clock[f3] - l->byte_start;
            if (two < 4 || two * 2 > four + four / 8 || two * 2 < four - four / 8)
                goto reset;  // not a sync nibble at one baud rate
            l->bit_ticks = four / 4;
        }
        uint32_t b = l->bit_ticks;
        if (l->wait_from_set) {
            // Between bytes: the next start bit's falling edge.
            int next = line_falling_edge(l, l->wait_from);
            if (next < 0) {
                if (before(l->wait_from + 63 * b, now))
                    goto reset;  // a pause of 63 bit times ends a datagram early
                return;
            }
            l->byte_start = l->edge_clock[next];
            l->wait_from_set = 0;
        }
        uint32_t stop_sample = l->byte_start + 9 * b + b / 2;
        if (before(now, stop_sample + 1))
            return;
        int value = 0;
        if (line_level_at(l, l->byte_start + b / 2) != 0 || line_level_at(l, stop_sample) != 1)
            goto reset;  // framing error
        for (int k = 0; k < 8; k++)
            value |= line_level_at(l, l->byte_start + (uint32_t)(k + 1) * b + b / 2) << k;
        l->bytes[l->byte_count++] = (uint8_t)value;
        if (l->byte_count == 1 && (value & 0x0f) != 0x05)
            goto reset;  // not a sync byte
        if (l->byte_count == 3)
            l->expect_bytes = (l->bytes[2] & 0x80) ? 8 : 4;
        if (l->expect_bytes && l->byte_count == l->expect_bytes) {
            line_datagram(l, l->byte_start + 10 * b);
            l->in_frame = 0;
            line_drop_edges_before(l, stop_sample);
            continue;
        }
        l->wait_from = stop_sample;
        l->wait_from_set = 1;
        continue;
    reset:
        l->in_frame = 0;
        l->wait_from_set = 0;
        line_drop_edges_before(l, l->byte_start + 1);
    }
}

static int line_reply_level(struct tmc_line *l, uint32_t clock)
{
    if (!l->replying || before(clock, l->reply_start))
        return 1;
    uint32_t bit = (clock - l->reply_start) / l->reply_bit_ticks;
    if (bit >= 80) {
        l->replying = 0;
        return 1;
    }
    uint32_t in_byte = bit % 10;
    if (in_byte == 0)
        return 0;  // start bit
    if (in_byte == 9)
        return 1;  // stop bit
    return (l->reply[bit / 10] >> (in_byte - 1)) & 1;
}

// ---- SPI (mode 3: clock idles high, data changes on falling edges, sampled on rising ones) ----

static uint8_t spi_status(const struct tmc_driver *d)
{
    return (uint8_t)((d->regs[0x01] & 0x03) | ((d->regs[0x6f] >> 22) & 0x04) | ((d->regs[0x6f] >> 28) & 0x08));
}

static int driver_stalled(struct tmc_driver *d, uint32_t clock);

// TMC2660 read response (20 bits): bits 19..10 as DRVCONF.RDSEL (bits 5..4) picks them
// (0 MSTEP, 1 SG_RESULT, 2 SG_RESULT[9:5] and SE), status in bits 7..0 (SG, OT, OTPW, S2GA,
// S2GB, OLA, OLB, STST).
static uint32_t spi20_response(struct tmc_driver *d, uint32_t clock)
{
    int stalled = driver_stalled(d, clock);
    uint32_t sg = stalled ? 0 : 512;
    uint32_t rdsel = (d->regs[0x7] >> 4) & 3, high;
    if (rdsel == 0)
        high = 0;
    else if (rdsel == 1)
        high = sg;
    else
        high = (sg >> 5) << 5 | (d->regs[0x6] & 0x1f);  // SE: the current scale now (CS)
    int standstill = !d->has_step || (uint32_t)(clock - d->last_step_clock) > SIM_CLOCK_FREQ / 10;
    return high << 10 | (uint32_t)standstill << 7 | (uint32_t)stalled;
}

static void spi_end_datagram(struct tmc_driver *d, uint32_t clock)
{
    if (d->kind->is_spi == BUS_SPI20) {
        if (d->bits_in < 20) {
            if (trace_file && d->bits_in)
                fprintf(trace_file, "{\"ev\":\"tmc_error\",\"name\":\"%s\",\"clock\":%u,\"why\":\"%d bits, not 20\"}\n",
                        d->name, clock, d->bits_in);
            return;
        }
        uint32_t v = (uint32_t)d->shift_in & 0xfffff;  // the last 20 bits in stay in the chip
        reg_write(d, (uint8_t)(v >> 17), v, clock, 0);
        return;
    }
    if (d->bits_in != 40) {
        if (trace_file && d->bits_in)
            fprintf(trace_file, "{\"ev\":\"tmc_error\",\"name\":\"%s\",\"clock\":%u,\"why\":\"%d bits, not 40\"}\n",
                    d->name, clock, d->bits_in);
        return;
    }
    uint8_t first = (uint8_t)(d->shift_in >> 32);
    uint8_t addr = first & 0x7f;
    if (first & 0x80)
        reg_write(d, addr, (uint32_t)d->shift_in, clock, 0);
    d->prev_addr = addr;
}

static void spi_edge(struct tmc_driver *d, int pin, uint32_t clock, int level)
{
    if (pin == d->cs_pin) {
        if (!level && !d->selected) {
            d->selected = 1;
            d->bits_in = d->bits_out = 0;
            d->shift_in = 0;
            if (d->kind->is_spi == BUS_SPI20)
                d->shift_out = (uint64_t)spi20_response(d, clock) << 20;  // 20 bits out first, then zeros
            else
                d->shift_out = (uint64_t)spi_status(d) << 32 | reg_read(d, d->prev_addr);
        } else if (level && d->selected) {
            d->selected = 0;
            spi_end_datagram(d, clock);
        }
        return;
    }
    if (pin == d->mosi_pin)
        d->mosi_level = level;
    if (pin != d->sclk_pin || !d->selected)
        return;
    if (!level) {
        d->miso_level = (int)((d->shift_out >> (39 - (d->bits_out < 40 ? d->bits_out : 39))) & 1);
        d->bits_out++;
    } else {
        d->shift_in = (d->shift_in << 1) | (uint64_t)d->mosi_level;
        d->bits_in++;
    }
}

// ---- sensorless homing: steps against the hard stop, StallGuard, DIAG ----

static int is_kind(const struct tmc_driver *d, const char *a, const char *b)
{
    return strcmp(d->kind->name, a) == 0 || (b && strcmp(d->kind->name, b) == 0);
}

// Whether StallGuard reports a stall at `clock`: the motor's last step pushed against a hard stop
// within the last two step periods (at least 1 ms, at most 100 ms), with the chip set up for
// stall detection at the present speed (TSTEP, fclk periods per 1/256 microstep, from the last
// step period and MRES).
static int stall_detected(struct tmc_driver *d, uint32_t clock)
{
    if (!d->has_push || before(clock, d->push_clock))
        return 0;
    uint32_t window = d->step_interval * 2 > SIM_CLOCK_FREQ / 1000 ? d->step_interval * 2 : SIM_CLOCK_FREQ / 1000;
    if (window > SIM_CLOCK_FREQ / 10)
        window = SIM_CLOCK_FREQ / 10;  // the first step after a pause has no speed to speak of
    if (clock - d->push_clock > window)
        return 0;
    const uint32_t *r = d->regs;
    uint32_t mres = d->kind->is_spi == BUS_SPI20 ? r[0x0] & 0xf : (r[0x6c] >> 24) & 0xf;
    double tstep = (double)d->step_interval / SIM_CLOCK_FREQ * d->kind->fclk_hz / (double)(1u << mres);
    if (d->kind->is_spi == BUS_SPI20)
        return 1;  // StallGuard2 on the SG bit of every response (no DIAG output)
    if (is_kind(d, "tmc2209", "tmc2226")) {
        // StallGuard4 works in stealthChop only: en_spreadcycle off, below TPWMTHRS's speed (0: always).
        int stealth = !(r[0x00] & 0x4) && !(tstep < (double)(r[0x13] & 0xfffff));
        return (r[0x40] & 0xff) != 0 && stealth && tstep <= (double)(r[0x14] & 0xfffff);
    }
    if (is_kind(d, "tmc2130", "tmc5160")) {
        // StallGuard2 works in spreadCycle only, between TCOOLTHRS's and THIGH's speeds.
        int stealth = (r[0x00] & 0x4) && tstep >= (double)(r[0x13] & 0xfffff);
        return !stealth && tstep <= (double)(r[0x14] & 0xfffff) && tstep > (double)(r[0x15] & 0xfffff);
    }
    return 0;  // TMC2208/2225: no StallGuard
}

static int driver_stalled(struct tmc_driver *d, uint32_t clock)
{
    if (d->line)
        line_advance(d->line, clock);  // a write that ended before now is in the registers
    int stalled = stall_detected(d, clock);
    if (stalled != d->stalled) {
        d->stalled = stalled;
        if (trace_file) {
            const struct sim_stepper *s = &sim_machine.steppers[d->stepper_idx];
            fprintf(trace_file, "{\"ev\":\"tmc_stall\",\"name\":\"%s\",\"clock\":%u,\"stalled\":%s,"
                    "\"stepper\":\"%s\",\"mm\":%.6f,\"lost_steps\":%lld}\n", d->name, clock,
                    stalled ? "true" : "false", s->name, machine_stepper_mm(s), (long long)d->lost_steps);
        }
    }
    return stalled;
}

// The DIAG pin's level: a TMC2209 drives it high on a stall; DIAG0/DIAG1 of the SPI kinds show
// a stall only when GCONF routes it there (diag0_stall / diag1_stall), active low (open drain,
// read through the MCU's pull-up) unless the pin is set to push-pull (then active high).
static int diag_level(struct tmc_driver *d, uint32_t clock)
{
    int stalled = driver_stalled(d, clock);
    if (d->kind->is_spi == BUS_UART)
        return stalled;
    uint32_t gconf = d->regs[0x00];
    int routed = d->diag_out ? (gconf >> 8) & 1 : (gconf >> 7) & 1;
    int pushpull = d->diag_out ? (gconf >> 13) & 1 : (gconf >> 12) & 1;
    int active = routed && stalled;
    return pushpull ? active : !active;
}

// The carriage coordinate a carriage hard stop watches, with motors a and b at those steps.
static double stop_coord(const struct tmc_driver *d, int64_t a_steps, int64_t b_steps)
{
    double a = (double)a_steps / sim_machine.steppers[d->stop_x_idx].steps_per_mm;
    double b = (double)b_steps / sim_machine.steppers[d->stop_y_idx].steps_per_mm;
    if (!d->stop_corexy)
        return d->stop_axis ? b : a;
    return d->stop_axis ? 0.5 * (a - b) : 0.5 * (a + b);
}

// Whether d's hard stop keeps stepper_idx from taking a step in `dir` from position_steps.
static int stop_blocks(const struct tmc_driver *d, int stepper_idx, int64_t position_steps, int dir)
{
    if (!d->stop_side)
        return 0;
    int64_t next = position_steps + dir;
    if (d->stop_axis < 0)
        return d->stepper_idx == stepper_idx
            && ((d->stop_side < 0 && next < d->stop_steps) || (d->stop_side > 0 && next > d->stop_steps));
    if (stepper_idx != d->stop_x_idx && stepper_idx != d->stop_y_idx)
        return 0;
    int64_t a = sim_machine.steppers[d->stop_x_idx].position_steps;
    int64_t b = sim_machine.steppers[d->stop_y_idx].position_steps;
    double now = stop_coord(d, a, b);
    double after = stop_coord(d, stepper_idx == d->stop_x_idx ? next : a, stepper_idx == d->stop_y_idx ? next : b);
    // Blocked: the step would take the carriage past the wall, further than it is (a step that
    // leaves the coordinate alone or moves it back from the wall goes through).
    return d->stop_side * (after - d->stop_mm) > 1e-9 && d->stop_side * (after - now) > 0;
}

// Called for every step of a sim stepper: 1 when a hard stop (its own driver's, or a carriage
// stop that involves it) blocks it. The drivers of that stepper note the push (StallGuard).
int tmc_step_blocked(int stepper_idx, int64_t position_steps, int dir, uint32_t clock)
{
    int blocked = 0;
    for (int i = 0; i < driver_count && !blocked; i++)
        blocked = stop_blocks(&drivers[i], stepper_idx, position_steps, dir);
    for (int i = 0; i < driver_count; i++) {
        struct tmc_driver *d = &drivers[i];
        if (d->stepper_idx != stepper_idx)
            continue;
        if (d->has_step)
            d->step_interval = clock - d->last_step_clock;
        d->last_step_clock = clock;
        d->has_step = 1;
        if (blocked) {
            d->push_clock = clock;
            d->has_push = 1;
            d->lost_steps++;
        } else {
            d->has_push = 0;  // the motor turned freely: it is not pushing against anything
        }
    }
    return blocked;
}

// ---- machine file and pin hooks ----

static int get_opt_pin(const struct json *e, const char *key, const char *name)
{
    int inv;
    int pin = machine_get_pin(e, key, 0, &inv, name);
    if (pin >= 0 && inv)
        machine_die(json_get(e, key), "%s: \"%s\" cannot be inverted", name, key);
    return pin;
}

static struct tmc_line *line_for(int tx_pin, int rx_pin, const struct json *at, const char *name)
{
    for (int i = 0; i < line_count; i++) {
        if (lines[i].tx_pin == tx_pin && lines[i].rx_pin == rx_pin)
            return &lines[i];
        if (lines[i].tx_pin == tx_pin || lines[i].rx_pin == rx_pin)
            machine_die(at, "%s: shares a pin with another UART line but not the other pin%s", name, "");
    }
    if (line_count >= TMC_MAX_LINES)
        machine_die(at, "too many TMC UART lines (max %s)%s", "8", "");
    struct tmc_line *l = &lines[line_count++];
    memset(l, 0, sizeof(*l));
    l->tx_pin = tx_pin;
    l->rx_pin = rx_pin;
    l->base_level = l->level = 1;
    return l;
}

// "stepper", "hard_stop" {"side", "position_mm"}, "diag_pin", "diag" (README "drivers").
static void load_stall(struct tmc_driver *d, const struct json *e, const char *name)
{
    d->stepper_idx = d->diag_pin = d->stop_axis = -1;
    const char *stepper = machine_get_str(e, "stepper", "", name);
    if (*stepper) {
        d->stepper_idx = machine_stepper_index(stepper);
        if (d->stepper_idx < 0)
            machine_die(json_get(e, "stepper"), "%s: no stepper named \"%s\"", name, stepper);
    }
    const struct json *hs = json_get(e, "hard_stop");
    if (hs) {
        if (hs->kind != JSON_OBJECT)
            machine_die(hs, "%s: \"hard_stop\" must be an object {side, position_mm}%s", name, "");
        if (d->stepper_idx < 0)
            machine_die(hs, "%s: \"hard_stop\" needs \"stepper\"%s", name, "");
        const char *side = machine_get_str(hs, "side", 0, name);
        if (strcmp(side, "min") && strcmp(side, "max"))
            machine_die(hs, "%s: hard_stop side must be \"min\" or \"max\", not \"%s\"", name, side);
        d->stop_side = strcmp(side, "max") == 0 ? 1 : -1;
        double mm = machine_get_num(hs, "position_mm", 0, name);
        d->stop_steps = llround(mm * sim_machine.steppers[d->stepper_idx].steps_per_mm);
        const char *axis = machine_get_str(hs, "axis", "", name);
        if (*axis) {
            // A wall of the carriage: its x or y from x_stepper and y_stepper.
            if (strcmp(axis, "x") && strcmp(axis, "y"))
                machine_die(hs, "%s: hard_stop axis must be \"x\" or \"y\", not \"%s\"", name, axis);
            d->stop_axis = strcmp(axis, "y") == 0;
            d->stop_mm = mm;
            d->stop_x_idx = machine_stepper_index(machine_get_str(hs, "x_stepper", 0, name));
            d->stop_y_idx = machine_stepper_index(machine_get_str(hs, "y_stepper", 0, name));
            if (d->stop_x_idx < 0 || d->stop_y_idx < 0 || d->stop_x_idx == d->stop_y_idx)
                machine_die(hs, "%s: hard_stop x_stepper/y_stepper must name two steppers of this machine%s", name, "");
            const struct json *cxy = json_get(hs, "corexy");
            d->stop_corexy = cxy && cxy->kind == JSON_BOOL && cxy->number != 0;
        }
    }
    d->diag_pin = get_opt_pin(e, "diag_pin", name);
    if (d->diag_pin >= 0 && d->stepper_idx < 0)
        machine_die(json_get(e, "diag_pin"), "%s: \"diag_pin\" needs \"stepper\"%s", name, "");
    double one = 1;
    double out = machine_get_num(e, "diag", &one, name);
    if (out != 0 && out != 1)
        machine_die(json_get(e, "diag"), "%s: \"diag\" must be 0 or 1%s", name, "");
    d->diag_out = (int)out;
}

void tmc_load(const struct json *list)
{
    for (const struct json *e = list ? list->child : 0; e; e = e->next) {
        if (driver_count >= TMC_MAX_DRIVERS)
            machine_die(e, "too many drivers (max %s)%s", "16", "");
        const char *name = machine_get_str(e, "name", 0, "driver");
        const char *kind = machine_get_str(e, "kind", 0, name);
        struct tmc_driver *d = &drivers[driver_count++];
        memset(d, 0, sizeof(*d));
        snprintf(d->name, sizeof(d->name), "%s", name);
        for (const struct tmc_kind *k = kinds; k->name; k++)
            if (strcmp(k->name, kind) == 0)
                d->kind = k;
        if (!d->kind)
            machine_die(json_get(e, "kind"), "%s: unknown kind \"%s\" (tmc2208, tmc2209, tmc2225, "
                        "tmc2226, tmc2130, tmc5160, tmc2660)", name, kind);
        for (const struct tmc_reg *r = d->kind->regs; r->name; r++)
            d->regs[r->addr] = r->reset;
        d->regs[d->kind->ioin] = (d->regs[d->kind->ioin] & 0x00ffffff) | (uint32_t)d->kind->version << 24;
        d->cs_pin = d->sclk_pin = d->mosi_pin = d->miso_pin = -1;
        load_stall(d, e, name);
        if (!d->kind->is_spi) {
            int rx = get_opt_pin(e, "uart_pin", name);
            if (rx < 0)
                machine_die(e, "%s: missing \"uart_pin\" (a %s talks UART)", name, kind);
            int tx = get_opt_pin(e, "tx_pin", name);
            double zero = 0;
            double address = machine_get_num(e, "uart_address", &zero, name);
            if (address < 0 || address > 3 || address != (int)address)
                machine_die(json_get(e, "uart_address"), "%s: \"uart_address\" must be 0..3%s", name, "");
            d->address = (uint8_t)address;
            d->line = line_for(tx >= 0 ? tx : rx, rx, e, name);
            quiet_pin[rx] = 1;
            quiet_pin[d->line->tx_pin] = 1;
            continue;
        }
        d->cs_pin = get_opt_pin(e, "cs_pin", name);
        if (d->cs_pin < 0)
            machine_die(e, "%s: missing \"cs_pin\" (a %s talks SPI)", name, kind);
        d->sclk_pin = get_opt_pin(e, "sclk_pin", name);
        d->mosi_pin = get_opt_pin(e, "mosi_pin", name);
        d->miso_pin = get_opt_pin(e, "miso_pin", name);
        if (d->sclk_pin < 0 || d->mosi_pin < 0 || d->miso_pin < 0) {
            if (d->sclk_pin >= 0 || d->mosi_pin >= 0 || d->miso_pin >= 0)
                machine_die(e, "%s: give all of sclk_pin, mosi_pin and miso_pin, or spi_bus%s", name, "");
            const char *bus = machine_get_str(e, "spi_bus", "spi", name);
            if (sim_spi_bus_pins(bus, &d->sclk_pin, &d->mosi_pin, &d->miso_pin) < 0)
                machine_die(json_get(e, "spi_bus"), "%s: unknown spi_bus \"%s\" (spi, spi1, spi1a, "
                            "spi2, spi2a, spi3, spi3a, spi4)", name, bus);
        }
        d->mosi_level = 0;
        quiet_pin[d->cs_pin] = quiet_pin[d->sclk_pin] = quiet_pin[d->mosi_pin] = quiet_pin[d->miso_pin] = 1;
    }
}

int tmc_pin_is_quiet(int pin)
{
    return pin >= 0 && pin < SIM_PIN_COUNT && quiet_pin[pin];
}

void tmc_output_changed(int pin, uint32_t clock, int level)
{
    if (!tmc_pin_is_quiet(pin))
        return;  // not a driver's pin (every step edge comes through here)
    for (int i = 0; i < line_count; i++) {
        struct tmc_line *l = &lines[i];
        if (l->tx_pin != pin || l->level == level)
            continue;
        line_advance(l, clock);
        if (l->edge_count && before(clock, l->edge_clock[l->edge_count - 1]))
            clock = l->edge_clock[l->edge_count - 1];  // keep the edge list in order
        if (l->edge_count == TMC_MAX_EDGES) {
            l->in_frame = 0;  // a flood of edges that is no datagram: start over
            l->edge_count = 0;
        }
        l->edge_clock[l->edge_count] = clock;
        l->edge_level[l->edge_count++] = (uint8_t)level;
        l->level = level;
    }
    for (int i = 0; i < driver_count; i++)
        if (drivers[i].kind->is_spi)
            spi_edge(&drivers[i], pin, clock, level);
}

int tmc_input_read(int pin, uint32_t clock, int *level)
{
    for (int i = 0; i < driver_count; i++) {
        if (drivers[i].diag_pin == pin) {
            *level = diag_level(&drivers[i], clock);
            return 1;
        }
    }
    if (!tmc_pin_is_quiet(pin))
        return 0;
    int handled = 0, value = 1;
    for (int i = 0; i < line_count; i++) {
        struct tmc_line *l = &lines[i];
        if (l->rx_pin != pin)
            continue;
        line_advance(l, clock);
        value &= line_reply_level(l, clock);  // open drain: any driver pulls the line low
        handled = 1;
    }
    for (int i = 0; i < driver_count; i++) {
        struct tmc_driver *d = &drivers[i];
        if (d->kind->is_spi && d->miso_pin == pin && d->selected) {
            value &= d->miso_level;
            handled = 1;
        }
    }
    if (handled)
        *level = value;
    return handled;
}

// Finish a write datagram that no later edge or read has looked at yet.
void tmc_periodic(uint32_t clock)
{
    for (int i = 0; i < line_count; i++)
        line_advance(&lines[i], clock);
}
