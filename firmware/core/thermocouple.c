// SPI temperature chips (MAX31855, MAX31856, MAX31865, MAX6675) on an SPI device (config_spi):
// a timer marks a read every rest_ticks, the task reads the chip and reports the raw value and
// its fault bits (thermocouple_result). The MCU checks the reading itself: a fault, or a
// temperature outside [min_value, max_value] (raw units, signed), max_invalid_count times in a
// row shuts down ("Thermocouple reader fault"), so a broken sensor stops the heater even when
// the host hangs. What `value` and `fault` hold per chip (register maps from the datasheets):
//   MAX31855: value = the 32-bit frame; fault = frame bits 0..2 (OC, SCG, SCV), 0x80 for bit 16
//             alone. Checked temperature: frame bits 31..18, signed, 0.25 C.
//   MAX31856: value = LTCB (registers 0x0C..0x0E, 24 bits); fault = SR (0x0F).
//             Checked temperature: LTCB bits 23..5, signed, 1/128 C.
//   MAX31865: value = RTD (registers 0x01..0x02, 16 bits); fault = the fault status register
//             (0x07) when RTD bit 0 says there is one. Checked: RTD bits 15..1 (ADC code).
//   MAX6675:  value = the 16-bit frame; fault = frame bit 2 (thermocouple open).
//             Checked temperature: frame bits 14..3, 0.25 C.
// Left out of the atmega328p build with the SPI commands it needs (Makefile).
#include "basecmd.h"
#include "command.h"
#include "sched.h"
#include "spicmds.h"
#include "board/timer.h"
#include "gen/dict.h"


enum { TC_MAX31855, TC_MAX31856, TC_MAX31865, TC_MAX6675 };
DECL_ENUMERATION("thermocouple_type", "MAX31855", 0);
DECL_ENUMERATION("thermocouple_type", "MAX31856", 1);
DECL_ENUMERATION("thermocouple_type", "MAX31865", 2);
DECL_ENUMERATION("thermocouple_type", "MAX6675", 3);

struct thermocouple {
    struct timer timer;
    struct spidev *spi;
    uint32_t rest_ticks, next_clock;
    int32_t min_value, max_value;
    uint8_t oid, chip_type, invalid_count, max_invalid_count, pending;
};

static uint8_t thermocouple_wake;

DECL_RESPONSE("thermocouple_result oid=%c next_clock=%u value=%u fault=%c");

static uint_fast8_t thermocouple_event(struct timer *t)
{
    struct thermocouple *tc = container_of(t, struct thermocouple, timer);
    tc->pending = 1;
    thermocouple_wake = 1;
    sched_wake_tasks();
    t->waketime += tc->rest_ticks;
    tc->next_clock = t->waketime;
    return SF_RESCHEDULE;
}

void command_config_thermocouple(const uint32_t *args)
{
    // The bus and the chip type first: nothing half-made is left behind a shutdown.
    struct spidev *spi = spidev_oid_lookup((uint8_t)args[1]);
    if (args[2] > TC_MAX6675)
        shutdown("Invalid thermocouple chip type");
    struct thermocouple *tc = oid_alloc((uint8_t)args[0], OID_THERMOCOUPLE, sizeof(*tc));
    tc->oid = (uint8_t)args[0];
    tc->spi = spi;
    tc->chip_type = (uint8_t)args[2];
    tc->timer.func = thermocouple_event;
}
DECL_COMMAND(command_config_thermocouple, "config_thermocouple oid=%c spi_oid=%c thermocouple_type=%c");

void command_query_thermocouple(const uint32_t *args)
{
    struct thermocouple *tc = oid_lookup((uint8_t)args[0], OID_THERMOCOUPLE);
    sched_del_timer(&tc->timer);
    tc->pending = 0;
    tc->invalid_count = 0;
    tc->rest_ticks = args[2];
    if (!tc->rest_ticks)
        return;  // rest_ticks 0 stops reading
    tc->min_value = (int32_t)args[3];
    tc->max_value = (int32_t)args[4];
    tc->max_invalid_count = (uint8_t)args[5];
    tc->timer.waketime = args[1];
    tc->next_clock = args[1];
    sched_add_timer(&tc->timer);
}
DECL_COMMAND(command_query_thermocouple,
             "query_thermocouple oid=%c clock=%u rest_ticks=%u min_value=%u max_value=%u"
             " max_invalid_count=%c");

// Reads `len` bytes of registers from `reg` on (read: address bit 7 clear).
static uint32_t read_registers(struct thermocouple *tc, uint8_t reg, uint8_t len)
{
    uint8_t msg[4] = { reg, 0, 0, 0 };
    spidev_transfer(tc->spi, 1, (uint8_t)(len + 1), msg);
    uint32_t v = 0;
    for (uint8_t i = 1; i <= len; i++)
        v = (v << 8) | msg[i];
    return v;
}

// A frame clocked out with nothing sent (MAX31855 / MAX6675 are read-only).
static uint32_t read_frame(struct thermocouple *tc, uint8_t len)
{
    uint8_t msg[4] = { 0, 0, 0, 0 };
    spidev_transfer(tc->spi, 1, len, msg);
    uint32_t v = 0;
    for (uint8_t i = 0; i < len; i++)
        v = (v << 8) | msg[i];
    return v;
}

// Sign-extends the `bits`-bit field of v that starts at bit `shift`.
static int32_t signed_field(uint32_t v, uint8_t shift, uint8_t bits)
{
    int32_t x = (int32_t)((v >> shift) & ((1ul << bits) - 1));
    if (x & (1l << (bits - 1)))
        x -= (int32_t)(1l << bits);
    return x;
}

static void thermocouple_read(struct thermocouple *tc)
{
    uint32_t value;
    int32_t checked;
    uint8_t fault;
    switch (tc->chip_type) {
    case TC_MAX31855:
        value = read_frame(tc, 4);
        fault = (uint8_t)(value & 0x07);
        if (!fault && (value & 0x10000))
            fault = 0x80;
        checked = signed_field(value, 18, 14);
        break;
    case TC_MAX31856:
        value = read_registers(tc, 0x0c, 3);
        fault = (uint8_t)read_registers(tc, 0x0f, 1);
        checked = signed_field(value, 5, 19);
        break;
    case TC_MAX31865:
        value = read_registers(tc, 0x01, 2);
        fault = (value & 1) ? (uint8_t)read_registers(tc, 0x07, 1) : 0;
        if ((value & 1) && !fault)
            fault = 0x01;  // the RTD register says fault but the status is already clear
        checked = (int32_t)(value >> 1);
        break;
    default:  // TC_MAX6675
        value = read_frame(tc, 2);
        fault = (uint8_t)(value & 0x04);
        checked = (int32_t)((value >> 3) & 0x0fff);
        break;
    }
    send_thermocouple_result(tc->oid, tc->next_clock, value, fault);
    if (!fault && checked >= tc->min_value && checked <= tc->max_value)
        tc->invalid_count = 0;
    else if (++tc->invalid_count >= tc->max_invalid_count)
        shutdown("Thermocouple reader fault");
}

DECL_TASK(thermocouple_task);
void thermocouple_task(void)
{
    if (!thermocouple_wake)
        return;
    thermocouple_wake = 0;
    int16_t oid = -1;
    struct thermocouple *tc;
    while ((tc = oid_next(&oid, OID_THERMOCOUPLE))) {
        if (!tc->pending)
            continue;
        tc->pending = 0;
        thermocouple_read(tc);
    }
}

DECL_SHUTDOWN(thermocouple_shutdown);
void thermocouple_shutdown(void)
{
    int16_t oid = -1;
    struct thermocouple *tc;
    while ((tc = oid_next(&oid, OID_THERMOCOUPLE)))
        tc->pending = 0;
}
