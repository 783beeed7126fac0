#ifndef SIM_SIM_H
#define SIM_SIM_H
// Shared declarations of the sim board: pins, the simulated machine, the trace file.
#include <stdint.h>
#include <stdio.h>

#define SIM_CLOCK_FREQ 50000000
#define SIM_PIN_COUNT 256
#define SIM_ADC_MAX 4095
#define SIM_PWM_MAX 32768

// Pin names <-> numbers (the "pin" enumeration). Returns -1 / 0 when unknown.
int sim_pin_lookup(const char *name);
const char *sim_pin_name(int pin, char *buf, int buflen);
void sim_pin_set_label(int pin, const char *name);

// --- machine model (machine.c) ---
struct sim_stepper {
    char name[32];
    int step_pin, dir_pin, enable_pin;  // -1 = none
    int step_invert, dir_invert, enable_invert;
    double steps_per_mm;
    char axis[8];
    int64_t position_steps;  // integrated from step/dir edges (includes the initial position)
    int64_t steps_total;
    int64_t steps_disabled;  // steps while the enable pin said "off"
    int both_edges;          // from config_stepper invert_step=-1
    int mcu_oid;             // -1 until a config_stepper used its step pin
    uint32_t last_step_clock;  // clock of the last step that moved the motor
    int has_stepped;
};
// Another sim process's published stepper positions (positions.c), mapped read-only.
struct sim_remote {
    char path[512];
    const struct sim_positions *map;  // 0 until that sim has published
    unsigned long long ino, dev;
};
struct sim_endstop {
    char name[32];
    int pin, inverted, side_max;
    double trigger_mm;
    int stepper_idx[4], stepper_count;
    int last_triggered;
    // With "positions_file": the steppers are another sim's (by name) instead of this one's.
    int is_remote;
    struct sim_remote remote;
    char remote_stepper[4][32];
    int remote_idx[4];  // cached index into the remote file
    // With "tilt": the trigger height follows a tilted plane (a Z probe over a sloped bed):
    // trigger_mm + dz_dx * x + dz_dy * y, x/y the positions of two local steppers (-1: none).
    int tilt_x_idx, tilt_y_idx;
    double tilt_dz_dx, tilt_dz_dy;
    // With "delta" or "gantry" (effector.c): the switch follows the nozzle's real height, worked
    // out from several steppers, instead of the steppers' own positions (-1: none).
    int effector;
    // With "servo_pin": a BLTouch. The width of the last servo pulse sets the pin (SIM_BLTOUCH_*);
    // the switch works only with the pin down, reads open with the pin up, triggered in touch
    // mode with the pin up (its self-test answer).
    int servo_pin, servo_state;
    uint32_t servo_rise_clock;
};
enum { SIM_BLTOUCH_UP, SIM_BLTOUCH_DOWN, SIM_BLTOUCH_UP_TOUCH };
struct sim_heater {
    char name[32];
    int pin, sensor_pin, pin_invert;
    int use_steinhart;
    double beta, r0, t0_c, sh_a, sh_b, sh_c;
    double pullup_ohm, power_w, heat_capacity_j_k, loss_w_k, ambient_c;
    double temp_c, duty;
    uint32_t last_clock;
};
struct sim_fan { char name[32]; int pin; };

#define SIM_MAX_STEPPERS 32
#define SIM_MAX_ENDSTOPS 16
#define SIM_MAX_HEATERS 8
#define SIM_MAX_FANS 8
struct sim_machine {
    struct sim_stepper steppers[SIM_MAX_STEPPERS]; int stepper_count;
    struct sim_endstop endstops[SIM_MAX_ENDSTOPS]; int endstop_count;
    struct sim_heater heaters[SIM_MAX_HEATERS]; int heater_count;
    struct sim_fan fans[SIM_MAX_FANS]; int fan_count;
};
extern struct sim_machine sim_machine;

// Load and validate a machine file; on error prints "FILE: ..." and exits with status 2.
void machine_load(const char *path);
// Called by the pins layer on output changes and input/ADC reads (clock = event time).
void machine_output_changed(int pin, uint32_t clock, int level, double duty, int is_pwm);
int machine_input_read(int pin, uint32_t clock, int *level);
int machine_adc_read(int pin, uint32_t clock, uint16_t *value);
struct sim_stepper *machine_stepper_for_step_pin(int pin);
struct sim_stepper *machine_stepper_for_oid(int oid);
void machine_stepper_config(int oid, int step_pin, int dir_pin, int invert_step);
void machine_periodic(uint32_t clock);
void machine_reset(void);
void machine_mcu_reset(uint32_t clock);
double machine_stepper_mm(const struct sim_stepper *s);

// Field readers for machine sections in other files (errors name the file and line, exit 2).
struct json;
void machine_die(const struct json *at, const char *fmt, const char *a, const char *b);
const char *machine_get_str(const struct json *obj, const char *key, const char *def, const char *what);
double machine_get_num(const struct json *obj, const char *key, const double *def, const char *what);
int machine_get_pin(const struct json *obj, const char *key, int required, int *invert, const char *what);
int machine_stepper_index(const char *name);

// --- probe switches following a delta effector or a flying gantry (effector.c) ---
// Reads an endstop's "delta"/"gantry" objects: the model's index, or -1 when it has neither.
int effector_load(const struct json *delta, const struct json *gantry, const char *name);
double effector_height_mm(int idx);
int machine_pin_is_endstop(int pin);

// --- switches: filament runout and timed button presses (switches.c) ---
void switches_load(const struct json *list);
void switches_reset(void);
int switches_input_read(int pin, uint32_t clock, int *level);

// --- simulated hardware SPI buses (spi.c) ---
// The pins of bus number `bus` (the "spi_bus" enumeration); -1 if there is no such bus.
int sim_spi_bus_pins(const char *name, int *sclk, int *mosi, int *miso);

// --- Trinamic driver models on the UART / SPI pins (tmc.c, README "drivers") ---
void tmc_load(const struct json *list);
void tmc_output_changed(int pin, uint32_t clock, int level);
int tmc_input_read(int pin, uint32_t clock, int *level);
void tmc_periodic(uint32_t clock);
int tmc_pin_is_quiet(int pin);  // bit-banged bus lines are traced as `tmc` events, not pins
// A step of the stepper at this index (sim_machine.steppers) towards dir (+1/-1): 1 when a
// driver's hard stop blocks it (sensorless homing: the motor skips, the carriage stays).
int tmc_step_blocked(int stepper_idx, int64_t position_steps, int dir, uint32_t clock);

// --- accelerometer models on SPI pins or I2C (accel.c, README "accelerometers") ---
void accel_load(const struct json *list);
void accel_output_changed(int pin, uint32_t clock, int level);
int accel_input_read(int pin, uint32_t clock, int *level);
void accel_before_step(uint32_t clock);
int accel_pin_is_bus(int pin);
// An I2C transfer to the accelerometers on I2C (any bus); START_NACK when none has addr.
int accel_i2c_transfer(uint8_t addr, uint8_t write_len, const uint8_t *write, uint8_t read_len,
                       uint8_t *read, uint32_t clock);

// --- SPI temperature chips: MAX6675/31855/31856/31865 models (spi_temp.c, machine file "spi_sensors") ---
void spi_temp_load(const struct json *list);
void spi_temp_output_changed(int pin, uint32_t clock, int level);
int spi_temp_input_read(int pin, uint32_t clock, int *level);
int machine_heater_index(const char *name);
double machine_heater_temp(const char *name, uint32_t clock);

// --- LED chains: WS2812 (neopixel) and APA102 (dotstar) models (led.c, README "leds") ---
void leds_load(const struct json *list);
void leds_output_changed(int pin, uint32_t clock, int level);

// --- displays: LCD controllers on their pins (lcd.c), I2C devices (i2c_dev.c); README "displays" ---
void displays_load(const struct json *list);
void lcd_add(const struct json *entry, const char *kind);
int i2c_dev_add(const struct json *entry, const char *kind);
void lcd_output_changed(int pin, uint32_t clock, int level);
int lcd_pin_is_quiet(int pin);  // bus lines of a display are traced as `lcd` events, not pins
// Trace every display whose contents changed since the last call (every 100 ms).
void displays_flush(void);
// One I2C transfer on a sim bus; returns an I2C_BUS_* status (board/i2c.h).
int i2c_dev_transfer(uint8_t bus, uint8_t addr, uint8_t write_len, const uint8_t *write,
                     uint8_t read_len, uint8_t *read, uint32_t clock);
// Software I2C lines of I2C devices with scl_pin/sda_pin (open drain: pulled low by an MCU
// output at 0, released by an input).
void i2c_dev_output_changed(int pin, uint32_t clock, int level);
void i2c_dev_line_released(int pin, uint32_t clock);
int i2c_dev_input_read(int pin, uint32_t clock, int *level);
int i2c_dev_pin_is_quiet(int pin);
// I2C environment sensors (i2c_env.c, README "i2c_sensors"): device kinds of i2c_dev.c.
void i2c_env_load(const struct json *list);
// A bitmap row into the trace as hex (MSB = leftmost pixel).
void trace_bitmap_rows(FILE *f, const uint8_t *pixels, int width, int height);

// --- positions shared with other sim processes (positions.c) ---
#define SIM_POSITIONS_MAGIC 0x31505354u  // "TSP1"
struct sim_positions_entry {
    char name[32];
    double steps_per_mm;
    int64_t position_steps;
};
struct sim_positions {
    uint32_t magic, pid, count, reserved;
    struct sim_positions_entry steppers[SIM_MAX_STEPPERS];
};
// `--positions FILE`: publish this sim's stepper positions there (updated on every step).
void positions_publish(const char *path);
void positions_unpublish(void);
void positions_update_all(void);
void positions_update(const struct sim_stepper *s);
// Re-map the file if its sim was restarted (called once a second).
void positions_remote_refresh(struct sim_remote *r);
double positions_remote_mm(struct sim_remote *r, const char *stepper, int *cache_idx, int *known);

// --- trace (trace.c) ---
extern FILE *trace_file;
void trace_open(const char *path);
void trace_close(void);
void trace_flush(void);
// A `positions` event: every stepper's simulated position now (why: shutdown, query, exit).
void trace_positions(const char *why, uint32_t clock);

// --- link / clock (main.c) ---
uint32_t sim_clock(void);

#endif
