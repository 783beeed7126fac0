// Display controllers on their pins: what the firmware bit-bangs is decoded into the
// controller's memory, and every changed display is traced as an `lcd` event (README
// "displays"): ST7920 serial (text DDRAM + graphics GDRAM), HD44780 in 4-bit mode (DDRAM),
// and SPI page controllers (UC1701, SSD1306/SH1106 on SPI with an A0 pin). I2C displays are
// in i2c_dev.c.
#include <string.h>
#include "json.h"
#include "lcd.h"
#include "sim.h"

enum { LCD_ST7920, LCD_HD44780, LCD_SPI_PAGES };

struct st7920_model {
    int cs, sclk, sid;
    int ones, tail_bits, bits, half, rs, synced;
    uint8_t shift, high;
    int re, graphics, on;
    int target;                 // 0 DDRAM, 1 CGRAM, 2 GDRAM
    int ac;                     // DDRAM byte address (two bytes per 16-bit word)
    int gdram_next_is_x, gy, gx, gbyte;
    uint8_t ddram[128];         // 64 words: rows start at words 0x00, 0x10, 0x08, 0x18
    uint8_t gdram[32][32];      // 32 rows x 256 px: the right half is the display's lower half
    uint8_t cgram[64];
};

struct hd44780_model {
    int rs, e, d[4];
    int columns, rows;
    int four_bit, half, on, target, ac, cg_ac, increment;
    uint8_t high;
    uint8_t ddram[128], cgram[64];
};

struct spi_page_model {
    int cs, sclk, mosi, a0;
    int bits;
    uint8_t shift;
    struct page_lcd lcd;
};

struct display {
    char name[32];
    int kind;
    int dirty;
    uint32_t changed_clock;
    union {
        struct st7920_model st;
        struct hd44780_model hd;
        struct spi_page_model sp;
    } u;
};

#define MAX_DISPLAYS 4
static struct display displays[MAX_DISPLAYS];
static int display_count;
static uint8_t pin_level[SIM_PIN_COUNT], pin_is_lcd[SIM_PIN_COUNT];

static void mark(struct display *d, uint32_t clock)
{
    d->dirty = 1;
    d->changed_clock = clock;
}

// ---------------------------------------------------------------- ST7920 ----
static void st7920_instruction(struct display *d, uint8_t b, uint32_t clock)
{
    struct st7920_model *m = &d->u.st;
    int was_graphics = m->graphics, was_on = m->on;
    if ((b & 0xe0) == 0x20) {  // function set: RE (extended set); G only while RE stays 1
        int re = (b & 4) != 0;
        if (re && m->re)
            m->graphics = (b & 2) != 0;
        m->re = re;
    } else if (b & 0x80) {
        if (!m->re) {  // DDRAM address (words)
            m->ac = (b & 0x3f) * 2;
            m->target = 0;
        } else if (!m->gdram_next_is_x) {  // GDRAM: vertical address first ...
            m->gy = b & 0x3f;
            m->gdram_next_is_x = 1;
        } else {       // ... then horizontal (16-pixel words)
            m->gx = b & 0x0f;
            m->gbyte = 0;
            m->gdram_next_is_x = 0;
            m->target = 2;
        }
    } else if (m->re) {
        return;        // standby, scroll, reverse, sleep: not shown
    } else if (b & 0x40) {
        m->ac = b & 0x3f;
        m->target = 1;
    } else if (b == 0x01) {  // clear: DDRAM to spaces
        memset(m->ddram, ' ', sizeof(m->ddram));
        m->ac = 0;
        m->target = 0;
        mark(d, clock);
    } else if ((b & 0xfe) == 0x02) {
        m->ac = 0;
        m->target = 0;
    } else if ((b & 0xf8) == 0x08) {
        m->on = (b & 4) != 0;
    }
    if (m->graphics != was_graphics || m->on != was_on)
        mark(d, clock);
}

static void st7920_data(struct display *d, uint8_t b, uint32_t clock)
{
    struct st7920_model *m = &d->u.st;
    if (m->target == 0) {
        if (m->ddram[m->ac] != b)
            mark(d, clock);
        m->ddram[m->ac] = b;
        m->ac = (m->ac + 1) & 0x7f;
    } else if (m->target == 1) {
        m->cgram[m->ac] = b;
        m->ac = (m->ac + 1) & 0x3f;
    } else {
        uint8_t *at = &m->gdram[m->gy & 31][m->gx * 2 + m->gbyte];
        if (*at != b)
            mark(d, clock);
        *at = b;
        if (m->gbyte ^= 1)
            return;
        m->gx = (m->gx + 1) & 0x0f;
    }
}

static void st7920_clock_bit(struct display *d, int bit, uint32_t clock)
{
    struct st7920_model *m = &d->u.st;
    m->ones = bit ? m->ones + 1 : 0;
    if (m->ones == 5) {  // five 1 bits only ever start a sync byte: RW, RS, 0 follow
        m->tail_bits = 3;
        m->synced = 0;
        return;
    }
    if (m->tail_bits) {
        if (m->tail_bits == 2)
            m->rs = bit;
        if (--m->tail_bits == 0) {
            m->synced = 1;
            m->bits = m->half = 0;
        }
        return;
    }
    if (!m->synced)
        return;
    m->shift = (uint8_t)(m->shift << 1 | bit);
    if (++m->bits < 8)
        return;
    m->bits = 0;
    if (!m->half) {
        m->high = m->shift & 0xf0;
        m->half = 1;
        return;
    }
    m->half = 0;
    uint8_t b = (uint8_t)(m->high | m->shift >> 4);
    if (m->rs)
        st7920_data(d, b, clock);
    else
        st7920_instruction(d, b, clock);
}

static void st7920_pin(struct display *d, int pin, int level, int was, uint32_t clock)
{
    struct st7920_model *m = &d->u.st;
    if (pin == m->cs && !level) {  // deselected: the serial interface resets
        m->ones = m->tail_bits = m->synced = 0;
    } else if (pin == m->sclk && level && !was && pin_level[m->cs]) {
        st7920_clock_bit(d, pin_level[m->sid], clock);
    }
}

static void st7920_trace(struct display *d, FILE *f)
{
    struct st7920_model *m = &d->u.st;
    static const int row_word[4] = { 0x00, 0x10, 0x08, 0x18 };
    fprintf(f, "{\"ev\":\"lcd\",\"name\":\"%s\",\"kind\":\"st7920\",\"clock\":%u,\"on\":%s,\"graphics\":%s,\"text\":[",
            d->name, d->changed_clock, m->on ? "true" : "false", m->graphics ? "true" : "false");
    for (int r = 0; r < 4; r++) {
        if (r)
            fputc(',', f);
        trace_text_row(f, &m->ddram[row_word[r] * 2], 16);
    }
    fputs("],\"bitmap\":", f);
    uint8_t pixels[64][16];
    for (int y = 0; y < 64; y++)
        memcpy(pixels[y], &m->gdram[y & 31][y < 32 ? 0 : 16], 16);
    trace_bitmap_rows(f, &pixels[0][0], 128, 64);
    fputs("}\n", f);
}

// --------------------------------------------------------------- HD44780 ----
static int hd44780_next(int ac)
{
    ac = (ac + 1) & 0x7f;  // two-line RAM: 0x00-0x27 then 0x40-0x67
    return ac == 0x28 ? 0x40 : ac == 0x68 ? 0x00 : ac;
}

static void hd44780_byte(struct display *d, int rs, uint8_t b, uint32_t clock)
{
    struct hd44780_model *m = &d->u.hd;
    if (rs) {
        if (m->target) {
            m->cgram[m->cg_ac] = b;
            m->cg_ac = (m->cg_ac + 1) & 0x3f;
            mark(d, clock);
            return;
        }
        if (m->ddram[m->ac] != b)
            mark(d, clock);
        m->ddram[m->ac] = b;
        m->ac = hd44780_next(m->ac);
        return;
    }
    int was_on = m->on;
    if (b & 0x80) {
        m->ac = b & 0x7f;
        m->target = 0;
    } else if (b & 0x40) {
        m->cg_ac = b & 0x3f;
        m->target = 1;
    } else if (b & 0x20) {  // function set: DL (bit 4) chooses 8- or 4-bit transfers
        int four_bit = !(b & 0x10);
        if (four_bit != m->four_bit)
            m->half = 0;
        m->four_bit = four_bit;
    } else if (b & 0x10) {  // cursor shift (display shifts are not modelled)
        if (!(b & 0x08))
            m->ac = (b & 0x04) ? hd44780_next(m->ac) : (m->ac - 1) & 0x7f;
    } else if (b & 0x08) {
        m->on = (b & 0x04) != 0;
    } else if (b & 0x04) {
        m->increment = (b & 0x02) != 0;
    } else if (b & 0x02) {
        m->ac = 0;
    } else if (b == 0x01) {
        memset(m->ddram, ' ', sizeof(m->ddram));
        m->ac = 0;
        m->target = 0;
        mark(d, clock);
    }
    if (m->on != was_on)
        mark(d, clock);
}

static void hd44780_pin(struct display *d, int pin, int level, int was, uint32_t clock)
{
    struct hd44780_model *m = &d->u.hd;
    if (pin != m->e || level || !was)
        return;  // the chip latches on E's falling edge
    uint8_t nibble = 0;
    for (int i = 0; i < 4; i++)
        nibble |= (uint8_t)(pin_level[m->d[i]] << i);
    int rs = pin_level[m->rs];
    if (!m->four_bit) {  // 8-bit mode after power-on: D0-D3 are not wired and read 0
        hd44780_byte(d, rs, (uint8_t)(nibble << 4), clock);
    } else if (!m->half) {
        m->high = (uint8_t)(nibble << 4);
        m->half = 1;
    } else {
        m->half = 0;
        hd44780_byte(d, rs, (uint8_t)(m->high | nibble), clock);
    }
}

static void hd44780_trace(struct display *d, FILE *f)
{
    struct hd44780_model *m = &d->u.hd;
    // Row starts: lines 1 and 2 at 0x00 and 0x40, lines 3 and 4 continue them.
    const int row_start[4] = { 0x00, 0x40, m->columns, 0x40 + m->columns };
    fprintf(f, "{\"ev\":\"lcd\",\"name\":\"%s\",\"kind\":\"hd44780\",\"clock\":%u,\"on\":%s,\"text\":[",
            d->name, d->changed_clock, m->on ? "true" : "false");
    for (int r = 0; r < m->rows; r++) {
        if (r)
            fputc(',', f);
        trace_text_row(f, &m->ddram[row_start[r]], m->columns);
    }
    fputs("],\"cgram\":\"", f);
    for (int i = 0; i < 64; i++)
        fprintf(f, "%02x", m->cgram[i]);
    fputs("\"}\n", f);
}

// ----------------------------------------------------- SPI page controllers ----
static void spi_page_pin(struct display *d, int pin, int level, int was, uint32_t clock)
{
    struct spi_page_model *m = &d->u.sp;
    if (pin == m->cs) {
        m->bits = 0;  // chip select (active low) frames the bytes
    } else if (pin == m->sclk && level && !was && !pin_level[m->cs]) {  // mode 0: rising edge
        m->shift = (uint8_t)(m->shift << 1 | pin_level[m->mosi]);
        if (++m->bits < 8)
            return;
        m->bits = 0;
        if (pin_level[m->a0])
            page_lcd_data(&m->lcd, m->shift, clock);
        else
            page_lcd_command(&m->lcd, m->shift, clock);
    }
}

// ------------------------------------------------------------------ table ----
static int take_pin(const struct json *e, const char *key, const char *name)
{
    int invert;
    int pin = machine_get_pin(e, key, 1, &invert, name);
    if (invert)
        machine_die(e, "%s: \"%s\" cannot be inverted on this display%s", name, "");
    pin_is_lcd[pin] = 1;
    return pin;
}

void lcd_add(const struct json *e, const char *kind)
{
    if (display_count >= MAX_DISPLAYS)
        machine_die(e, "too many displays (at most 4)%s%s", "", "");
    struct display *d = &displays[display_count];
    memset(d, 0, sizeof(*d));
    snprintf(d->name, sizeof(d->name), "%s", machine_get_str(e, "name", 0, "displays"));
    if (!strcmp(kind, "st7920")) {
        struct st7920_model *m = &d->u.st;
        d->kind = LCD_ST7920;
        m->cs = take_pin(e, "cs_pin", d->name);
        m->sclk = take_pin(e, "sclk_pin", d->name);
        m->sid = take_pin(e, "sid_pin", d->name);
        memset(m->ddram, ' ', sizeof(m->ddram));
    } else if (!strcmp(kind, "hd44780")) {
        struct hd44780_model *m = &d->u.hd;
        d->kind = LCD_HD44780;
        m->rs = take_pin(e, "rs_pin", d->name);
        m->e = take_pin(e, "e_pin", d->name);
        static const char *const dk[4] = { "d4_pin", "d5_pin", "d6_pin", "d7_pin" };
        for (int i = 0; i < 4; i++)
            m->d[i] = take_pin(e, dk[i], d->name);
        const double def_cols = 20, def_rows = 4;
        m->columns = (int)machine_get_num(e, "columns", &def_cols, d->name);
        m->rows = (int)machine_get_num(e, "rows", &def_rows, d->name);
        if (m->columns < 8 || m->columns > 20 || (m->rows != 2 && m->rows != 4))
            machine_die(e, "%s: columns must be 8-20 and rows 2 or 4%s", d->name, "");
        memset(m->ddram, ' ', sizeof(m->ddram));
        m->increment = 1;
    } else if (page_lcd_kind(kind) >= 0) {
        struct spi_page_model *m = &d->u.sp;
        d->kind = LCD_SPI_PAGES;
        m->cs = take_pin(e, "cs_pin", d->name);
        m->a0 = take_pin(e, "a0_pin", d->name);
        const char *bus = machine_get_str(e, "spi_bus", "", d->name);
        if (*bus) {
            if (sim_spi_bus_pins(bus, &m->sclk, &m->mosi, &(int){ 0 }) < 0)
                machine_die(e, "%s: unknown spi_bus \"%s\"", d->name, bus);
            pin_is_lcd[m->sclk] = pin_is_lcd[m->mosi] = 1;
        } else {
            m->sclk = take_pin(e, "sclk_pin", d->name);
            m->mosi = take_pin(e, "mosi_pin", d->name);
        }
        const double zero = 0;
        int x_offset = (int)machine_get_num(e, "x_offset", &zero, d->name);
        if (x_offset < 0 || x_offset > 4)
            machine_die(e, "%s: x_offset must be 0-4%s", d->name, "");
        page_lcd_init(&m->lcd, page_lcd_kind(kind), d->name, x_offset);
    } else {
        machine_die(e, "unknown display kind \"%s\" (st7920, hd44780, uc1701, ssd1306, sh1106)%s", kind, "");
    }
    display_count++;
}

void displays_load(const struct json *list)
{
    display_count = 0;
    i2c_dev_reset();
    memset(pin_is_lcd, 0, sizeof(pin_is_lcd));
    for (const struct json *e = list ? list->child : 0; e; e = e->next) {
        const char *kind = machine_get_str(e, "kind", 0, "displays");
        // An OLED with an i2c_address is on the I2C bus, otherwise on SPI pins.
        if (json_get(e, "i2c_address") || !json_get(e, "cs_pin") ? i2c_dev_add(e, kind) : 0)
            continue;
        lcd_add(e, kind);
    }
}

void lcd_output_changed(int pin, uint32_t clock, int level)
{
    if (pin < 0 || pin >= SIM_PIN_COUNT || !pin_is_lcd[pin])
        return;
    int was = pin_level[pin];
    pin_level[pin] = (uint8_t)level;
    for (int i = 0; i < display_count; i++) {
        struct display *d = &displays[i];
        if (d->kind == LCD_ST7920)
            st7920_pin(d, pin, level, was, clock);
        else if (d->kind == LCD_HD44780)
            hd44780_pin(d, pin, level, was, clock);
        else
            spi_page_pin(d, pin, level, was, clock);
    }
}

int lcd_pin_is_quiet(int pin)
{
    return pin >= 0 && pin < SIM_PIN_COUNT && (pin_is_lcd[pin] || i2c_dev_pin_is_quiet(pin));
}

void displays_flush(void)
{
    if (!trace_file)
        return;
    for (int i = 0; i < display_count; i++) {
        struct display *d = &displays[i];
        if (d->kind == LCD_SPI_PAGES) {
            if (d->u.sp.lcd.dirty)
                page_lcd_trace(&d->u.sp.lcd, trace_file);
        } else if (d->dirty) {
            d->dirty = 0;
            if (d->kind == LCD_ST7920)
                st7920_trace(d, trace_file);
            else
                hd44780_trace(d, trace_file);
        }
    }
    i2c_dev_flush(trace_file);
}
