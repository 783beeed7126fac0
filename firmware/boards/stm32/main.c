// The STM32 board (F103, F401/F405/F407/F446): clock setup, the DWT cycle counter as the
// free-running clock, SysTick as a one-shot alarm whose interrupt runs the due timers (the step
// path), USART1 (PA9 TX, PA10 RX) at SERIAL_BAUD (receive by interrupt, transmit pumped by the
// main loop) or, built with SERIAL=usb (F4 only), USB CDC on PA11/PA12 polled by the main loop,
// reset through the core's AIRCR.
//
// Why these two: the DWT cycle counter is 32 bits at the CPU clock on every Cortex-M3/M4 (so
// CLOCK_FREQ is the CPU clock, as Klipper's STM32 builds report), and SysTick counts the CPU
// clock on every chip and in QEMU, whose STM32F405 timers have no compare interrupts. QEMU has
// no DWT: its build reads TIM5's counter instead (QEMU_BOARD below); the alarm and the dispatch
// are the same code.
#include <setjmp.h>
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
    // HSE (HSE_HZ) / M = 1 MHz, x N, / P = CLOCK_FREQ, / Q <= 48 MHz; APB1 /4, APB2 /2 (/1 on
    // the F401 at 84 MHz); 5 flash wait states with caches (RM0090/RM0390: 5 from 150 MHz).
    RCC_CR |= 1u << 16;
    if (!wait_bit(&RCC_CR, 1u << 17))
        return;
    uint32_t m = HSE_HZ / 1000000, p = 2, n;
    if (CLOCK_HZ <= 84000000)
        p = 4;
    n = CLOCK_HZ / 1000000 * p;
#if CLOCK_HZ > 168000000
    // F446 at 180 MHz (RM0390 5.1.4): voltage scale 1 before the PLL, over-drive once it runs.
    RCC_APB1ENR |= 1u << 28;  // PWR
    PWR_CR |= 3u << 14;       // VOS scale 1
#endif
    RCC_PLLCFGR = m | (n << 6) | (((p / 2) - 1) << 16) | (1u << 22) | (((n + 47) / 48) << 24);
    FLASH_ACR = (1u << 8) | (1u << 9) | (1u << 10) | 5;
    RCC_CFGR = CLOCK_HZ <= 84000000 ? (4u << 10) : ((5u << 10) | (4u << 13));
    RCC_CR |= 1u << 24;
    if (!wait_bit(&RCC_CR, 1u << 25))
        return;
#if CLOCK_HZ > 168000000
    PWR_CR |= 1u << 16;  // ODEN
    if (!wait_bit(&PWR_CSR, 1u << 16))
        return;
    PWR_CR |= 1u << 17;  // ODSWEN
    if (!wait_bit(&PWR_CSR, 1u << 17))
        return;
#endif
#if defined(STM32F446) && (CLOCK_HZ / 1000000 * 2) % 48
    // The main PLL's Q cannot divide its VCO to 48 MHz: USB takes PLLSAI's P output instead,
    // 1 MHz x 192 / 4 = 48 MHz (CK48MSEL).
    RCC_PLLSAICFGR = m | (192u << 6) | (1u << 16) | (4u << 24);
    RCC_CR |= 1u << 28;
    if (wait_bit(&RCC_CR, 1u << 29))
        RCC_DCKCFGR2 |= 1u << 27;
#endif
    RCC_CFGR |= 2;
    wait_bit(&RCC_CFGR, 2u << 2);
#endif
}

// ---- the clock: 32 bits at CLOCK_FREQ ----
#if defined(QEMU_BOARD)
// QEMU has no DWT cycle counter. Its TIM5 model counts 1 GHz / (PSC + 1) (no compare or
// reliable update interrupts are needed: only the counter is read), so the QEMU build's
// CLOCK_FREQ is 200 MHz, while SysTick counts the 168 MHz CPU clock.
#define TIM5_REGS ((volatile uint32_t *)TIM_BASE(5))
static void clock_init(void)
{
    RCC_APB1ENR |= 1u << 3;
    TIM5_REGS[TIM_PSC] = 1000000000u / CLOCK_HZ - 1;
    TIM5_REGS[TIM_ARR] = 0xffffffff;
    TIM5_REGS[TIM_EGR] = 1;
    TIM5_REGS[TIM_CR1] = 1;
}
uint32_t timer_read_time(void) { return TIM5_REGS[TIM_CNT]; }
// Clock ticks to SysTick (CPU) ticks; d is at most TIMER_MAX_TICKS, so 32 bits suffice.
#define ALARM_TICKS(d) ((d) / 25 * 21 + (d) % 25 * 21 / 25)
_Static_assert(CLOCK_HZ == 200000000, "ALARM_TICKS converts 200 MHz clock ticks to 168 MHz");
#else
static void clock_init(void)
{
    SCB_DEMCR |= 1u << 24;   // TRCENA: the DWT runs without a debugger
    DWT_LAR = 0xC5ACCE55;    // unlock where a lock is implemented (harmless elsewhere)
    DWT_CYCCNT = 0;
    DWT_CTRL |= 1;           // CYCCNTENA
}
uint32_t timer_read_time(void) { return DWT_CYCCNT; }
#define ALARM_TICKS(d) (d)
#endif

#ifndef TIMER_LATE_MS
#define TIMER_LATE_MS 25
#endif
uint32_t timer_late_limit_ticks(void) { return CLOCK_HZ / 1000 * TIMER_LATE_MS; }

// ---- the timer interrupt: SysTick as a one-shot alarm, then the due timers run ----
// Timers closer than TIMER_MIN_TICKS are waited for inside the interrupt (leaving and entering
// again costs more); the alarm fires TIMER_EARLY_TICKS before a timer and the interrupt waits out
// the rest on the clock, so a step edge comes within a few cycles of its time. After
// TIMER_BUSY_TICKS in the interrupt with timers still due, the main loop gets TIMER_DEFER_TICKS
// (commands keep flowing when the steppers ask for more than the CPU has).
// Interrupt entry to the wait loop: stacking (12 cycles), the handler's prologue and setjmp,
// the late check and two clock reads, ~45 instructions or ~100 cycles with flash wait states
// (counted in the F103 disassembly; not measured on silicon).
#define TIMER_EARLY_TICKS 150
#define TIMER_MIN_TICKS (2 * TIMER_EARLY_TICKS)
#define TIMER_MAX_TICKS (CLOCK_HZ / 100)          // 10 ms (SysTick holds 24 bits)
#define TIMER_BUSY_TICKS (CLOCK_HZ / 10000)       // 100 us
#define TIMER_DEFER_TICKS (CLOCK_HZ / 200000)     // 5 us
#define TIMER_BUDGET 16                           // events between clock reads
_Static_assert(ALARM_TICKS(TIMER_MAX_TICKS) <= 0xffffff, "SysTick reload is 24 bits");

// Fire the SysTick interrupt `ticks` clock ticks from now (and every that many after, until the
// interrupt re-arms it). Writing the current value restarts the count from the reload value.
static void alarm_arm(uint32_t ticks)
{
    uint32_t st = ALARM_TICKS(ticks);
    SYST_RVR = (st < 16 ? 16 : st) - 1;
    SYST_CVR = 0;
    SCB_ICSR = ICSR_PENDSTCLR;  // a kick while the timers ran: the arm above already covers it
}

static void check_late(struct timer *t, uint32_t now)
{
    if (t && timer_is_before(t->waketime, now - timer_late_limit_ticks()))
        shutdown("Rescheduled timer in the past");
}

#if defined(QEMU_BOARD)
// How the interrupt met its first timer (read by test/tools/qemu through the monitor): entries
// that found it not yet due (the alarm came early enough: the wait loop times the edge) and
// entries that found it overdue, with the largest lateness seen.
struct { uint32_t on_time, late, late_max_ticks; } volatile stm32_timer_entry_stats __attribute__((used));
static void note_entry(uint32_t now)
{
    struct timer *t = sched_timer_list;
    if (!t)
        return;
    if (timer_is_before(now, t->waketime)) {
        stm32_timer_entry_stats.on_time++;
    } else {
        stm32_timer_entry_stats.late++;
        if (now - t->waketime > stm32_timer_entry_stats.late_max_ticks)
            stm32_timer_entry_stats.late_max_ticks = now - t->waketime;
    }
}
#else
#define note_entry(now) ((void)(now))
#endif

static void timer_dispatch(void)
{
    uint32_t start = timer_read_time(), now = start;
    note_entry(now);
    check_late(sched_timer_list, now);
    uint_fast8_t budget = TIMER_BUDGET;
    for (;;) {
        struct timer *t = sched_timer_list;
        if (!t) {
            alarm_arm(TIMER_MAX_TICKS);
            return;
        }
        uint32_t waketime = t->waketime;
        if (timer_is_before(now, waketime)) {
            // Not due by the last time known: read the clock; wait here if it is near.
            now = timer_read_time();
            int32_t wait = (int32_t)(waketime - now);
            if (wait > TIMER_MIN_TICKS) {
                alarm_arm(wait > TIMER_MAX_TICKS ? TIMER_MAX_TICKS : (uint32_t)wait - TIMER_EARLY_TICKS);
                return;
            }
            while (timer_is_before(timer_read_time(), waketime))
                ;
            now = waketime;
        }
        if (t->func == stepper_event || t->func == stepper_event_long) {
            // The step path: the 16-bit step events inline (the long one waits out a
            // step_pulse_ticks under BOARD_STEP_UNSTEP_TICKS), the stepper re-sorted in place.
            if ((t->func == stepper_event ? stepper_event(t) : stepper_event_long(t)) == SF_DONE)
                sched_timer_pop_head(t);
            else
                sched_timer_head_later(t);
        } else {
            sched_timer_run_head(t, now);
        }
        if (!--budget) {
            budget = TIMER_BUDGET;
            now = timer_read_time();
            check_late(sched_timer_list, now);
            if (now - start > TIMER_BUSY_TICKS) {
                alarm_arm(TIMER_DEFER_TICKS);
                return;
            }
        }
    }
}

// A timer that shuts down longjmps out of the timer code (core/sched.c). The interrupt catches
// that itself, then returns into the main loop's shutdown handler instead of where the main
// loop was interrupted: the exception return must run (a longjmp from an interrupt would leave
// the core in handler mode, every interrupt of the same or lower priority blocked). SysTick has
// the lowest priority here, so it only ever interrupts thread mode (or follows another handler
// that returns to it).
static void __attribute__((noreturn, used)) shutdown_resume(void)
{
    longjmp(*sched_shutdown_jmp, 1);
}

void __attribute__((used)) timer_irq(uint32_t *frame, uint32_t exc_return)
{
    jmp_buf irq_jmp;
    jmp_buf *main_jmp = sched_shutdown_jmp;
    sched_shutdown_jmp = &irq_jmp;
    if (setjmp(irq_jmp)) {
        sched_shutdown_jmp = main_jmp;
        if (main_jmp && (exc_return & 0xf) == 0x9) {  // back to thread mode on the main stack
            frame[6] = (uint32_t)shutdown_resume & ~1u;                // stacked PC
            frame[7] = (frame[7] & (1u << 9)) | (1u << 24);            // Thumb, keep stack pad
        }
        alarm_arm(TIMER_MAX_TICKS);
        return;
    }
    timer_dispatch();
    sched_shutdown_jmp = main_jmp;
}

// The exception frame (r0-r3, r12, lr, pc, xpsr) is at sp on entry; lr holds EXC_RETURN.
__attribute__((naked)) void SysTick_Handler(void)
{
    asm volatile("mov r0, sp\n\tmov r1, lr\n\tpush {r0, lr}\n\tbl timer_irq\n\tpop {r0, pc}\n");
}

// The list head changed (a new or earlier timer): run the interrupt now; it arms the alarm for
// the new head.
void timer_kick(void) { SCB_ICSR = ICSR_PENDSTSET; }

static void timer_init(void)
{
    clock_init();
    // Below the serial interrupt (priority 0): a byte comes every 40 us at 250000 baud and the
    // USART holds one, while the timer interrupt may run 100 us before it defers.
    SCB_SHPR3 = (SCB_SHPR3 & 0x00ffffff) | (0xf0u << 24);
    SYST_RVR = ALARM_TICKS(TIMER_MAX_TICKS) - 1;
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

// ---- main loop: the link (timers run in the SysTick interrupt) ----
static void idle(void)
{
    // A due head means the interrupt deferred to this loop (or its alarm is late: QEMU delivers
    // SysTick up to milliseconds late on a busy host): take it now, after one pass here.
    struct timer *head = sched_timer_list;
    if (head && !timer_is_before(timer_read_time(), head->waketime))
        timer_kick();
#if defined(STM32_USB)
    irqstatus_t flag = irq_save();  // see serial_send_block in usb/usb_otg_fs.c
    stm32_usb_poll();
    irq_restore(flag);
#else
    serial_pump_tx();
#endif
}

int main(void)
{
    clock_setup();
    timer_init();
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
