// Page-addressed monochrome controllers (SSD1306, SH1106, UC1701): the instruction set as the
// datasheets give it, enough to follow what a host draws (addressing, on/off, inverse, the
// mirror flags) while parameters like contrast or charge pump are accepted and ignored.
#include <string.h>
#include "lcd.h"
#include "sim.h"

static const char *const kind_names[] = { "ssd1306", "sh1106", "uc1701" };

const char *page_lcd_kind_name(int kind) { return kind_names[kind]; }

int page_lcd_kind(const char *name)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, kind_names[i]))
            return i;
    return -1;
}

void page_lcd_init(struct page_lcd *p, int kind, const char *name, int x_offset)
{
    memset(p, 0, sizeof(*p));
    p->kind = kind;
    snprintf(p->name, sizeof(p->name), "%s", name);
    p->x_offset = x_offset;
    p->mode = 2;  // page addressing after power-on (SSD1306); the only mode of the others
    p->col_end = 127;
    p->page_end = 7;
}

static int ram_cols(const struct page_lcd *p) { return p->kind == PAGE_LCD_SSD1306 ? 128 : 132; }

// How many argument bytes follow a command byte.
static uint8_t args_of(const struct page_lcd *p, uint8_t b)
{
    if (p->kind == PAGE_LCD_UC1701)
        return b == 0x81 || b == 0xf8 || b == 0xfa ? 1 : 0;
    switch (b) {
    case 0x20: return p->kind == PAGE_LCD_SSD1306;
    case 0x21: case 0x22: return p->kind == PAGE_LCD_SSD1306 ? 2 : 0;
    case 0x26: case 0x27: return 6;
    case 0x29: case 0x2a: return 5;
    case 0xa3: return 2;
    case 0x81: case 0x82: case 0x8d: case 0xa8: case 0xad: case 0xd3: case 0xd5: case 0xd8:
    case 0xd9: case 0xda: case 0xdb: return 1;
    default: return 0;
    }
}

static void changed(struct page_lcd *p, uint32_t clock)
{
    p->dirty = 1;
    p->changed_clock = clock;
}

static void run_command(struct page_lcd *p, uint8_t b, uint32_t clock)
{
    int was_on = p->on, was_inverse = p->inverse;
    if (b <= 0x0f) {
        p->col = (p->col & 0xf0) | b;
    } else if (b <= 0x1f) {
        p->col = (p->col & 0x0f) | (b & 0x0f) << 4;
    } else if (b == 0x20 && p->kind == PAGE_LCD_SSD1306) {
        p->mode = p->args[0] & 3;
    } else if (b == 0x21 && p->kind == PAGE_LCD_SSD1306) {
        p->col_start = p->col = p->args[0] & 0x7f;
        p->col_end = p->args[1] & 0x7f;
    } else if (b == 0x22 && p->kind == PAGE_LCD_SSD1306) {
        p->page_start = p->page = p->args[0] & 7;
        p->page_end = p->args[1] & 7;
    } else if (b == 0xa0 || b == 0xa1) {
        p->seg_remap = b & 1;
    } else if (b == 0xa6 || b == 0xa7) {
        p->inverse = b & 1;
    } else if (b == 0xae || b == 0xaf) {
        p->on = b & 1;
    } else if (b >= 0xb0 && b <= 0xb7) {
        p->page = b & 7;
    } else if (b >= 0xc0 && b <= 0xcf) {
        p->com_reverse = (b & 8) != 0;
    } else if (b == 0xe2 && p->kind == PAGE_LCD_UC1701) {  // system reset: RAM kept
        p->col = p->page = 0;
        p->on = p->inverse = p->seg_remap = p->com_reverse = 0;
    }
    if (p->col >= ram_cols(p))
        p->col = ram_cols(p) - 1;
    if (p->on != was_on || p->inverse != was_inverse)
        changed(p, clock);
}

void page_lcd_command(struct page_lcd *p, uint8_t b, uint32_t clock)
{
    if (p->args_left) {
        p->args[p->nargs++] = b;
        if (--p->args_left == 0)
            run_command(p, p->cmd, clock);
        return;
    }
    p->cmd = b;
    p->nargs = 0;
    p->args_left = args_of(p, b);
    if (!p->args_left)
        run_command(p, b, clock);
}

void page_lcd_data(struct page_lcd *p, uint8_t b, uint32_t clock)
{
    if (p->ram[p->page][p->col] != b) {
        p->ram[p->page][p->col] = b;
        changed(p, clock);
    }
    if (p->kind != PAGE_LCD_SSD1306 || p->mode == 2) {
        if (p->col + 1 < ram_cols(p))
            p->col++;
        else if (p->kind == PAGE_LCD_SSD1306)
            p->col = 0;  // page addressing wraps within the page
        return;
    }
    if (p->mode == 0) {  // horizontal: across the column range, then the next page
        if (p->col++ >= p->col_end) {
            p->col = p->col_start;
            p->page = p->page >= p->page_end ? p->page_start : p->page + 1;
        }
    } else {             // vertical: down the page range, then the next column
        if (p->page++ >= p->page_end) {
            p->page = p->page_start;
            p->col = p->col >= p->col_end ? p->col_start : p->col + 1;
        }
    }
}

void page_lcd_trace(struct page_lcd *p, FILE *f)
{
    uint8_t pixels[64][16];
    memset(pixels, 0, sizeof(pixels));
    for (int y = 0; y < 64; y++)
        for (int x = 0; x < 128; x++) {
            int c = x + p->x_offset;
            int lit = c < ram_cols(p) && (p->ram[y >> 3][c] >> (y & 7) & 1);
            if (lit ^ p->inverse)
                pixels[y][x >> 3] |= (uint8_t)(0x80 >> (x & 7));
        }
    fprintf(f, "{\"ev\":\"lcd\",\"name\":\"%s\",\"kind\":\"%s\",\"clock\":%u,\"on\":%s,\"inverse\":%s,"
            "\"seg_remap\":%s,\"com_reverse\":%s,\"bitmap\":",
            p->name, page_lcd_kind_name(p->kind), p->changed_clock, p->on ? "true" : "false",
            p->inverse ? "true" : "false", p->seg_remap ? "true" : "false",
            p->com_reverse ? "true" : "false");
    trace_bitmap_rows(f, &pixels[0][0], 128, 64);
    fputs("}\n", f);
    p->dirty = 0;
}

void trace_bitmap_rows(FILE *f, const uint8_t *pixels, int width, int height)
{
    int row_bytes = width / 8;
    fputc('[', f);
    for (int y = 0; y < height; y++) {
        fputs(y ? ",\"" : "\"", f);
        for (int i = 0; i < row_bytes; i++)
            fprintf(f, "%02x", pixels[y * row_bytes + i]);
        fputc('"', f);
    }
    fputc(']', f);
}

void trace_text_row(FILE *f, const uint8_t *chars, int len)
{
    fputc('"', f);
    for (int i = 0; i < len; i++) {
        uint8_t c = chars[i];
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}
