// The STM32 board (F103, F401/F405/F407/F446): clock setup, SysTick as the free-running clock,
// USART1 (PA9 TX, PA10 RX) at SERIAL_BAUD (receive by interrupt, transmit pumped by the main
// loop) or, built with SERIAL=usb (F4 only), USB CDC on PA11/PA12 polled by the main
// loop, timers
// dispatched from the main loop, reset through the core's AIRCR.
//
// Simplification (visible in the report): timers are polled from the main loop instead of a
// compare interrupt, so a timer runs within one main-loop pass of its time (microseconds at
// 72-180 MHz). SysTick is used because QEMU's STM32F405 model has no cycle counter (DWT) and
// its general-purpose timers do not raise compare interrupts; the same code runs on hardware.
#include <string.h>
#include "regs.h"
#include "command.h"
#include "sched.h"
#include "board/irq.h"
#include "board/misc.h"
#include "board/serial.h"
#include "board/timer.h"
#include "gen/dict.h"

DECL_CONSTANT("STEPPER_STEP_BOTH_EDGE", 1);
DECL_CONSTANT("ADC_MAX", 4095);

#ifndef SERIAL_BAUD
#define SERIAL_BAUD 250000
#endif

// ---- interrupts ----
void irq_disable(void) { asm volatile("cpsid i" ::: "memory"); }
void irq_enable(void) { asm volatile("cpsie i" ::: "memory"); }
irqstatus_t irq_save(void)
{
    irqstatus_t flag;
    asm volatile("mrs %0, primask" : "=r"(flag)::"memory");
    irq_disable();
    return flag;
}
void irq_restore(irqstatus_t flag) { asm volatile("msr primask, %0" ::"r"(flag) : "memory"); }

// ---- clock setup ----
// Waits that give up: a missing crystal (or a simulator without an RCC model) must not hang
// the firmware; it then runs from the internal oscillator and reports CLOCK_FREQ regardless.
static int wait_bit(volatile uint32_t *reg, uint32_t bit)
{
    for (uint32_t i = 0; i < 2000000; i++)
        if (*reg & bit)
            return 1;
    return 0;
}

static void clock_setup(void)
{
#if defined(QEMU_BOARD)
    // QEMU's STM32F405 has no RCC model: its CPU already runs at the machine's 168 MHz.
#elif defined(STM32F1)
    // HSE 8 MHz x 9 = 72 MHz; APB1 /2 (36 MHz max); ADC /6 (12 MHz); flash 2 wait states.
    RCC_CR |= 1u << 16;
    if (!wait_bit(&RCC_CR, 1u << 17))
        return;
    FLASH_ACR = (1u << 4) | 2;
    RCC_CFGR = (7u << 18) | (1u << 16) | (4u << 8) | (2u << 14);
    RCC_CR |= 1u << 24;
    if (!wait_bit(&RCC_CR, 1u << 25))
        return;
    RCC_CFGR |= 2;
    wait_bit(&RCC_CFGR, 2u << 2);
#else
    // HSE (HSE_HZ) / M = 1 MHz, x N, / P = CLOCK_FREQ, / Q = 48 MHz; APB1 /4, APB2 /2 (/1 on
    // the F401 at 84 MHz); 5 flash wait states with caches.
    RCC_CR |= 1u << 16;
    if (!wait_bit(&RCC_CR, 1u << 17))
        return;
    uint32_t m = HSE_HZ / 1000000, p = 2, n;
    if (CLOCK_HZ <= 84000000)
        p = 4;
    n = CLOCK_HZ / 1000000 * p;
    RCC_PLLCFGR = m | (n << 6) | (((p / 2) - 1) << 16) | (1u << 22) | ((n / 48) << 24);
    FLASH_ACR = (1u << 8) | (1u << 9) | (1u << 10) | 5;
    RCC_CFGR = CLOCK_HZ <= 84000000 ? (4u << 10) : ((5u << 10) | (4u << 13));
    RCC_CR |= 1u << 24;
    if (!wait_bit(&RCC_CR, 1u << 25))
        return;
    RCC_CFGR |= 2;
    wait_bit(&RCC_CFGR, 2u << 2);
#endif
}

// ---- the clock: SysTick counts down from 2^24 - 1 at the CPU clock; wraps extend it ----
static uint32_t clock_high, clock_last;

uint32_t timer_read_time(void)
{
    irqstatus_t flag = irq_save();
    uint32_t up = 0xffffff - (SYST_CVR & 0xffffff);
    if (up < clock_last)
        clock_high += 1u << 24;
    clock_last = up;
    uint32_t now = clock_high | up;
    irq_restore(flag);
    return now;
}

// At every wrap (at least every 0.1 s) a read notices it.
void SysTick_Handler(void)
{
    timer_read_time();
}

void timer_kick(void) {}

#ifndef TIMER_LATE_MS
#define TIMER_LATE_MS 25
#endif
uint32_t timer_late_limit_ticks(void) { return CLOCK_HZ / 1000 * TIMER_LATE_MS; }

static void systick_init(void)
{
    SYST_RVR = 0xffffff;
    SYST_CVR = 0;
    SYST_CSR = 7;  // CPU clock, interrupt, enable
}

#if defined(STM32_USB)
// ---- USB CDC on the OTG_FS port (usb/usb_otg_fs.c, usb/usb_cdc.c) ----
void stm32_usb_init(void);
void stm32_usb_poll(void);
#else
// ---- USART1: PA9 TX (alternate function push-pull), PA10 RX ----
static uint8_t tx_buf[512];
static volatile uint16_t tx_head, tx_tail;

void USART1_IRQHandler(void)
{
    uint32_t sr = USART_SR;
    if (sr & (SR_RXNE | SR_ORE)) {
        uint8_t c = (uint8_t)USART_DR;  // reading DR also clears an overrun
        if (sr & SR_RXNE)
            command_receive(&c, 1);
    }
}

// Transmit is pumped from the main loop (no TXE interrupt: QEMU's USART model raises its
// interrupt line for received bytes only).
static void serial_pump_tx(void)
{
    if (tx_head != tx_tail && (USART_SR & SR_TXE)) {
        USART_DR = tx_buf[tx_tail];
        tx_tail = (uint16_t)((tx_tail + 1) % sizeof(tx_buf));
    }
}

void serial_send_block(const uint8_t *block, uint_fast8_t len)
{
    for (uint_fast8_t i = 0; i < len; i++) {
        uint16_t next = (uint16_t)((tx_head + 1) % sizeof(tx_buf));
        while (next == tx_tail)
            serial_pump_tx();  // full: wait for the wire
        tx_buf[tx_head] = block[i];
        tx_head = next;
    }
}

void stm32_gpio_alt_uart(void);  // gpio.c: PA9/PA10 to the USART

static void serial_init(void)
{
#if defined(STM32F1)
    RCC_APB2ENR |= (1u << 14) | (1u << 2) | 1u;  // USART1, GPIOA, AFIO
    uint32_t pclk = CLOCK_HZ;
#else
    RCC_APB2ENR |= 1u << 4;
    uint32_t pclk = CLOCK_HZ <= 84000000 ? CLOCK_HZ : CLOCK_HZ / 2;
#endif
    stm32_gpio_alt_uart();
    USART_BRR = (pclk + SERIAL_BAUD / 2) / SERIAL_BAUD;
    USART_CR1 = CR1_UE | CR1_TE | CR1_RE | CR1_RXNEIE;
    NVIC_ISER(USART1_IRQn / 32) = 1u << (USART1_IRQn % 32);
}
#endif

// ---- reset and observation hooks ----
void board_reset(void)
{
    SCB_AIRCR = 0x05FA0004;  // SYSRESETREQ
    for (;;)
        ;
}

void observe_command(const struct command_parser *cp, const uint32_t *args) { (void)cp; (void)args; }
void observe_stepper_config(uint8_t oid, uint8_t step_pin, uint8_t dir_pin, int8_t invert_step) {}
void observe_stepper_move_done(uint8_t oid, uint32_t clock, int32_t position) {}
int observe_rx_block(uint8_t *block, uint_fast8_t len) { return 0; }

// ---- main loop: timers are dispatched here (see the note at the top) ----
static void idle(void)
{
#if defined(STM32_USB)
    stm32_usb_poll();
#else
    serial_pump_tx();
#endif
    sched_timer_dispatch();
}

int main(void)
{
    clock_setup();
    systick_init();
#if defined(STM32_USB)
    stm32_usb_init();
#else
    serial_init();
#endif
    irq_enable();
    sched_main(idle);
}

// ---- start-up: vector table, .data/.bss set-up ----
extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
extern const void *const vector_table[];

void Reset_Handler(void)
{
    SCB_VTOR = (uint32_t)vector_table;  // a bootloader may have left its own table active
    memcpy(&_sdata, &_sidata, (size_t)((char *)&_edata - (char *)&_sdata));
    memset(&_sbss, 0, (size_t)((char *)&_ebss - (char *)&_sbss));
    main();
    for (;;)
        ;
}

static void Default_Handler(void)
{
    for (;;)
        ;  // an unexpected fault or interrupt: the host sees the MCU stop answering
}

__attribute__((section(".isr_vector"), used)) const void *const vector_table[16 + 38] = {
    [0] = &_estack,
    [1] = Reset_Handler,
    [2 ... 14] = Default_Handler,
    [15] = SysTick_Handler,
    [16 ... 16 + 36] = Default_Handler,
#if !defined(STM32_USB)
    [16 + USART1_IRQn] = USART1_IRQHandler,
#endif
};
