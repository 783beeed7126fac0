// Simulated switches (the machine file's "switches" section): a filament switch that reads
// "filament present" until its extruder stepper has pushed runout_after_mm of filament, and a
// button pressed on a schedule counted from the first time the MCU reads its pin.
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "sim.h"
#include "json.h"

#define SIM_MAX_SWITCHES 8
#define SIM_MAX_PRESSES 8

struct sim_switch {
    char name[64];  // section names such as "filament_switch_sensor runout"
    int pin, inverted;
    // Filament switch: on while the stepper is less than runout_mm past its start position.
    // A motion sensor (toggle_mm > 0) instead flips every toggle_mm of filament until runout_mm.
    int stepper_idx;  // -1 = a button
    double runout_mm, start_mm, toggle_mm;
    // Button: on during [at, at + hold) seconds after the first read of the pin.
    double press_at_s[SIM_MAX_PRESSES], press_hold_s[SIM_MAX_PRESSES];
    int press_count;
    int started;
    uint32_t last_clock;
    uint64_t elapsed_ticks;
    int last_on;
};
static struct sim_switch switches[SIM_MAX_SWITCHES];
static int switch_count;
static struct sim_switch *switch_of[SIM_PIN_COUNT];

void switches_load(const struct json *list)
{
    switch_count = 0;
    memset(switch_of, 0, sizeof(switch_of));
    for (const struct json *e = list ? list->child : 0; e; e = e->next) {
        if (switch_count >= SIM_MAX_SWITCHES)
            machine_die(e, "too many switches (max %s)%s", "8", "");
        struct sim_switch *sw = &switches[switch_count++];
        memset(sw, 0, sizeof(*sw));
        const char *name = machine_get_str(e, "name", 0, "switch");
        snprintf(sw->name, sizeof(sw->name), "%s", name);
        sw->pin = machine_get_pin(e, "pin", 1, &sw->inverted, name);
        if (switch_of[sw->pin] || machine_pin_is_endstop(sw->pin))
            machine_die(e, "%s: pin %s is used by another switch or endstop", name,
                        json_get(e, "pin")->string);
        switch_of[sw->pin] = sw;
        sw->stepper_idx = -1;
        sw->last_on = -1;
        const char *stepper = machine_get_str(e, "filament_stepper", "", name);
        const struct json *presses = json_get(e, "presses");
        if (*stepper && presses)
            machine_die(e, "%s: a switch has \"filament_stepper\" or \"presses\", not both%s", name, "");
        if (*stepper) {
            sw->stepper_idx = machine_stepper_index(stepper);
            if (sw->stepper_idx < 0)
                machine_die(e, "%s: no stepper named \"%s\"", name, stepper);
            sw->runout_mm = machine_get_num(e, "runout_after_mm", 0, name);
            if (!(sw->runout_mm >= 0))
                machine_die(e, "%s: runout_after_mm must be 0 or more%s", name, "");
            double no_toggle = 0;
            sw->toggle_mm = machine_get_num(e, "toggle_every_mm", &no_toggle, name);
            if (!(sw->toggle_mm >= 0))
                machine_die(e, "%s: toggle_every_mm must be 0 or more%s", name, "");
            sw->start_mm = machine_stepper_mm(&sim_machine.steppers[sw->stepper_idx]);
            continue;
        }
        if (!presses)
            continue;  // a switch that never changes (reads off)
        if (presses->kind != JSON_ARRAY)
            machine_die(presses, "%s: \"presses\" must be an array of {\"at_s\", \"hold_s\"}%s", name, "");
        for (const struct json *p = presses->child; p; p = p->next) {
            if (sw->press_count >= SIM_MAX_PRESSES)
                machine_die(p, "%s: too many presses (max %s)", name, "8");
            double hold = 0.2;
            double at = machine_get_num(p, "at_s", 0, name);
            hold = machine_get_num(p, "hold_s", &hold, name);
            if (!(at >= 0) || !(hold > 0))
                machine_die(p, "%s: a press needs at_s >= 0 and hold_s > 0%s", name, "");
            sw->press_at_s[sw->press_count] = at;
            sw->press_hold_s[sw->press_count++] = hold;
        }
    }
}

// Back to the file's state: the filament is full again, the press schedule starts over.
void switches_reset(void)
{
    for (int i = 0; i < switch_count; i++) {
        struct sim_switch *sw = &switches[i];
        sw->started = 0;
        sw->elapsed_ticks = 0;
        sw->last_on = -1;
        if (sw->stepper_idx >= 0)
            sw->start_mm = machine_stepper_mm(&sim_machine.steppers[sw->stepper_idx]);
    }
}

int switches_input_read(int pin, uint32_t clock, int *level)
{
    struct sim_switch *sw = pin >= 0 && pin < SIM_PIN_COUNT ? switch_of[pin] : 0;
    if (!sw)
        return 0;
    // Time since the first read, on the wrapping 32-bit clock (the MCU polls far more often
    // than it wraps).
    if (!sw->started) {
        sw->started = 1;
        sw->last_clock = clock;
    }
    int32_t dt = (int32_t)(clock - sw->last_clock);
    if (dt > 0) {
        sw->elapsed_ticks += (uint32_t)dt;
        sw->last_clock = clock;
    }
    double mm = 0;
    int on = 0;
    if (sw->stepper_idx >= 0) {
        mm = machine_stepper_mm(&sim_machine.steppers[sw->stepper_idx]) - sw->start_mm;
        if (sw->toggle_mm > 0)  // the wheel stops turning once the filament has run out
            on = (long long)floor((mm < sw->runout_mm ? mm : sw->runout_mm) / sw->toggle_mm) & 1;
        else
            on = mm < sw->runout_mm;
    } else {
        double t = (double)sw->elapsed_ticks / SIM_CLOCK_FREQ;
        for (int i = 0; i < sw->press_count; i++)
            on |= t >= sw->press_at_s[i] && t < sw->press_at_s[i] + sw->press_hold_s[i];
    }
    if (on != sw->last_on) {
        sw->last_on = on;
        if (trace_file)
            fprintf(trace_file, "{\"ev\":\"switch\",\"name\":\"%s\",\"clock\":%u,\"on\":%s,\"mm\":%.4f}\n",
                    sw->name, clock, on ? "true" : "false", mm);
    }
    *level = on ^ sw->inverted;
    return 1;
}
