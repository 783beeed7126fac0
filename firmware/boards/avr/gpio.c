// AVR pins: digital in/out by the "pin" enumeration (port index * 8 + bit; port A = 0, B = 1 ...,
// as in boards/avr/consts.sh), the ADC and hardware PWM on timers 0, 2 (and 3-5 where present).
#include <avr/io.h>
#include <avr/pgmspace.h>
#include "command.h"
#include "sched.h"
#include "board/adc.h"
#include "board/gpio.h"
#include "board/irq.h"
#include "board/pwm.h"
#include "gen/dict.h"

DECL_CONSTANT("ADC_MAX", 1023);
DECL_CONSTANT("PWM_MAX", 255);

// The PINx register of each port A..L (0 where the chip has no such port).
#ifndef PINA
#define PINA 0
#define HAVE_NO_PORTA
#endif
static volatile uint8_t *const port_regs[] PROGMEM = {
#ifdef HAVE_NO_PORTA
    0,
#else
    &PINA,
#endif
    &PINB, &PINC, &PIND,
#ifdef PINE
    &PINE, &PINF, &PING, &PINH, 0, &PINJ, &PINK, &PINL,
#endif
};
#define PORT_COUNT (sizeof(port_regs) / sizeof(port_regs[0]))

static volatile uint8_t *pin_regs(uint32_t pin)
{
    if (pin / 8 >= PORT_COUNT)
        shutdown("Invalid pin number");
    volatile uint8_t *regs = (volatile uint8_t *)pgm_read_word(&port_regs[pin / 8]);
    if (!regs)
        shutdown("Invalid pin number");
    return regs;
}

struct gpio_out gpio_out_setup(uint32_t pin, uint32_t value)
{
    struct gpio_out g = { pin_regs(pin), (uint8_t)(1 << (pin % 8)) };
    gpio_out_reset(g, value);
    return g;
}

void gpio_out_reset(struct gpio_out g, uint32_t value)
{
    irqstatus_t flag = irq_save();
    if (value)
        g.regs[2] |= g.bit;
    else
        g.regs[2] &= ~g.bit;
    g.regs[1] |= g.bit;
    irq_restore(flag);
}

void gpio_out_write(struct gpio_out g, uint32_t value)
{
    irqstatus_t flag = irq_save();
    if (value)
        g.regs[2] |= g.bit;
    else
        g.regs[2] &= ~g.bit;
    irq_restore(flag);
}

struct gpio_in gpio_in_setup(uint32_t pin, int32_t pull_up)
{
    if (pull_up < 0)
        shutdown("Pulldown not supported");
    struct gpio_in g = { pin_regs(pin), (uint8_t)(1 << (pin % 8)) };
    gpio_in_reset(g, pull_up);
    return g;
}

void gpio_in_reset(struct gpio_in g, int32_t pull_up)
{
    irqstatus_t flag = irq_save();
    if (pull_up)
        g.regs[2] |= g.bit;
    else
        g.regs[2] &= ~g.bit;
    g.regs[1] &= ~g.bit;
    irq_restore(flag);
}

uint8_t gpio_in_read(struct gpio_in g)
{
    return !!(*g.regs & g.bit);
}

// ---- ADC: AVcc reference, clock F_CPU/128 (125 kHz at 16 MHz, 13 cycles a conversion) ----
#define PIN(port, bit) ((port) * 8 + (bit))
static const uint8_t adc_pins[] PROGMEM = {
#if defined(__AVR_ATmega2560__)
    PIN(5, 0), PIN(5, 1), PIN(5, 2), PIN(5, 3), PIN(5, 4), PIN(5, 5), PIN(5, 6), PIN(5, 7),
    PIN(10, 0), PIN(10, 1), PIN(10, 2), PIN(10, 3), PIN(10, 4), PIN(10, 5), PIN(10, 6), PIN(10, 7),
#elif defined(__AVR_ATmega328P__)
    PIN(2, 0), PIN(2, 1), PIN(2, 2), PIN(2, 3), PIN(2, 4), PIN(2, 5),
#else  // atmega644p / 1284p: port A
    PIN(0, 0), PIN(0, 1), PIN(0, 2), PIN(0, 3), PIN(0, 4), PIN(0, 5), PIN(0, 6), PIN(0, 7),
#endif
};
#define ADC_NONE 0xff
static uint8_t adc_busy_chan = ADC_NONE;  // the channel being converted

struct gpio_adc gpio_adc_setup(uint32_t pin)
{
    for (uint8_t chan = 0; chan < sizeof(adc_pins); chan++) {
        if (pgm_read_byte(&adc_pins[chan]) != pin)
            continue;
        // Digital input buffer off, no pull-up on an analog pin.
        struct gpio_in g = { pin_regs(pin), (uint8_t)(1 << (pin % 8)) };
        gpio_in_reset(g, 0);
#ifdef DIDR0
        if (chan < 8)
            DIDR0 |= 1 << chan;
#endif
#ifdef DIDR2
        else
            DIDR2 |= 1 << (chan - 8);
#endif
        ADCSRA = (1 << ADEN) | (1 << ADPS2) | (1 << ADPS1) | (1 << ADPS0);
        return (struct gpio_adc){ chan };
    }
    shutdown("Not a valid ADC pin");
}

uint32_t gpio_adc_sample(struct gpio_adc g)
{
    if (adc_busy_chan == ADC_NONE) {
        ADMUX = (1 << REFS0) | (g.chan & 7);
#ifdef MUX5
        if (g.chan & 8)
            ADCSRB |= 1 << MUX5;
        else
            ADCSRB &= ~(1 << MUX5);
#endif
        ADCSRA |= 1 << ADSC;
        adc_busy_chan = g.chan;
        return 13 * 128 + 128;  // one conversion
    }
    if (adc_busy_chan != g.chan)
        return 13 * 128;  // another pin's conversion: try again later
    if (ADCSRA & (1 << ADSC))
        return 128;
    return 0;
}

uint16_t gpio_adc_read(struct gpio_adc g)
{
    adc_busy_chan = ADC_NONE;
    return ADC;
}

void gpio_adc_cancel_sample(struct gpio_adc g)
{
    irqstatus_t flag = irq_save();
    if (adc_busy_chan == g.chan)
        adc_busy_chan = ADC_NONE;
    irq_restore(flag);
}

// ---- hardware PWM: fast PWM, 8 bits; the prescaler nearest to cycle_ticks / 256 ----
struct pwm_pin { uint8_t pin; uint8_t timer; uint8_t channel; };  // timer 0..5, channel A/B/C = 0..2
static const struct pwm_pin pwm_pins[] PROGMEM = {
#if defined(__AVR_ATmega2560__)
    { PIN(1, 7), 0, 0 }, { PIN(6, 5), 0, 1 }, { PIN(1, 4), 2, 0 }, { PIN(7, 6), 2, 1 },
    { PIN(4, 3), 3, 0 }, { PIN(4, 4), 3, 1 }, { PIN(4, 5), 3, 2 },
    { PIN(7, 3), 4, 0 }, { PIN(7, 4), 4, 1 }, { PIN(7, 5), 4, 2 },
    { PIN(11, 3), 5, 0 }, { PIN(11, 4), 5, 1 }, { PIN(11, 5), 5, 2 },
#elif defined(__AVR_ATmega328P__)
    { PIN(3, 6), 0, 0 }, { PIN(3, 5), 0, 1 }, { PIN(1, 3), 2, 0 }, { PIN(3, 3), 2, 1 },
#else  // atmega644p / 1284p
    { PIN(1, 3), 0, 0 }, { PIN(1, 4), 0, 1 }, { PIN(3, 7), 2, 0 }, { PIN(3, 6), 2, 1 },
#if defined(__AVR_ATmega1284P__)
    { PIN(1, 6), 3, 0 }, { PIN(1, 7), 3, 1 },
#endif
#endif
};

static uint8_t prescale_bits(uint32_t cycle_ticks, uint8_t timer)
{
    // Prescaler select values: timer 2 has extra steps (32, 128).
    static const uint16_t t2[] PROGMEM = { 1, 8, 32, 64, 128, 256, 1024 };
    static const uint16_t other[] PROGMEM = { 1, 8, 64, 256, 1024 };
    const uint16_t *p = timer == 2 ? t2 : other;
    uint8_t n = timer == 2 ? 7 : 5, i = 0;
    uint32_t want = cycle_ticks / 256;
    while (i + 1 < n && READP(p[i]) < want)
        i++;
    return i + 1;  // CSn2:0
}

static void pwm_write_ocr(struct gpio_pwm g, uint8_t value)
{
    if (g.is16)
        *(volatile uint16_t *)g.ocr = value;
    else
        *(volatile uint8_t *)g.ocr = value;
}

struct gpio_pwm gpio_pwm_setup(uint32_t pin, uint32_t cycle_ticks, uint32_t value)
{
    for (uint8_t i = 0; i < sizeof(pwm_pins) / sizeof(pwm_pins[0]); i++) {
        if (pgm_read_byte(&pwm_pins[i].pin) != pin)
            continue;
        uint8_t timer = pgm_read_byte(&pwm_pins[i].timer), ch = pgm_read_byte(&pwm_pins[i].channel);
        uint8_t cs = prescale_bits(cycle_ticks, timer);
        uint8_t com = 0x80 >> (ch * 2);  // COMnx1: clear on match (non-inverting)
        struct gpio_pwm g = { 0, 0 };
        irqstatus_t flag = irq_save();
        switch (timer) {
        case 0:
            TCCR0A = (TCCR0A & 0xf0) | (1 << WGM01) | (1 << WGM00);
            TCCR0A |= com;
            TCCR0B = cs;
            g.ocr = ch ? &OCR0B : &OCR0A;
            break;
        case 2:
            TCCR2A = (TCCR2A & 0xf0) | (1 << WGM21) | (1 << WGM20);
            TCCR2A |= com;
            TCCR2B = cs;
            g.ocr = ch ? &OCR2B : &OCR2A;
            break;
#ifdef TCCR3A
        case 3:  // 16-bit timers: fast PWM, 8-bit (WGM 5)
            TCCR3A = (TCCR3A & 0xfc) | (1 << WGM30) | com;
            TCCR3B = (1 << WGM32) | cs;
            g.ocr = ch == 0 ? (volatile void *)&OCR3A : ch == 1 ? (volatile void *)&OCR3B
#ifdef OCR3C
                                                                : (volatile void *)&OCR3C;
#else
                                                                : (volatile void *)&OCR3B;
#endif
            g.is16 = 1;
            break;
#endif
#ifdef TCCR4A
        case 4:
            TCCR4A = (TCCR4A & 0xfc) | (1 << WGM40) | com;
            TCCR4B = (1 << WGM42) | cs;
            g.ocr = ch == 0 ? (volatile void *)&OCR4A : ch == 1 ? (volatile void *)&OCR4B : (volatile void *)&OCR4C;
            g.is16 = 1;
            break;
        case 5:
            TCCR5A = (TCCR5A & 0xfc) | (1 << WGM50) | com;
            TCCR5B = (1 << WGM52) | cs;
            g.ocr = ch == 0 ? (volatile void *)&OCR5A : ch == 1 ? (volatile void *)&OCR5B : (volatile void *)&OCR5C;
            g.is16 = 1;
            break;
#endif
        }
        pwm_write_ocr(g, (uint8_t)(value > 255 ? 255 : value));
        irq_restore(flag);
        struct gpio_out o = gpio_out_setup(pin, 0);  // output driver on; the timer owns the level
        (void)o;
        return g;
    }
    shutdown("Not a valid PWM pin");
}

void gpio_pwm_write(struct gpio_pwm g, uint32_t value)
{
    pwm_write_ocr(g, (uint8_t)(value > 255 ? 255 : value));
}
