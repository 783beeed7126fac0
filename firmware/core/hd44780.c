// HD44780 character LCD (and its clones: KS0066, ST7066...) in 4-bit mode: RS selects
// instruction (0) or data (1), each byte goes out as its high nibble then its low nibble on
// D4-D7, latched by the chip on the falling edge of E. The chip needs up to 37 us per byte (the
// host's delay_ticks): a byte starts delay_ticks after the previous one ended. The host sends
// the power-on sequence itself (0x33, 0x32 switches the chip into 4-bit mode).
#include "basecmd.h"
#include "command.h"
#include "sched.h"
#include "board/gpio.h"
#include "board/timer.h"
#include "gen/dict.h"

struct hd44780 {
    struct gpio_out rs, e, d4, d5, d6, d7;
    uint32_t last_end, delay_ticks;
};

// E high at least 450 ns (datasheet PW_EH), data held past its fall; 500 ns on fast chips.
#define HD44780_E_TICKS (DICT_CLOCK_FREQ / 2000000 + 1)

static void hd44780_wait_until(uint32_t t)
{
    while (timer_is_before(timer_read_time(), t))
        ;
}

static void hd44780_xmit_nibble(const struct hd44780 *h, uint8_t nibble)
{
    gpio_out_write(h->d4, nibble & 1);
    gpio_out_write(h->d5, nibble & 2);
    gpio_out_write(h->d6, nibble & 4);
    gpio_out_write(h->d7, nibble & 8);
    uint32_t t = timer_read_time();
    gpio_out_write(h->e, 1);
    hd44780_wait_until(t + HD44780_E_TICKS);
    gpio_out_write(h->e, 0);  // the chip latches D4-D7 here
    hd44780_wait_until(t + 2 * HD44780_E_TICKS);
}

static void hd44780_send(struct hd44780 *h, uint8_t rs, uint8_t len, const uint8_t *bytes)
{
    gpio_out_write(h->rs, rs);
    for (uint8_t i = 0; i < len; i++) {
        hd44780_wait_until(h->last_end + h->delay_ticks);
        hd44780_xmit_nibble(h, bytes[i] >> 4);
        hd44780_xmit_nibble(h, bytes[i] & 0x0f);
        h->last_end = timer_read_time();
    }
}

void command_config_hd44780(const uint32_t *args)
{
    struct hd44780 *h = oid_alloc((uint8_t)args[0], OID_HD44780, sizeof(*h));
    h->rs = gpio_out_setup(args[1], 0);
    h->e = gpio_out_setup(args[2], 0);
    h->d4 = gpio_out_setup(args[3], 0);
    h->d5 = gpio_out_setup(args[4], 0);
    h->d6 = gpio_out_setup(args[5], 0);
    h->d7 = gpio_out_setup(args[6], 0);
    // Waited inside the command: capped so a bad host value cannot stall the MCU (the slowest
    // instruction, "clear", takes 1.52 ms).
    if (args[7] > DICT_CLOCK_FREQ / 500)
        shutdown("Invalid hd44780 delay_ticks");
    h->delay_ticks = args[7];
    h->last_end = timer_read_time();
}
DECL_COMMAND(command_config_hd44780,
             "config_hd44780 oid=%c rs_pin=%u e_pin=%u d4_pin=%u d5_pin=%u d6_pin=%u d7_pin=%u delay_ticks=%u");

void command_hd44780_send_cmds(const uint32_t *args)
{
    struct hd44780 *h = oid_lookup((uint8_t)args[0], OID_HD44780);
    hd44780_send(h, 0, (uint8_t)args[1], command_arg_bytes(args[2]));
}
DECL_COMMAND(command_hd44780_send_cmds, "hd44780_send_cmds oid=%c cmds=%*s");

void command_hd44780_send_data(const uint32_t *args)
{
    struct hd44780 *h = oid_lookup((uint8_t)args[0], OID_HD44780);
    hd44780_send(h, 1, (uint8_t)args[1], command_arg_bytes(args[2]));
}
DECL_COMMAND(command_hd44780_send_data, "hd44780_send_data oid=%c data=%*s");
