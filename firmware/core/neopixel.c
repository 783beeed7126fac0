// WS2812 ("neopixel") LED chains, Klipper's protocol: the host writes colour bytes into the
// chain's buffer on the MCU (neopixel_update, only the bytes that changed) and then asks for
// the whole buffer to be shifted out (neopixel_send); the answer says whether the bit timing
// held, and the host resends when it did not. The wire timing itself is the board's
// (board/neopixel.h): cycle-counted on AVR, clock-timed on STM32, a chain model on the sim.
#include "basecmd.h"
#include "command.h"
#include "sched.h"
#include "board/gpio.h"
#include "board/neopixel.h"
#include "board/timer.h"
#include "gen/dict.h"

// A chain longer than this is a host mistake (Klipper's host allows 500 bytes).
#define NEOPIXEL_MAX_DATA_SIZE 1024
// neopixel_send busy-waits up to reset_min_ticks (the host asks for 50 us): a host asking for
// more would stall the MCU. 100000 ticks is 0.5 ms at 180 MHz, 6 ms at 16 MHz.
#define NEOPIXEL_MAX_RESET_TICKS 100000

struct neopixel {
    struct gpio_out pin;
    uint32_t bit_max_ticks, reset_min_ticks;
    uint32_t last_end;  // clock when the previous frame ended (the latch time counts from it)
    uint16_t data_size;
    uint8_t data[];
};

DECL_RESPONSE("neopixel_result oid=%c success=%c");

void command_config_neopixel(const uint32_t *args)
{
    uint16_t size = (uint16_t)args[2];
    if (!size || size > NEOPIXEL_MAX_DATA_SIZE)
        shutdown("Invalid neopixel data_size");
    if (args[4] > NEOPIXEL_MAX_RESET_TICKS)
        shutdown("Invalid neopixel reset_min_ticks");
    struct neopixel *n = oid_alloc((uint8_t)args[0], OID_NEOPIXEL, sizeof(*n) + size);
    n->pin = gpio_out_setup(args[1], 0);  // a low line: the chain keeps its colours
    n->data_size = size;
    n->bit_max_ticks = args[3];
    n->reset_min_ticks = args[4];
    n->last_end = timer_read_time();
}
DECL_COMMAND(command_config_neopixel,
             "config_neopixel oid=%c pin=%u data_size=%hu bit_max_ticks=%u reset_min_ticks=%u");

void command_neopixel_update(const uint32_t *args)
{
    struct neopixel *n = oid_lookup((uint8_t)args[0], OID_NEOPIXEL);
    uint16_t pos = (uint16_t)args[1];
    uint8_t len = (uint8_t)args[2];
    const uint8_t *src = command_arg_bytes(args[3]);
    if ((uint32_t)pos + len > n->data_size)
        shutdown("Invalid neopixel update command");
    for (uint8_t i = 0; i < len; i++)
        n->data[pos + i] = src[i];
}
DECL_COMMAND(command_neopixel_update, "neopixel_update oid=%c pos=%hu data=%*s");

void command_neopixel_send(const uint32_t *args)
{
    uint8_t oid = (uint8_t)args[0];
    struct neopixel *n = oid_lookup(oid, OID_NEOPIXEL);
    // The chain latches the previous frame only after the line was low for reset_min_ticks:
    // a new frame before that would extend the old one. Waits at most reset_min_ticks (50 us).
    uint32_t start = n->last_end;
    uint32_t waited = 0;
    while (timer_is_before(timer_read_time(), start + n->reset_min_ticks)
           && waited++ < n->reset_min_ticks)
        ;
    uint8_t ok = neopixel_board_send(n->pin, n->data, n->data_size, n->bit_max_ticks);
    n->last_end = timer_read_time();
    send_neopixel_result(oid, ok);
}
DECL_COMMAND(command_neopixel_send, "neopixel_send oid=%c");

// Boards without a WS2812 driver (the scripted test board): every send reports bad timing.
__attribute__((weak)) uint8_t neopixel_board_send(struct gpio_out pin, const uint8_t *data,
                                                  uint16_t len, uint32_t max_gap_ticks)
{
    (void)pin;
    (void)data;
    (void)len;
    (void)max_gap_ticks;
    return 0;
}
