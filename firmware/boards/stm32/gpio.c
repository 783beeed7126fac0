// STM32 pins: the "pin" enumeration is port * 16 + bit (PA0 = 0, PB0 = 16, ...), as in Klipper's
// dictionaries for these chips. Digital in/out and the ADC on F1 (CRL/CRH) and F4 (MODER) GPIO.
// Hardware PWM on TIM2-TIM4 channels at their default pins.
#include "regs.h"
#include "command.h"
#include "sched.h"
#include "board/adc.h"
#include "board/gpio.h"
#include "board/irq.h"
#include "board/pwm.h"
#include "gen/dict.h"

DECL_CONSTANT("PWM_MAX", 255);

#if defined(STM32F4)
#define PORT_COUNT 8  // A..H
#else
#define PORT_COUNT 7  // A..G
#endif

// GPIO register offsets (words)
#if defined(STM32F1)
enum { CRL = 0, CRH = 1, IDR = 2, ODR = 3, BSRR = 4 };
#else
enum { MODER = 0, OTYPER = 1, OSPEEDR = 2, PUPDR = 3, IDR = 4, ODR = 5, BSRR = 6, AFRL = 8, AFRH = 9 };
#endif

static volatile uint32_t *port_regs(uint32_t pin)
{
    if (pin / 16 >= PORT_COUNT)
        shutdown("Invalid pin number");
#if defined(STM32F1)
    RCC_APB2ENR |= 1u << (2 + pin / 16);
#else
    RCC_AHB1ENR |= 1u << (pin / 16);
#endif
    return (volatile uint32_t *)GPIO_BASE(pin / 16);
}

// Pin modes: F1 as the 4-bit CNF:MODE field, F4 as MODER plus pull.
enum { MODE_IN, MODE_OUT, MODE_ANALOG, MODE_ALT };
static void set_mode(volatile uint32_t *p, uint32_t bit, int mode, int pull_up)
{
    uint32_t n = 31 - __builtin_clz(bit);
    irqstatus_t flag = irq_save();
#if defined(STM32F1)
    // 0x4 floating input, 0x8 input with pull (ODR picks up/down), 0x2 output 2 MHz push-pull,
    // 0x0 analog, 0xb alternate push-pull 50 MHz.
    uint32_t cfg = mode == MODE_OUT ? 0x2 : mode == MODE_ANALOG ? 0x0 : mode == MODE_ALT ? 0xb
                   : pull_up ? 0x8 : 0x4;
    volatile uint32_t *cr = &p[n < 8 ? CRL : CRH];
    uint32_t shift = (n % 8) * 4;
    *cr = (*cr & ~(0xfu << shift)) | (cfg << shift);
    if (mode == MODE_IN && pull_up)
        p[BSRR] = bit;
#else
    uint32_t moder = mode == MODE_OUT ? 1 : mode == MODE_ANALOG ? 3 : mode == MODE_ALT ? 2 : 0;
    p[MODER] = (p[MODER] & ~(3u << (n * 2))) | (moder << (n * 2));
    p[PUPDR] = (p[PUPDR] & ~(3u << (n * 2))) | ((pull_up > 0 ? 1u : 0u) << (n * 2));
    p[OSPEEDR] |= 2u << (n * 2);
#endif
    irq_restore(flag);
}

void stm32_gpio_alt_uart(void)
{
    volatile uint32_t *pa = port_regs(0);
#if defined(STM32F1)
    set_mode(pa, 1u << 9, MODE_ALT, 0);
    set_mode(pa, 1u << 10, MODE_IN, 1);
#else
    pa[AFRH] = (pa[AFRH] & ~0xff0u) | (7u << 4) | (7u << 8);  // AF7 = USART1 on PA9, PA10
    set_mode(pa, 1u << 9, MODE_ALT, 0);
    set_mode(pa, 1u << 10, MODE_ALT, 1);
#endif
}

// A pin to an alternate function (spi.c): F4 selects AF number af; F1 has a fixed mapping, so
// outputs become alternate push-pull and inputs floating.
void stm32_gpio_alt(uint32_t pin, uint32_t af, int is_input)
{
    volatile uint32_t *port = port_regs(pin);
    uint32_t n = pin % 16;
#if defined(STM32F4)
    volatile uint32_t *afr = &port[n < 8 ? AFRL : AFRH];
    *afr = (*afr & ~(0xfu << ((n % 8) * 4))) | (af << ((n % 8) * 4));
    (void)is_input;
    set_mode(port, 1u << n, MODE_ALT, 0);
#else
    (void)af;
    set_mode(port, 1u << n, is_input ? MODE_IN : MODE_ALT, 0);
#endif
}

struct gpio_out gpio_out_setup(uint32_t pin, uint32_t value)
{
    struct gpio_out g = { port_regs(pin), 1u << (pin % 16) };
    gpio_out_reset(g, value);
    return g;
}

void gpio_out_reset(struct gpio_out g, uint32_t value)
{
    gpio_out_write(g, value);
    set_mode(g.port, g.bit, MODE_OUT, 0);
}

void gpio_out_write(struct gpio_out g, uint32_t value)
{
    g.port[BSRR] = value ? g.bit : g.bit << 16;  // atomic set / reset
}

void gpio_out_toggle_noirq(struct gpio_out g)
{
    g.port[BSRR] = (g.port[ODR] & g.bit) ? g.bit << 16 : g.bit;
}

void gpio_out_toggle(struct gpio_out g)
{
    irqstatus_t flag = irq_save();
    gpio_out_toggle_noirq(g);
    irq_restore(flag);
}

struct gpio_in gpio_in_setup(uint32_t pin, int32_t pull_up)
{
    struct gpio_in g = { port_regs(pin), 1u << (pin % 16) };
    gpio_in_reset(g, pull_up);
    return g;
}

void gpio_in_reset(struct gpio_in g, int32_t pull_up)
{
#if defined(STM32F1)
    if (pull_up < 0)
        g.port[BSRR] = g.bit << 16;  // pull-down: ODR bit 0
#endif
    set_mode(g.port, g.bit, MODE_IN, pull_up);
#if defined(STM32F4)
    if (pull_up < 0) {
        uint32_t n = 31 - __builtin_clz(g.bit);
        g.port[PUPDR] = (g.port[PUPDR] & ~(3u << (n * 2))) | (2u << (n * 2));
    }
#endif
}

uint8_t gpio_in_read(struct gpio_in g)
{
    return !!(g.port[IDR] & g.bit);
}

// ---- ADC1: PA0-PA7 = channels 0-7, PB0-PB1 = 8-9, PC0-PC5 = 10-15; one conversion at a time ----
#define ADC_NONE 0xff
static uint8_t adc_busy_chan = ADC_NONE;

struct gpio_adc gpio_adc_setup(uint32_t pin)
{
    int chan = pin < 8 ? (int)pin : (pin == 16 || pin == 17) ? (int)pin - 8
               : (pin >= 32 && pin < 38) ? (int)pin - 22 : -1;
    if (chan < 0)
        shutdown("Not a valid ADC pin");
    set_mode(port_regs(pin), 1u << (pin % 16), MODE_ANALOG, 0);
#if defined(STM32F1)
    RCC_APB2ENR |= 1u << 9;
    ADC_CR2 = 1 | (7u << 17) | (1u << 20);  // on, software trigger
#else
    RCC_APB2ENR |= 1u << 8;
    ADC_CCR = 1u << 16;  // ADC clock = PCLK2 / 4
    ADC_CR2 = 1;
#endif
    ADC_SMPR1 = 0x00ffffff;  // long sampling on every channel (thermistors are slow sources)
    ADC_SMPR2 = 0x3fffffff;
    return (struct gpio_adc){ (uint8_t)chan };
}

uint32_t gpio_adc_sample(struct gpio_adc g)
{
    if (adc_busy_chan == ADC_NONE) {
        ADC_SQR1 = 0;
        ADC_SQR3 = g.chan;
#if defined(STM32F1)
        ADC_CR2 |= 1u << 22;
#else
        ADC_CR2 |= 1u << 30;
#endif
        adc_busy_chan = g.chan;
        return CLOCK_HZ / 50000;  // 20 us
    }
    if (adc_busy_chan != g.chan)
        return CLOCK_HZ / 50000;
    if (!(ADC_SR & 2))
        return CLOCK_HZ / 200000;
    return 0;
}

uint16_t gpio_adc_read(struct gpio_adc g)
{
    adc_busy_chan = ADC_NONE;
    return (uint16_t)(ADC_DR & 0xfff);
}

void gpio_adc_cancel_sample(struct gpio_adc g)
{
    irqstatus_t flag = irq_save();
    if (adc_busy_chan == g.chan)
        adc_busy_chan = ADC_NONE;
    irq_restore(flag);
}

// ---- hardware PWM on TIM2-TIM4 (8 bits: ARR 255, PWM_MAX 255) ----
// Default pin mapping (no remap on F1; AF1 for TIM2, AF2 for TIM3/4 on F4).
struct pwm_pin { uint8_t pin, tim, ch; };
#define P(port, bit) ((port) * 16 + (bit))
static const struct pwm_pin pwm_pins[] = {
    { P(0, 0), 2, 1 }, { P(0, 1), 2, 2 }, { P(0, 2), 2, 3 }, { P(0, 3), 2, 4 },
    { P(0, 6), 3, 1 }, { P(0, 7), 3, 2 }, { P(1, 0), 3, 3 }, { P(1, 1), 3, 4 },
    { P(1, 6), 4, 1 }, { P(1, 7), 4, 2 }, { P(1, 8), 4, 3 }, { P(1, 9), 4, 4 },
#if defined(STM32F4)
    { P(2, 6), 3, 1 }, { P(2, 7), 3, 2 }, { P(2, 8), 3, 3 }, { P(2, 9), 3, 4 },
    { P(3, 12), 4, 1 }, { P(3, 13), 4, 2 }, { P(3, 14), 4, 3 }, { P(3, 15), 4, 4 },
#endif
};
// APB1 timer clock: twice PCLK1 whenever APB1 is divided (it is on every clock set-up here).
#if defined(STM32F1) || CLOCK_HZ <= 84000000
#define TIM_CLOCK_HZ CLOCK_HZ
#else
#define TIM_CLOCK_HZ (CLOCK_HZ / 2)
#endif

struct gpio_pwm gpio_pwm_setup(uint32_t pin, uint32_t cycle_ticks, uint32_t value)
{
    for (uint32_t i = 0; i < sizeof(pwm_pins) / sizeof(pwm_pins[0]); i++) {
        if (pwm_pins[i].pin != pin)
            continue;
        uint32_t tim = pwm_pins[i].tim, ch = pwm_pins[i].ch;
        volatile uint32_t *t = (volatile uint32_t *)TIM_BASE(tim);
        RCC_APB1ENR |= 1u << (tim - 2);
        // cycle_ticks is in CPU clocks; one PWM cycle is 256 timer counts.
        uint64_t psc = (uint64_t)cycle_ticks * TIM_CLOCK_HZ / CLOCK_HZ / 256;
        irqstatus_t flag = irq_save();
        t[TIM_PSC] = psc ? (uint32_t)(psc > 0xffff ? 0xffff : psc - 1) : 0;
        t[TIM_ARR] = 255;
        volatile uint32_t *ccmr = &t[ch <= 2 ? TIM_CCMR1 : TIM_CCMR2];
        uint32_t shift = ch % 2 ? 0 : 8;
        *ccmr = (*ccmr & ~(0xffu << shift)) | ((6u << 4) | (1u << 3)) << shift;  // PWM mode 1, preload
        t[TIM_CCR1 + ch - 1] = value > 255 ? 255 : value;
        t[TIM_CCER] |= 1u << ((ch - 1) * 4);
        t[TIM_EGR] = 1;
        t[TIM_CR1] = 1u << 7 | 1;  // auto-reload preload, enable
        irq_restore(flag);
        volatile uint32_t *port = port_regs(pin);
#if defined(STM32F4)
        uint32_t n = pin % 16, af = tim == 2 ? 1 : 2;
        volatile uint32_t *afr = &port[n < 8 ? AFRL : AFRH];
        *afr = (*afr & ~(0xfu << ((n % 8) * 4))) | (af << ((n % 8) * 4));
#endif
        set_mode(port, 1u << (pin % 16), MODE_ALT, 0);
        return (struct gpio_pwm){ &t[TIM_CCR1 + ch - 1] };
    }
    shutdown("Not a valid PWM pin");
}

void gpio_pwm_write(struct gpio_pwm g, uint32_t value)
{
    *g.ccr = value > 255 ? 255 : value;
}
