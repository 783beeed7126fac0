// Analog inputs: sample groups on a timer, range checks that shut down (a thermistor that reads
// out of range means a broken sensor or a runaway heater), reports in batches.
#include <stddef.h>
#include <string.h>
#include "basecmd.h"
#include "command.h"
#include "sched.h"
#include "board/adc.h"
#include "gen/dict.h"

#define ADC_REPORT_MAX 16

struct analog_in {
    struct timer timer;
    struct gpio_adc pin;
    uint32_t rest_ticks, sample_ticks, group_start, next_group;
    uint32_t sum, report_clock;
    uint16_t min_value, max_value;
    uint8_t oid, sample_count, samples_done, invalid_count, range_check_count;
    uint8_t bytes_per_report, data_len, report_pending;
    uint8_t data[ADC_REPORT_MAX], report[ADC_REPORT_MAX];
};
static uint8_t analog_wake;

DECL_RESPONSE("analog_in_state oid=%c next_clock=%u values=%*s");

static uint_fast8_t analog_in_event(struct timer *t)
{
    struct analog_in *a = container_of(t, struct analog_in, timer);
    if (a->samples_done == 0) {
        a->group_start = t->waketime;
        a->sum = 0;
    }
    uint32_t wait = gpio_adc_sample(a->pin);
    if (wait) {
        t->waketime += wait;
        return SF_RESCHEDULE;
    }
    a->sum += gpio_adc_read(a->pin);
    if (++a->samples_done < a->sample_count) {
        t->waketime += a->sample_ticks;
        return SF_RESCHEDULE;
    }
    a->samples_done = 0;
    a->next_group = a->group_start + a->rest_ticks;
    if (a->sum >= a->min_value && a->sum <= a->max_value) {
        a->invalid_count = 0;
    } else if (++a->invalid_count >= a->range_check_count) {
        shutdown("ADC out of range");
    }
    if (a->bytes_per_report) {
        a->data[a->data_len++] = (uint8_t)(a->sum & 0xff);
        a->data[a->data_len++] = (uint8_t)(a->sum >> 8);
        if (a->data_len >= a->bytes_per_report) {
            memcpy(a->report, a->data, a->data_len);
            a->data_len = 0;
            a->report_clock = a->next_group;
            a->report_pending = 1;
            analog_wake = 1;
            sched_wake_tasks();
        }
    }
    t->waketime = a->next_group;
    return SF_RESCHEDULE;
}

void command_config_analog_in(const uint32_t *args)
{
    struct analog_in *a = oid_alloc((uint8_t)args[0], OID_ANALOG_IN, sizeof(*a));
    a->oid = (uint8_t)args[0];
    a->pin = gpio_adc_setup(args[1]);
    a->timer.func = analog_in_event;
}
DECL_COMMAND(command_config_analog_in, "config_analog_in oid=%c pin=%u");

void command_query_analog_in(const uint32_t *args)
{
    struct analog_in *a = oid_lookup((uint8_t)args[0], OID_ANALOG_IN);
    sched_del_timer(&a->timer);
    gpio_adc_cancel_sample(a->pin);
    a->samples_done = 0;
    a->data_len = 0;
    a->invalid_count = 0;
    a->sample_count = (uint8_t)args[3];
    if (!a->sample_count)
        return;  // sample_count 0 stops sampling
    uint8_t bytes = (uint8_t)args[5];
    if (bytes > ADC_REPORT_MAX || (bytes & 1))
        shutdown("Invalid analog_in bytes_per_report");
    if (!args[4])
        shutdown("Invalid rest_ticks");  // would sample forever at one instant
    a->timer.waketime = args[1];
    a->sample_ticks = args[2];
    a->rest_ticks = args[4];
    a->bytes_per_report = bytes;
    a->min_value = (uint16_t)args[6];
    a->max_value = (uint16_t)args[7];
    a->range_check_count = (uint8_t)args[8];
    sched_add_timer(&a->timer);
}
DECL_COMMAND(command_query_analog_in,
             "query_analog_in oid=%c clock=%u sample_ticks=%u sample_count=%c rest_ticks=%u"
             " bytes_per_report=%c min_value=%hu max_value=%hu range_check_count=%c");

DECL_TASK(analog_in_task);
void analog_in_task(void)
{
    if (!analog_wake)
        return;
    analog_wake = 0;
    int16_t oid = -1;
    struct analog_in *a;
    while ((a = oid_next(&oid, OID_ANALOG_IN))) {
        if (!a->report_pending)
            continue;
        a->report_pending = 0;
        send_analog_in_state(a->oid, a->report_clock, a->bytes_per_report, a->report);
    }
}
