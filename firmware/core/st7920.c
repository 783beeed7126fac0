// ST7920 graphic LCD (RepRapDiscount Full Graphic Smart Controller and its clones) on its
// 3-wire serial interface, bit-banged: CS held high (the chip's serial select is active high),
// SID set before each rising SCLK edge, MSB first. Every transfer starts with a sync byte
// (five 1 bits, RW=0, RS, 0: 0xf8 instruction, 0xfa data), then each byte goes out as two:
// its high nibble followed by four 0 bits, then its low nibble followed by four 0 bits.
// Timing (the host's values): a byte starts cmd_delay_ticks after the previous byte ended (the
// chip's instruction time), a sync byte sync_delay_ticks after the previous transfer ended.
#include "basecmd.h"
#include "command.h"
#include "sched.h"
#include "board/gpio.h"
#include "board/timer.h"
#include "gen/dict.h"

struct st7920 {
    struct gpio_out sclk, sid;
    uint32_t last_end, sync_delay_ticks, cmd_delay_ticks;
    uint8_t sid_high;  // SID's level: slow chips toggle it only when a bit differs
};

// The serial clock's high and low times must each be at least 200 ns (datasheet tSHW/tSLW);
// an 8-bit AVR cannot toggle a pin that fast, faster chips wait it out.
#define ST7920_HALF_TICKS (DICT_CLOCK_FREQ / 5000000 + 1)

static void st7920_wait_until(uint32_t t)
{
    while (timer_is_before(timer_read_time(), t))
        ;
}

#if DICT_CLOCK_FREQ > 20000000
static void st7920_xmit_byte(struct st7920 *s, uint8_t b)
{
    for (uint8_t bit = 0; bit < 8; bit++) {
        gpio_out_write(s->sid, b & 0x80);
        uint32_t t = timer_read_time();
        st7920_wait_until(t + ST7920_HALF_TICKS);
        gpio_out_write(s->sclk, 1);  // the chip latches SID here
        st7920_wait_until(t + 2 * ST7920_HALF_TICKS);
        gpio_out_write(s->sclk, 0);
        b <<= 1;
    }
}
#else
// An 8-bit chip at <= 20 MHz: pin toggles (one store each on the AVR) make a bit ~1 us instead
// of ~7. The volatile reads keep SCLK high for at least four cycles (200 ns at 20 MHz): the
// compiler may not move them across the pin stores, nor drop them.
static volatile uint8_t st7920_spacer;
static void st7920_xmit_byte(struct st7920 *s, uint8_t b)
{
    for (uint8_t bit = 0; bit < 8; bit++) {
        if ((b ^ s->sid_high) & 0x80) {
            gpio_out_toggle(s->sid);
            s->sid_high ^= 0x80;
            (void)st7920_spacer;  // SID settles before the clock rises
        }
        gpio_out_toggle(s->sclk);  // high: the chip latches SID here
        (void)st7920_spacer;
        (void)st7920_spacer;
        gpio_out_toggle(s->sclk);  // low
        (void)st7920_spacer;
        b <<= 1;
    }
}
#endif

static void st7920_send(struct st7920 *s, uint8_t sync, uint8_t len, const uint8_t *bytes)
{
    st7920_wait_until(s->last_end + s->sync_delay_ticks);
    st7920_xmit_byte(s, sync);
    uint32_t end = timer_read_time();
    for (uint8_t i = 0; i < len; i++) {
        st7920_wait_until(end + s->cmd_delay_ticks);
        st7920_xmit_byte(s, bytes[i] & 0xf0);
        st7920_xmit_byte(s, (uint8_t)(bytes[i] << 4));
        end = timer_read_time();
    }
    s->last_end = end;
}

void command_config_st7920(const uint32_t *args)
{
    struct st7920 *s = oid_alloc((uint8_t)args[0], OID_ST7920, sizeof(*s));
    gpio_out_setup(args[1], 1);  // chip select: active high, never released
    s->sclk = gpio_out_setup(args[2], 0);
    s->sid = gpio_out_setup(args[3], 0);
    // Both waits are busy loops inside the command: cap them so a bad host value cannot stall
    // the MCU (the chip needs at most 1.6 ms, for "clear").
    if (args[4] > DICT_CLOCK_FREQ / 500 || args[5] > DICT_CLOCK_FREQ / 500)
        shutdown("Invalid st7920 delay ticks");
    s->sync_delay_ticks = args[4];
    s->cmd_delay_ticks = args[5];
    s->last_end = timer_read_time();
}
DECL_COMMAND(command_config_st7920,
             "config_st7920 oid=%c cs_pin=%u sclk_pin=%u sid_pin=%u sync_delay_ticks=%u cmd_delay_ticks=%u");

void command_st7920_send_cmds(const uint32_t *args)
{
    struct st7920 *s = oid_lookup((uint8_t)args[0], OID_ST7920);
    st7920_send(s, 0xf8, (uint8_t)args[1], command_arg_bytes(args[2]));
}
DECL_COMMAND(command_st7920_send_cmds, "st7920_send_cmds oid=%c cmds=%*s");

void command_st7920_send_data(const uint32_t *args)
{
    struct st7920 *s = oid_lookup((uint8_t)args[0], OID_ST7920);
    st7920_send(s, 0xfa, (uint8_t)args[1], command_arg_bytes(args[2]));
}
DECL_COMMAND(command_st7920_send_data, "st7920_send_data oid=%c data=%*s");
