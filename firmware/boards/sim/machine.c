// The simulated machine: stepper positions integrated from step/dir edges, endstops that
// change when an axis crosses its trigger, heaters following a first-order thermal model read
// back through a thermistor divider, and fans. Loaded from a JSON file (README.md).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"
#include "json.h"

static void heater_advance(struct sim_heater *h, uint32_t clock);

struct sim_machine sim_machine;
static struct sim_stepper *step_of[SIM_PIN_COUNT], *dir_of[SIM_PIN_COUNT], *enable_of[SIM_PIN_COUNT];
static struct sim_heater *heater_of[SIM_PIN_COUNT], *sensor_of[SIM_PIN_COUNT];
static struct sim_fan *fan_of[SIM_PIN_COUNT];
static struct sim_endstop *servo_of[SIM_PIN_COUNT];
static struct sim_endstop *endstop_of[SIM_PIN_COUNT];
static uint8_t level_of[SIM_PIN_COUNT];
static struct sim_stepper initial_steppers[SIM_MAX_STEPPERS];
static struct sim_heater initial_heaters[SIM_MAX_HEATERS];
static int machine_stepper_count;  // from the file; more are added for unnamed MCU steppers
static const char *machine_path = "(no machine file)";

static void die(const struct json *at, const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "%s:%d: ", machine_path, at ? at->line : 0);
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\n");
    exit(2);
}

static const char *get_str(const struct json *obj, const char *key, const char *def, const char *what)
{
    const struct json *v = json_get(obj, key);
    if (!v) {
        if (!def)
            die(obj, "%s: missing \"%s\"", what, key);
        return def;
    }
    if (v->kind != JSON_STRING)
        die(v, "%s: \"%s\" must be a string", what, key);
    return v->string;
}

static double get_num(const struct json *obj, const char *key, const double *def, const char *what)
{
    const struct json *v = json_get(obj, key);
    if (!v) {
        if (!def)
            die(obj, "%s: missing \"%s\"", what, key);
        return *def;
    }
    if (v->kind != JSON_NUMBER)
        die(v, "%s: \"%s\" must be a number", what, key);
    return v->number;
}

static int get_bool(const struct json *obj, const char *key, const char *what)
{
    const struct json *v = json_get(obj, key);
    if (!v)
        return 0;
    if (v->kind != JSON_BOOL)
        die(v, "%s: \"%s\" must be true or false", what, key);
    return (int)v->number;
}

// A pin given as {"pin":"PF0","invert":true} or the string "!PF0" or "PF0".
static int get_pin(const struct json *obj, const char *key, int required, int *invert,
                   const char *what)
{
    const struct json *v = json_get(obj, key);
    *invert = 0;
    if (!v) {
        if (required)
            die(obj, "%s: missing \"%s\"", what, key);
        return -1;
    }
    if (v->kind != JSON_STRING)
        die(v, "%s: \"%s\" must be a pin name such as \"PF0\" or \"!gpio5\"", what, key);
    const char *name = v->string;
    while (*name == '!' || *name == '^' || *name == '~') {
        if (*name == '!')
            *invert = !*invert;
        name++;
    }
    int pin = sim_pin_lookup(name);
    if (pin < 0)
        die(v, "%s: unknown pin \"%s\" (use PA0-PL15, PA0-PD31, P0.0-P4.31 or gpio0-gpio29)",
            what, v->string);
    sim_pin_set_label(pin, name);
    return pin;
}

static void copy_name(char *dst, const char *src)
{
    snprintf(dst, 32, "%s", src);
}

// For the other machine sections (switches.c): the same field readers and errors.
void machine_die(const struct json *at, const char *fmt, const char *a, const char *b) { die(at, fmt, a, b); }
const char *machine_get_str(const struct json *obj, const char *key, const char *def, const char *what)
{
    return get_str(obj, key, def, what);
}
double machine_get_num(const struct json *obj, const char *key, const double *def, const char *what)
{
    return get_num(obj, key, def, what);
}
int machine_get_pin(const struct json *obj, const char *key, int required, int *invert, const char *what)
{
    return get_pin(obj, key, required, invert, what);
}

static void load_steppers(const struct json *list)
{
    for (const struct json *e = list ? list->child : 0; e; e = e->next) {
        if (sim_machine.stepper_count >= SIM_MAX_STEPPERS)
            die(e, "too many steppers (max %s)%s", "32", "");
        struct sim_stepper *s = &sim_machine.steppers[sim_machine.stepper_count++];
        memset(s, 0, sizeof(*s));
        const char *name = get_str(e, "name", 0, "stepper");
        copy_name(s->name, name);
        s->step_pin = get_pin(e, "step_pin", 1, &s->step_invert, name);
        s->dir_pin = get_pin(e, "dir_pin", 1, &s->dir_invert, name);
        s->enable_pin = get_pin(e, "enable_pin", 0, &s->enable_invert, name);
        s->steps_per_mm = get_num(e, "steps_per_mm", 0, name);
        if (!(s->steps_per_mm > 0))
            die(e, "%s: steps_per_mm must be above 0%s", name, "");
        snprintf(s->axis, sizeof(s->axis), "%s", get_str(e, "axis", "", name));
        double zero = 0;
        double pos_mm = get_num(e, "position_mm", &zero, name);
        s->position_steps = llround(pos_mm * s->steps_per_mm);
        s->mcu_oid = -1;
        if (step_of[s->step_pin])
            die(e, "%s: step_pin %s is used by another stepper", name,
                json_get(e, "step_pin")->string);
    }
    machine_stepper_count = sim_machine.stepper_count;
}

static int stepper_index(const char *name)
{
    for (int i = 0; i < sim_machine.stepper_count; i++)
        if (strcmp(sim_machine.steppers[i].name, name) == 0)
            return i;
    return -1;
}

int machine_stepper_index(const char *name) { return stepper_index(name); }
int machine_pin_is_endstop(int pin) { return endstop_of[pin] != 0; }

// "tilt": {"x_stepper", "y_stepper", "dz_dx", "dz_dy"}: a sloped bed under a probe switch.
static void load_endstop_tilt(struct sim_endstop *es, const struct json *t, const char *name)
{
    es->tilt_x_idx = es->tilt_y_idx = -1;
    if (!t)
        return;
    if (t->kind != JSON_OBJECT)
        die(t, "%s: \"tilt\" must be an object {x_stepper, y_stepper, dz_dx, dz_dy}%s", name, "");
    if (es->is_remote)
        die(t, "%s: \"tilt\" needs the steppers on this sim (not with positions_file)%s", name, "");
    const double zero = 0;
    es->tilt_x_idx = stepper_index(get_str(t, "x_stepper", 0, name));
    es->tilt_y_idx = stepper_index(get_str(t, "y_stepper", 0, name));
    if (es->tilt_x_idx < 0 || es->tilt_y_idx < 0)
        die(t, "%s: tilt x_stepper/y_stepper must name steppers of this machine%s", name, "");
    es->tilt_dz_dx = get_num(t, "dz_dx", &zero, name);
    es->tilt_dz_dy = get_num(t, "dz_dy", &zero, name);
}

static void load_endstops(const struct json *list)
{
    for (const struct json *e = list ? list->child : 0; e; e = e->next) {
        if (sim_machine.endstop_count >= SIM_MAX_ENDSTOPS)
            die(e, "too many endstops (max %s)%s", "16", "");
        struct sim_endstop *es = &sim_machine.endstops[sim_machine.endstop_count++];
        memset(es, 0, sizeof(*es));
        const char *name = get_str(e, "name", 0, "endstop");
        copy_name(es->name, name);
        int inv;
        es->pin = get_pin(e, "pin", 1, &inv, name);
        es->inverted = get_bool(e, "inverted", name) ^ inv;
        es->trigger_mm = get_num(e, "trigger_position_mm", 0, name);
        const char *side = get_str(e, "side", "min", name);
        if (strcmp(side, "min") && strcmp(side, "max"))
            die(e, "%s: side must be \"min\" or \"max\", not \"%s\"", name, side);
        es->side_max = strcmp(side, "max") == 0;
        const struct json *st = json_get(e, "steppers");
        if (!st || st->kind != JSON_ARRAY || !st->child)
            die(e, "%s: \"steppers\" must list the stepper names that move this axis%s", name, "");
        const char *remote = get_str(e, "positions_file", "", name);
        if (*remote) {
            // The axis is driven by another sim process: follow its published positions.
            es->is_remote = 1;
            if (strlen(remote) >= sizeof(es->remote.path))
                die(e, "%s: positions_file path is too long%s", name, "");
            snprintf(es->remote.path, sizeof(es->remote.path), "%s", remote);
        }
        for (const struct json *n = st->child; n; n = n->next) {
            if (n->kind != JSON_STRING)
                die(n, "%s: stepper names must be strings%s", name, "");
            if (es->is_remote) {
                if (es->stepper_count < 4) {
                    snprintf(es->remote_stepper[es->stepper_count], 32, "%s", n->string);
                    es->remote_idx[es->stepper_count++] = -1;
                }
                continue;
            }
            int idx = stepper_index(n->string);
            if (idx < 0)
                die(n, "%s: no stepper named \"%s\"", name, n->string);
            if (es->stepper_count < 4)
                es->stepper_idx[es->stepper_count++] = idx;
        }
        load_endstop_tilt(es, json_get(e, "tilt"), name);
        es->effector = effector_load(json_get(e, "delta"), json_get(e, "gantry"), name);
        if (es->effector >= 0 && es->is_remote)
            die(e, "%s: \"delta\"/\"gantry\" need the steppers on this sim (not with positions_file)%s", name, "");
        es->servo_pin = get_pin(e, "servo_pin", 0, &inv, name);
        es->servo_state = SIM_BLTOUCH_UP;
        es->last_triggered = -1;
    }
}

static void load_heaters(const struct json *list)
{
    for (const struct json *e = list ? list->child : 0; e; e = e->next) {
        if (sim_machine.heater_count >= SIM_MAX_HEATERS)
            die(e, "too many heaters (max %s)%s", "8", "");
        struct sim_heater *h = &sim_machine.heaters[sim_machine.heater_count++];
        memset(h, 0, sizeof(*h));
        const char *name = get_str(e, "name", 0, "heater");
        copy_name(h->name, name);
        int inv;
        h->pin = get_pin(e, "heater_pin", 1, &h->pin_invert, name);
        h->sensor_pin = get_pin(e, "sensor_pin", 1, &inv, name);
        const struct json *th = json_get(e, "thermistor");
        if (!th || th->kind != JSON_OBJECT)
            die(e, "%s: missing \"thermistor\" object%s", name, "");
        if (json_get(th, "beta")) {
            h->beta = get_num(th, "beta", 0, name);
            h->r0 = get_num(th, "r0_ohm", 0, name);
            double t0 = 25;
            h->t0_c = get_num(th, "t0_c", &t0, name);
        } else if (json_get(th, "a")) {
            h->use_steinhart = 1;
            h->sh_a = get_num(th, "a", 0, name);
            h->sh_b = get_num(th, "b", 0, name);
            h->sh_c = get_num(th, "c", 0, name);
        } else {
            die(th, "%s: thermistor needs beta/r0_ohm/t0_c or Steinhart-Hart a/b/c%s", name, "");
        }
        double pullup = 4700, amb = 25;
        h->pullup_ohm = get_num(e, "pullup_ohm", &pullup, name);
        h->power_w = get_num(e, "power_w", 0, name);
        h->heat_capacity_j_k = get_num(e, "heat_capacity_j_per_k", 0, name);
        h->loss_w_k = get_num(e, "loss_w_per_k", 0, name);
        h->ambient_c = get_num(e, "ambient_c", &amb, name);
        if (!(h->heat_capacity_j_k > 0) || !(h->loss_w_k > 0) || h->power_w < 0)
            die(e, "%s: heat_capacity_j_per_k and loss_w_per_k must be above 0, power_w >= 0%s",
                name, "");
        h->temp_c = get_num(e, "initial_c", &h->ambient_c, name);
    }
}

static void load_fans(const struct json *list)
{
    for (const struct json *e = list ? list->child : 0; e; e = e->next) {
        if (sim_machine.fan_count >= SIM_MAX_FANS)
            die(e, "too many fans (max %s)%s", "8", "");
        struct sim_fan *f = &sim_machine.fans[sim_machine.fan_count++];
        const char *name = get_str(e, "name", 0, "fan");
        copy_name(f->name, name);
        int inv;
        f->pin = get_pin(e, "pin", 1, &inv, name);
    }
}

static void index_pins(void)
{
    memset(step_of, 0, sizeof(step_of));
    memset(dir_of, 0, sizeof(dir_of));
    memset(enable_of, 0, sizeof(enable_of));
    memset(heater_of, 0, sizeof(heater_of));
    memset(sensor_of, 0, sizeof(sensor_of));
    memset(fan_of, 0, sizeof(fan_of));
    memset(endstop_of, 0, sizeof(endstop_of));
    memset(servo_of, 0, sizeof(servo_of));
    for (int i = 0; i < sim_machine.stepper_count; i++) {
        struct sim_stepper *s = &sim_machine.steppers[i];
        step_of[s->step_pin] = s;
        dir_of[s->dir_pin] = s;
        if (s->enable_pin >= 0)
            enable_of[s->enable_pin] = s;
    }
    for (int i = 0; i < sim_machine.endstop_count; i++) {
        endstop_of[sim_machine.endstops[i].pin] = &sim_machine.endstops[i];
        if (sim_machine.endstops[i].servo_pin >= 0)
            servo_of[sim_machine.endstops[i].servo_pin] = &sim_machine.endstops[i];
    }
    for (int i = 0; i < sim_machine.heater_count; i++) {
        heater_of[sim_machine.heaters[i].pin] = &sim_machine.heaters[i];
        sensor_of[sim_machine.heaters[i].sensor_pin] = &sim_machine.heaters[i];
    }
    for (int i = 0; i < sim_machine.fan_count; i++)
        fan_of[sim_machine.fans[i].pin] = &sim_machine.fans[i];
}

void machine_load(const char *path)
{
    machine_path = path;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: cannot open the machine file\n", path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc(n + 1);
    if (!text || fread(text, 1, n, f) != (size_t)n) {
        fprintf(stderr, "%s: cannot read the machine file\n", path);
        exit(2);
    }
    text[n] = 0;
    fclose(f);
    char err[200];
    struct json *root = json_parse(text, err, sizeof(err));
    if (!root) {
        fprintf(stderr, "%s: invalid JSON: %s\n", path, err);
        exit(2);
    }
    if (root->kind != JSON_OBJECT)
        die(root, "the machine file must hold one JSON object%s%s", "", "");
    static const char *known[] = { "steppers", "endstops", "heaters", "fans", "switches", "drivers", "leds", "displays", "accelerometers", "spi_sensors", "i2c_sensors", "comment", 0 };
    for (const struct json *m = root->child; m; m = m->next) {
        int ok = 0;
        for (int i = 0; known[i]; i++)
            ok |= strcmp(m->key, known[i]) == 0;
        if (!ok)
            die(m, "unknown section \"%s\" (known: steppers, endstops, heaters, fans, switches, drivers, leds, displays, accelerometers, spi_sensors, i2c_sensors)%s", m->key, "");
        if (strcmp(m->key, "comment") && m->kind != JSON_ARRAY)
            die(m, "\"%s\" must be an array%s", m->key, "");
    }
    load_steppers(json_get(root, "steppers"));
    index_pins();
    load_endstops(json_get(root, "endstops"));
    load_heaters(json_get(root, "heaters"));
    load_fans(json_get(root, "fans"));
    index_pins();
    switches_load(json_get(root, "switches"));
    tmc_load(json_get(root, "drivers"));
    accel_load(json_get(root, "accelerometers"));
    spi_temp_load(json_get(root, "spi_sensors"));
    leds_load(json_get(root, "leds"));
    displays_load(json_get(root, "displays"));
    i2c_env_load(json_get(root, "i2c_sensors"));  // after displays_load: it resets the I2C devices
    memcpy(initial_steppers, sim_machine.steppers, sizeof(initial_steppers));
    memcpy(initial_heaters, sim_machine.heaters, sizeof(initial_heaters));
    json_free(root);
    free(text);
}

// The MCU restarted: its pins float low and its steppers are unconfigured, but the machine
// keeps its physical state (axis positions, temperatures), as a real printer would.
void machine_mcu_reset(uint32_t clock)
{
    for (int i = 0; i < sim_machine.heater_count; i++) {
        heater_advance(&sim_machine.heaters[i], clock);
        sim_machine.heaters[i].duty = 0;
    }
    for (int i = 0; i < sim_machine.stepper_count; i++) {
        sim_machine.steppers[i].mcu_oid = -1;
        sim_machine.steppers[i].both_edges = 0;
    }
    memset(level_of, 0, sizeof(level_of));
}

// Back to the state of the file (at start): positions and temperatures included.
void machine_reset(void)
{
    sim_machine.stepper_count = machine_stepper_count;
    memcpy(sim_machine.steppers, initial_steppers, sizeof(initial_steppers));
    memcpy(sim_machine.heaters, initial_heaters, sizeof(initial_heaters));
    memset(level_of, 0, sizeof(level_of));
    index_pins();
    positions_update_all();
    switches_reset();
}

double machine_stepper_mm(const struct sim_stepper *s)
{
    return s->steps_per_mm > 0 ? (double)s->position_steps / s->steps_per_mm : 0;
}

struct sim_stepper *machine_stepper_for_step_pin(int pin)
{
    return pin >= 0 && pin < SIM_PIN_COUNT ? step_of[pin] : 0;
}

struct sim_stepper *machine_stepper_for_oid(int oid)
{
    for (int i = 0; i < sim_machine.stepper_count; i++)
        if (sim_machine.steppers[i].mcu_oid == oid)
            return &sim_machine.steppers[i];
    return 0;
}

// A config_stepper on pins the file does not describe still gets a (nameless) simulated axis.
void machine_stepper_config(int oid, int step_pin, int dir_pin, int invert_step)
{
    struct sim_stepper *s = step_of[step_pin];
    if (!s) {
        if (sim_machine.stepper_count >= SIM_MAX_STEPPERS)
            return;
        s = &sim_machine.steppers[sim_machine.stepper_count++];
        memset(s, 0, sizeof(*s));
        snprintf(s->name, sizeof(s->name), "oid%d", oid);
        s->step_pin = step_pin;
        s->dir_pin = dir_pin;
        s->enable_pin = -1;
        s->step_invert = invert_step > 0;
        step_of[step_pin] = s;
        dir_of[dir_pin] = s;
    }
    s->mcu_oid = oid;
    s->both_edges = invert_step < 0;
    positions_update_all();
}

// Heater temperature: exact solution of C dT/dt = P*duty - k (T - ambient) over [last, clock].
static void heater_advance(struct sim_heater *h, uint32_t clock)
{
    int32_t dt_ticks = (int32_t)(clock - h->last_clock);
    if (dt_ticks <= 0)
        return;
    double dt = (double)dt_ticks / SIM_CLOCK_FREQ;
    double t_inf = h->ambient_c + h->power_w * h->duty / h->loss_w_k;
    h->temp_c = t_inf + (h->temp_c - t_inf) * exp(-h->loss_w_k * dt / h->heat_capacity_j_k);
    h->last_clock = clock;
}

// A heater's temperature now, for sensor models elsewhere (spi_temp.c); -1 index: no such heater.
int machine_heater_index(const char *name)
{
    for (int i = 0; i < sim_machine.heater_count; i++)
        if (!strcmp(sim_machine.heaters[i].name, name))
            return i;
    return -1;
}

double machine_heater_temp(const char *name, uint32_t clock)
{
    int i = machine_heater_index(name);
    if (i < 0)
        return 0;
    heater_advance(&sim_machine.heaters[i], clock);
    return sim_machine.heaters[i].temp_c;
}

static double thermistor_ohm(const struct sim_heater *h, double temp_c)
{
    double t = temp_c + 273.15;
    if (!h->use_steinhart)
        return h->r0 * exp(h->beta * (1.0 / t - 1.0 / (h->t0_c + 273.15)));
    // Solve 1/T = a + b ln R + c (ln R)^3 for ln R by bisection (monotonic for real parts).
    double lo = -10, hi = 25, target = 1.0 / t;
    for (int i = 0; i < 80; i++) {
        double mid = (lo + hi) / 2;
        double v = h->sh_a + h->sh_b * mid + h->sh_c * mid * mid * mid;
        if (v > target)
            hi = mid;  // 1/T rises with ln R (an NTC: more resistance, colder)
        else
            lo = mid;
    }
    return exp((lo + hi) / 2);
}

// A BLTouch reads its servo wire's pulse width (us): pin_down 650, touch_mode 1162, pin_up
// 1475, reset 2190; other widths (self-test, output modes) leave the pin up.
static void bltouch_pulse(struct sim_endstop *es, uint32_t clock, int level)
{
    if (level) {
        es->servo_rise_clock = clock;
        return;
    }
    double us = (double)(uint32_t)(clock - es->servo_rise_clock) * 1e6 / SIM_CLOCK_FREQ;
    if (us > 550 && us < 800)
        es->servo_state = SIM_BLTOUCH_DOWN;
    else if (us > 1050 && us < 1300)
        es->servo_state = es->servo_state == SIM_BLTOUCH_DOWN ? SIM_BLTOUCH_DOWN : SIM_BLTOUCH_UP_TOUCH;
    else if (us > 1300 && us < 2500)
        es->servo_state = SIM_BLTOUCH_UP;
}

void machine_output_changed(int pin, uint32_t clock, int level, double duty, int is_pwm)
{
    tmc_output_changed(pin, clock, level);
    accel_output_changed(pin, clock, level);
    spi_temp_output_changed(pin, clock, level);
    leds_output_changed(pin, clock, level);
    lcd_output_changed(pin, clock, level);
    i2c_dev_output_changed(pin, clock, level);
    if (servo_of[pin] && !is_pwm && level != level_of[pin]) {
        level_of[pin] = (uint8_t)level;
        bltouch_pulse(servo_of[pin], clock, level);
        return;
    }
    struct sim_stepper *s = step_of[pin];
    if (s) {
        int old = level_of[pin];
        level_of[pin] = (uint8_t)level;
        int stepped = s->both_edges ? old != level : (level ^ s->step_invert) && old != level;
        if (!stepped)
            return;
        s->steps_total++;
        if (s->enable_pin >= 0 && !(level_of[s->enable_pin] ^ s->enable_invert)) {
            s->steps_disabled++;
            return;  // a disabled driver does not move the motor
        }
        accel_before_step(clock);  // the accelerometer samples up to here see the old position
        int dir = (level_of[s->dir_pin] ^ s->dir_invert) ? 1 : -1;
        if (tmc_step_blocked((int)(s - sim_machine.steppers), s->position_steps, dir, clock))
            return;  // against a driver's hard stop: the motor skips, the carriage stays
        s->position_steps += dir;
        positions_update(s);
        s->last_step_clock = clock;
        s->has_stepped = 1;
        return;
    }
    level_of[pin] = (uint8_t)level;
    struct sim_heater *h = heater_of[pin];
    if (h) {
        heater_advance(h, clock);
        h->duty = is_pwm ? duty : (level ^ h->pin_invert);
    }
    struct sim_fan *f = fan_of[pin];
    if (f && trace_file)
        fprintf(trace_file, "{\"ev\":\"fan\",\"name\":\"%s\",\"clock\":%u,\"value\":%.4f}\n",
                f->name, clock, is_pwm ? duty : (double)level);
}

int machine_input_read(int pin, uint32_t clock, int *level)
{
    if (tmc_input_read(pin, clock, level) || i2c_dev_input_read(pin, clock, level)
        || accel_input_read(pin, clock, level) || spi_temp_input_read(pin, clock, level))
        return 1;
    struct sim_endstop *es = endstop_of[pin];
    if (!es)
        return switches_input_read(pin, clock, level);
    int triggered = 0;
    double first_mm = 0;
    double trigger_mm = es->trigger_mm;
    if (es->tilt_x_idx >= 0)
        trigger_mm += es->tilt_dz_dx * machine_stepper_mm(&sim_machine.steppers[es->tilt_x_idx])
                      + es->tilt_dz_dy * machine_stepper_mm(&sim_machine.steppers[es->tilt_y_idx]);
    if (es->effector >= 0) {
        // The nozzle's real height (effector.c) against the trigger, not one stepper's position.
        first_mm = effector_height_mm(es->effector);
        triggered = es->side_max ? first_mm >= trigger_mm : first_mm <= trigger_mm;
    }
    for (int i = 0; es->effector < 0 && i < es->stepper_count; i++) {
        int known = 1;
        double mm = es->is_remote
            ? positions_remote_mm(&es->remote, es->remote_stepper[i], &es->remote_idx[i], &known)
            : machine_stepper_mm(&sim_machine.steppers[es->stepper_idx[i]]);
        if (i == 0)
            first_mm = mm;
        if (known)  // a stepper whose sim has not published yet: its switch reads open
            triggered |= es->side_max ? mm >= trigger_mm : mm <= trigger_mm;
    }
    if (es->servo_pin >= 0 && es->servo_state != SIM_BLTOUCH_DOWN)
        triggered = es->servo_state == SIM_BLTOUCH_UP_TOUCH;
    if (triggered != es->last_triggered) {
        es->last_triggered = triggered;
        if (trace_file)
            fprintf(trace_file, "{\"ev\":\"endstop\",\"name\":\"%s\",\"clock\":%u,\"triggered\":%s,"
                    "\"mm\":%.6f}\n", es->name, clock, triggered ? "true" : "false", first_mm);
    }
    *level = triggered ^ es->inverted;
    return 1;
}

int machine_adc_read(int pin, uint32_t clock, uint16_t *value)
{
    struct sim_heater *h = sensor_of[pin];
    if (!h)
        return 0;
    heater_advance(h, clock);
    double r = thermistor_ohm(h, h->temp_c);
    double v = SIM_ADC_MAX * r / (r + h->pullup_ohm);
    *value = (uint16_t)(v < 0 ? 0 : v > SIM_ADC_MAX ? SIM_ADC_MAX : lround(v));
    return 1;
}

// Once a second of MCU time: heater temperatures into the trace.
void machine_periodic(uint32_t clock)
{
    tmc_periodic(clock);
    for (int i = 0; i < sim_machine.endstop_count; i++)
        if (sim_machine.endstops[i].is_remote)
            positions_remote_refresh(&sim_machine.endstops[i].remote);
    for (int i = 0; i < sim_machine.heater_count; i++) {
        struct sim_heater *h = &sim_machine.heaters[i];
        heater_advance(h, clock);
        if (trace_file)
            fprintf(trace_file,
                    "{\"ev\":\"heater\",\"name\":\"%s\",\"clock\":%u,\"temp\":%.3f,\"duty\":%.4f}\n",
                    h->name, clock, h->temp_c, h->duty);
    }
}
