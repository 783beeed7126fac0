// Simulated LED chains (the machine file's "leds" section, README "leds"): a WS2812 chain
// ("neopixel") takes the bytes the MCU shifts out on its data pin, each LED keeping the first
// 3 or 4 (its colour order) and passing the rest on; an APA102 chain ("dotstar") is clocked
// in by SPI edges on its data/clock pins: a 32-bit zero start frame, then one 32-bit frame
// per LED (0b111 + 5-bit brightness, blue, green, red). Every update is traced as an `led`
// event with each LED's colour as [red, green, blue, white] bytes.
#include <stdio.h>
#include <string.h>
#include "sim.h"
#include "json.h"
#include "sched.h"
#include "board/neopixel.h"

#define SIM_MAX_LED_CHAINS 8
#define SIM_MAX_LEDS 256

enum { LED_NEOPIXEL, LED_DOTSTAR };
struct sim_led_chain {
    char name[64];
    int kind, pin, clock_pin, count;
    // Per LED: which colour (0 red, 1 green, 2 blue, 3 white) each byte it takes sets.
    uint8_t order[SIM_MAX_LEDS][4], order_len[SIM_MAX_LEDS];
    uint8_t color[SIM_MAX_LEDS][4];
    uint8_t brightness[SIM_MAX_LEDS];  // dotstar only (0-31)
    // Dotstar bit decoder.
    uint8_t data_level, clock_level;
    uint32_t frame, zero_run;
    int synced, bits, index;
};
static struct sim_led_chain chains[SIM_MAX_LED_CHAINS];
static int chain_count;
static struct sim_led_chain *chain_of[SIM_PIN_COUNT];

static void parse_order(struct sim_led_chain *c, int led, const struct json *v, const char *name)
{
    if (!v || v->kind != JSON_STRING)
        machine_die(v, "%s: color_order entries must be strings such as \"GRB\"%s", name, "");
    const char *s = v->string;
    int n = (int)strlen(s), seen = 0;
    for (int i = 0; i < n && i < 4; i++) {
        const char *p = strchr("RGBW", s[i]);
        if (!p || !s[i] || (seen & (1 << (p - "RGBW"))))
            machine_die(v, "%s: invalid color_order \"%s\" (R, G, B and optionally W, each once)", name, s);
        seen |= 1 << (p - "RGBW");
        c->order[led][i] = (uint8_t)(p - "RGBW");
    }
    if ((seen & 7) != 7 || n > 4)
        machine_die(v, "%s: invalid color_order \"%s\" (R, G, B and optionally W, each once)", name, s);
    c->order_len[led] = (uint8_t)n;
}

void leds_load(const struct json *list)
{
    chain_count = 0;
    memset(chain_of, 0, sizeof(chain_of));
    for (const struct json *e = list ? list->child : 0; e; e = e->next) {
        if (chain_count >= SIM_MAX_LED_CHAINS)
            machine_die(e, "too many led chains (max %s)%s", "8", "");
        struct sim_led_chain *c = &chains[chain_count++];
        memset(c, 0, sizeof(*c));
        const char *name = machine_get_str(e, "name", 0, "led chain");
        snprintf(c->name, sizeof(c->name), "%s", name);
        const char *kind = machine_get_str(e, "kind", "neopixel", name);
        if (strcmp(kind, "neopixel") && strcmp(kind, "dotstar"))
            machine_die(e, "%s: kind must be \"neopixel\" or \"dotstar\", not \"%s\"", name, kind);
        c->kind = strcmp(kind, "dotstar") == 0 ? LED_DOTSTAR : LED_NEOPIXEL;
        double one = 1;
        double count = machine_get_num(e, "chain_count", &one, name);
        if (!(count >= 1 && count <= SIM_MAX_LEDS) || count != (int)count)
            machine_die(e, "%s: chain_count must be a whole number from 1 to 256%s", name, "");
        c->count = (int)count;
        int inv;
        if (c->kind == LED_NEOPIXEL) {
            c->pin = machine_get_pin(e, "pin", 1, &inv, name);
            c->clock_pin = -1;
            const struct json *order = json_get(e, "color_order");
            if (!order || order->kind == JSON_STRING) {
                struct json grb = { .kind = JSON_STRING, .string = (char *)"GRB" };
                for (int i = 0; i < c->count; i++)
                    parse_order(c, i, order ? order : &grb, name);
            } else if (order->kind == JSON_ARRAY) {
                int i = 0;
                for (const struct json *o = order->child; o; o = o->next, i++)
                    if (i < c->count)
                        parse_order(c, i, o, name);
                if (i != c->count)
                    machine_die(order, "%s: color_order lists %s entries, not one per LED", name,
                                i < c->count ? "too few" : "too many");
            } else {
                machine_die(order, "%s: color_order must be a string or an array of strings%s", name, "");
            }
        } else {
            c->pin = machine_get_pin(e, "data_pin", 1, &inv, name);
            c->clock_pin = machine_get_pin(e, "clock_pin", 1, &inv, name);
            if (chain_of[c->clock_pin] || c->clock_pin == c->pin)
                machine_die(e, "%s: clock_pin is used by another led chain%s", name, "");
            chain_of[c->clock_pin] = c;
        }
        if (chain_of[c->pin])
            machine_die(e, "%s: data pin is used by another led chain%s", name, "");
        chain_of[c->pin] = c;
    }
}

static void trace_chain(const struct sim_led_chain *c, uint32_t clock)
{
    if (!trace_file)
        return;
    fprintf(trace_file, "{\"ev\":\"led\",\"name\":\"%s\",\"clock\":%u,\"colors\":[", c->name, clock);
    for (int i = 0; i < c->count; i++)
        fprintf(trace_file, "%s[%u,%u,%u,%u]", i ? "," : "", c->color[i][0], c->color[i][1],
                c->color[i][2], c->color[i][3]);
    fprintf(trace_file, "]}\n");
}

// The sim cannot bit-bang at nanosecond timing: the board hands the bytes straight to the chain
// on that pin, which takes them as a WS2812 chain would. The timing always holds.
uint8_t neopixel_board_send(struct gpio_out pin, const uint8_t *data, uint16_t len,
                            uint32_t max_gap_ticks)
{
    (void)max_gap_ticks;
    uint32_t clock = sched_now();
    struct sim_led_chain *c = chain_of[pin.pin];
    if (!c || c->kind != LED_NEOPIXEL) {
        // Nothing modelled on this pin: the bytes still go into the trace.
        if (trace_file) {
            char name[16];
            fprintf(trace_file, "{\"ev\":\"led\",\"pin\":\"%s\",\"clock\":%u,\"bytes\":\"",
                    sim_pin_name(pin.pin, name, sizeof(name)), clock);
            for (uint16_t i = 0; i < len; i++)
                fprintf(trace_file, "%02x", data[i]);
            fprintf(trace_file, "\"}\n");
        }
        return 1;
    }
    // Each LED takes its bytes from the front of the stream; extra bytes leave the chain's end.
    uint16_t pos = 0;
    for (int i = 0; i < c->count && pos + c->order_len[i] <= len; i++)
        for (int b = 0; b < c->order_len[i]; b++)
            c->color[i][c->order[i][b]] = data[pos++];
    trace_chain(c, clock);
    return 1;
}

// Dotstar: a data bit is taken on each rising clock edge.
static void dotstar_bit(struct sim_led_chain *c, uint32_t clock, int bit)
{
    c->zero_run = bit ? 0 : c->zero_run + 1;
    if (c->zero_run >= 32) {  // only a start frame has 32 zeros in a row (LED frames start 0b111)
        c->synced = 1;
        c->bits = c->index = 0;
        c->frame = 0;
        return;
    }
    if (!c->synced)
        return;
    c->frame = (c->frame << 1) | (uint32_t)bit;
    if (++c->bits < 32)
        return;
    c->bits = 0;
    if ((c->frame >> 29) != 7 || c->index >= c->count) {
        if (c->index >= c->count)
            c->synced = 0;  // end frame or bits past the chain: wait for the next start frame
        return;
    }
    int i = c->index++;
    c->brightness[i] = (uint8_t)((c->frame >> 24) & 31);
    c->color[i][2] = (uint8_t)(c->frame >> 16);
    c->color[i][1] = (uint8_t)(c->frame >> 8);
    c->color[i][0] = (uint8_t)c->frame;
    if (c->index == c->count)
        trace_chain(c, clock);
}

void leds_output_changed(int pin, uint32_t clock, int level)
{
    struct sim_led_chain *c = chain_of[pin];
    if (!c || c->kind != LED_DOTSTAR)
        return;
    if (pin == c->pin) {
        c->data_level = (uint8_t)level;
        return;
    }
    if (level && !c->clock_level)
        dotstar_bit(c, clock, c->data_level);
    c->clock_level = (uint8_t)level;
}
