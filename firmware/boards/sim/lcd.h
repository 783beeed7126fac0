#ifndef SIM_LCD_H
#define SIM_LCD_H
// Display models of the sim (README "displays"): shared by the pin-level decoders (lcd.c) and
// the I2C device table (i2c_dev.c).
#include <stdint.h>
#include <stdio.h>

struct json;

// A page-addressed monochrome controller (SSD1306, SH1106, UC1701): RAM of 8 pages x 132
// columns, each byte 8 vertical pixels (bit 0 on top).
enum { PAGE_LCD_SSD1306, PAGE_LCD_SH1106, PAGE_LCD_UC1701 };
struct page_lcd {
    char name[32];
    int kind, x_offset;            // x_offset: first RAM column shown (SH1106 modules: 2)
    uint8_t ram[8][132];
    int page, col;
    int mode;                      // SSD1306 0x20: 0 horizontal, 1 vertical, 2 page addressing
    int col_start, col_end, page_start, page_end;
    int on, inverse, seg_remap, com_reverse;
    uint8_t cmd, args_left;        // a command waiting for its argument bytes
    uint8_t args[6], nargs;
    int dirty;
    uint32_t changed_clock;
};
void page_lcd_init(struct page_lcd *p, int kind, const char *name, int x_offset);
void page_lcd_command(struct page_lcd *p, uint8_t b, uint32_t clock);
void page_lcd_data(struct page_lcd *p, uint8_t b, uint32_t clock);
// The `lcd` trace event of this display (128x64 bitmap of the RAM as addressed).
void page_lcd_trace(struct page_lcd *p, FILE *f);
const char *page_lcd_kind_name(int kind);
int page_lcd_kind(const char *name);  // -1 when unknown

// The I2C devices' traces (i2c_dev.c).
void i2c_dev_flush(FILE *f);
void i2c_dev_reset(void);

// Text rows into the trace as JSON strings (bytes outside printable ASCII as \u00XX).
void trace_text_row(FILE *f, const uint8_t *chars, int len);

#endif
