// The trace file (JSON Lines, README.md) and the core's observation hooks.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim.h"
#include "command.h"
#include "sched.h"
#include "board/misc.h"
#include "board/timer.h"

FILE *trace_file;
static char *trace_buffer;

void trace_open(const char *path)
{
    trace_file = fopen(path, "w");
    if (!trace_file) {
        fprintf(stderr, "%s: cannot create the trace file\n", path);
        exit(2);
    }
    trace_buffer = malloc(1 << 20);
    setvbuf(trace_file, trace_buffer, _IOFBF, 1 << 20);
}

void trace_flush(void)
{
    if (trace_file)
        fflush(trace_file);
}

void trace_positions(const char *why, uint32_t clock)
{
    if (!trace_file)
        return;
    fprintf(trace_file, "{\"ev\":\"positions\",\"why\":\"%s\",\"clock\":%u,\"steppers\":[", why, clock);
    for (int i = 0; i < sim_machine.stepper_count; i++) {
        const struct sim_stepper *s = &sim_machine.steppers[i];
        fprintf(trace_file, "%s{\"name\":\"%s\",\"pos\":%lld,\"mm\":%.6f,\"steps\":%lld,",
                i ? "," : "", s->name, (long long)s->position_steps, machine_stepper_mm(s),
                (long long)s->steps_total);
        if (s->has_stepped)
            fprintf(trace_file, "\"last_step_clock\":%u}", s->last_step_clock);
        else
            fputs("\"last_step_clock\":null}", trace_file);
    }
    fputs("]}\n", trace_file);
}

void trace_close(void)
{
    if (!trace_file)
        return;
    fclose(trace_file);
    trace_file = 0;
    free(trace_buffer);
}

// {"ev":"cmd","clock":C,"name":"queue_step","args":{"oid":0,...}} from the format string.
void observe_command(const struct command_parser *cp, const uint32_t *args)
{
    if (!trace_file || !cp->format)
        return;
    const char *f = cp->format;
    const char *sp = strchr(f, ' ');
    int namelen = sp ? (int)(sp - f) : (int)strlen(f);
    fprintf(trace_file, "{\"ev\":\"cmd\",\"clock\":%u,\"name\":\"%.*s\",\"args\":{",
            timer_read_time(), namelen, f);
    int ai = 0, first = 1;
    while (sp) {
        const char *p = sp + 1;
        const char *eq = strchr(p, '=');
        sp = strchr(p, ' ');
        if (!eq)
            break;
        const char *type = eq + 1;
        fprintf(trace_file, "%s\"%.*s\":", first ? "" : ",", (int)(eq - p), p);
        first = 0;
        if (strncmp(type, "%*s", 3) == 0 || strncmp(type, "%.*s", 4) == 0
            || strncmp(type, "%s", 2) == 0) {
            uint32_t len = args[ai++];
            const uint8_t *b = command_arg_bytes(args[ai++]);
            fputc('"', trace_file);
            for (uint32_t i = 0; i < len; i++)
                fprintf(trace_file, "%02x", b[i]);
            fputc('"', trace_file);
        } else if (strncmp(type, "%i", 2) == 0 || strncmp(type, "%hi", 3) == 0) {
            fprintf(trace_file, "%d", (int32_t)args[ai++]);
        } else {
            fprintf(trace_file, "%u", args[ai++]);
        }
    }
    fputs("}}\n", trace_file);
    // Where the carriages really are when the host asks the MCU (after homing, GET_POSITION).
    if (strncmp(f, "stepper_get_position ", 21) == 0)
        trace_positions("stepper_get_position", timer_read_time());
}

void pins_mark_step(int pin);

void observe_stepper_config(uint8_t oid, uint8_t step_pin, uint8_t dir_pin, int8_t invert_step)
{
    pins_mark_step(step_pin);
    machine_stepper_config(oid, step_pin, dir_pin, invert_step);
}

void observe_stepper_move_done(uint8_t oid, uint32_t clock, int32_t position)
{
    if (!trace_file)
        return;
    struct sim_stepper *s = machine_stepper_for_oid(oid);
    if (!s)
        return;
    fprintf(trace_file,
            "{\"ev\":\"stepper\",\"name\":\"%s\",\"oid\":%u,\"clock\":%u,\"pos\":%lld,"
            "\"mm\":%.6f,\"steps\":%lld,\"mcu_pos\":%d}\n",
            s->name, oid, clock, (long long)s->position_steps, machine_stepper_mm(s),
            (long long)s->steps_total, position);
}

DECL_SHUTDOWN(trace_shutdown);
void trace_shutdown(void)
{
    if (!trace_file)
        return;
    uint16_t reason = sched_shutdown_reason();
    uint32_t now = timer_read_time();
    fprintf(trace_file, "{\"ev\":\"shutdown\",\"clock\":%u,\"reason\":\"%s\"}\n",
            now, reason < static_strings_count && static_strings[reason]
            ? static_strings[reason] : "?");
    // Where every motor stopped (with its last step's clock): the M112 stop time is measured here.
    trace_positions("shutdown", now);
    fflush(trace_file);
}
