// The AVR board: Timer1 as the scheduler clock, USART0 at 250000 baud, the watchdog, idle sleep.
//
// simavr 1.6 faults this code avoids (shared/STACK.md):
// - interrupts become pending two instructions after `sei`: the idle loop sleeps with
//   `sei; sleep`, and a sleeping core wakes on the pending interrupt, so no wake-up is lost;
// - a write-1-to-clear of one Timer1 flag clears all of them (also when the core takes the
//   compare interrupt): this code never writes TIFR1 and never relies on TOV1 (see the clock
//   below); a compare match that happened while the ISR was running only re-enters it once
//   (harmless: nothing is due, it reprograms OCR1A);
// - a UDR0 read outside the receive interrupt leaves that interrupt pending, and entering it
//   later clears the next byte's RXC for good: the timer interrupt lets the UART interrupts in
//   (uart_window) instead of reading UDR0 itself.
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/sleep.h>
#include <avr/wdt.h>
#include "command.h"
#include "sched.h"
#include "board/irq.h"
#include "board/misc.h"
#include "board/serial.h"
#include "board/timer.h"
#include "gen/dict.h"

DECL_CONSTANT("SERIAL_BAUD", 250000);
DECL_CONSTANT("STEPPER_STEP_BOTH_EDGE", 1);

// ---- interrupts ----
void irq_disable(void) { cli(); }
void irq_enable(void) { sei(); }
// The "memory" clobbers keep the compiler (LTO inlines these) from moving buffer accesses out of
// the masked section.
irqstatus_t irq_save(void)
{
    irqstatus_t flag = SREG;
    cli();
    return flag;
}
void irq_restore(irqstatus_t flag)
{
    asm volatile("" ::: "memory");
    SREG = flag;
    asm volatile("" ::: "memory");
}

// ---- clock: Timer1 counts CPU cycles; every read extends it to 32 bits ----
// Not with the overflow flag: simavr 1.6 clears TOV1 whenever it clears any Timer1 flag (also
// when it takes the compare interrupt), which lost overflows. Instead each read notices the
// 16-bit wrap itself; the compare interrupt fires at least every TIMER_MAX_TICKS, so no read is
// ever more than one wrap after the previous one.
static uint16_t timer_high, timer_last_low;
static uint8_t timer_wake_high;
static volatile uint8_t wake_main;  // an interrupt did something the main loop should look at

static inline __attribute__((always_inline)) uint32_t timer_read_noirq(void)
{
    uint16_t low = TCNT1;
    if (low < timer_last_low)
        timer_high++;
    timer_last_low = low;
    return ((uint32_t)timer_high << 16) | low;
}

uint32_t timer_read_time(void)
{
    irqstatus_t flag = irq_save();
    uint32_t now = timer_read_noirq();
    irq_restore(flag);
    return now;
}

// Timers may run this late before the core shuts down ("Rescheduled timer in the past").
uint32_t timer_late_limit_ticks(void) { return F_CPU / 1000 * 8; }  // 8 ms, like a 16-bit wrap

// Timers closer than this are waited for inside the interrupt instead of leaving it (saving and
// restoring the registers costs more than waiting).
#define TIMER_MIN_TICKS BOARD_STEP_BURST_WAIT_TICKS
// The loop's budget: a step costs 1, any other timer event TIMER_EVENT_COST. When it is used up
// (well within a 16-bit wrap: a step with its wait takes under 300 ticks) the loop reads the
// full clock (late check, 32-bit extension, periodic main-loop wake) and, if the main loop or
// the transmitter waits, leaves for TIMER_DEFER_TICKS (the timers run that much late, well
// within the late limit, and catch up). A received byte is taken in a short window for the
// UART interrupts inside the loop (uart_window; the step path looks for one at every step).
#define TIMER_BUDGET 128
#define TIMER_EVENT_COST 16
// A received byte costs this much of the budget, so the main loop gets its turn within 16 bytes
// (it acknowledges and runs the commands).
#define TIMER_RX_COST 8
// A wait for a near timer while the main loop has work costs this much (up to 240 ticks the
// main loop could have had).
#define TIMER_WAIT_COST 16
// The main loop's turn: long enough for it to get work done after the interrupt's exit and
// before its next entry (about 250 cycles together); also at least the exit itself: simavr 1.6
// loses a compare match that falls within it.
#define TIMER_DEFER_TICKS 1000
// Time the interrupt takes to leave, with a margin (simavr 1.6 loses a compare match in it).
#define TIMER_EXIT_TICKS 200
// Compare matches are set at most this far ahead (half the 16-bit range, so never ambiguous).
#define TIMER_MAX_TICKS 0x6000

// A window in the timer interrupt for the UART's interrupts (a received byte, the transmitter):
// the compare interrupt itself stays masked (the loop re-arms it whenever it leaves). simavr 1.6
// takes interrupts two instructions after `sei`, the chip after one: three nops serve both.
static inline __attribute__((always_inline)) void uart_window(void)
{
    TIMSK1 = 0;
    asm volatile("sei\n\tnop\n\tnop\n\tnop\n\tcli" ::: "memory");
    TIMSK1 = 1 << OCIE1A;
}

// Something waits for the main loop: a received byte or a task's work, or the transmitter.
static inline __attribute__((always_inline)) int main_has_work(void)
{
    return wake_main || sched_tasks_pending || (UCSR0B & (1 << UDRIE0));
}

static void check_late(struct timer *t, uint32_t now)
{
    if (t && timer_is_before(t->waketime, now - timer_late_limit_ticks()))
        shutdown("Rescheduled timer in the past");
}

// Arm the compare match for `next` (the clock is at `now`), at most TIMER_MAX_TICKS ahead; also
// the periodic wake of the main loop (every 16 wraps, 65 ms at 16 MHz: watchdog, uptime, stats).
static void timer_arm(uint32_t next, uint32_t now)
{
    OCR1A = (uint16_t)((next - now) > TIMER_MAX_TICKS ? now + TIMER_MAX_TICKS : next);
    if ((uint8_t)(timer_high - timer_wake_high) >= 16) {
        timer_wake_high = (uint8_t)timer_high;
        wake_main = 1;
    }
}

// Leave for a moment (the main loop, the UART): come back after TIMER_DEFER_TICKS, or at the
// next timer if that is later.
static void timer_defer(void)
{
    uint32_t now = timer_read_noirq(), soon = now + TIMER_DEFER_TICKS;
    struct timer *t = sched_timer_list;
    timer_arm(t && timer_is_before(soon, t->waketime) ? t->waketime : soon, now);
}

// The step path: runs due timers in a loop, steppers inline. `now` is the last time known to
// have passed (the clock read on entry or since, or a time waited for): a timer due by then runs
// without a clock read (when the steppers are busy that is most of them); for a later one the
// clock is read, and it is waited for here if it is near, otherwise the compare match is armed
// for it and the interrupt returns.
ISR(TIMER1_COMPA_vect)
{
    uint32_t now = timer_read_noirq();
    check_late(sched_timer_list, now);
    uint8_t budget = TIMER_BUDGET;
    struct timer *stepped = 0;  // the stepper stepped last
    for (;;) {
        struct timer *t = sched_timer_list;
        if (!t) {
            timer_arm(now + TIMER_MAX_TICKS, now);
            return;
        }
        uint32_t waketime = t->waketime;
        if (timer_is_before(now, waketime)) {
            // Not due at the last time known: read the clock; wait here if it is near.
            now = timer_read_noirq();
            int32_t wait = waketime - now;
            // Wait here if it is near, unless the main loop has work and the gap leaves it some
            // (the compare match must come after the interrupt's exit: TIMER_EXIT_TICKS).
            if (wait > TIMER_MIN_TICKS || (wait > TIMER_EXIT_TICKS && main_has_work())) {
                timer_arm(waketime, now);
                return;
            }
            if (wait > 0) {
                while ((int16_t)((uint16_t)waketime - TCNT1) > 0)
                    ;
                now = waketime;
                // Time spent waiting is the main loop's when it has work: count it (down to 1:
                // the step below takes the last unit, and the check after it leaves).
                if (main_has_work())
                    budget = budget > TIMER_WAIT_COST ? budget - TIMER_WAIT_COST : 1;
            }
        }
        uint_fast8_t (*func)(struct timer *) = t->func;
        if (func == stepper_event || func == stepper_event_long) {
            // The same stepper again (it runs alone or fast): a burst. Else steppers taking
            // turns (hand-written, board_types.h) from this one on; one step here if that
            // took none (a run's last step, a long pulse).
            if (t != stepped || !stepper_burst(t, &budget)) {
                uint8_t before = budget, stayed = 0;
                if (func == stepper_event)
                    stayed = stepper_multi(t, &now, &budget);
                if (budget != before) {
                    stepped = stayed ? sched_timer_list : 0;
                } else {
                    if ((func == stepper_event ? stepper_event(t) : stepper_event_long(t)) == SF_DONE)
                        sched_timer_pop_head(t);
                    else
                        sched_timer_head_later(t);
                    budget--;
                    stepped = t;
                }
            }
        } else {
            sched_timer_run_head(t, now);
            budget = budget > TIMER_EVENT_COST ? budget - TIMER_EVENT_COST : 0;
        }
        if (UCSR0A & (1 << RXC0)) {
            // Let the UART interrupts in for a moment: leaving and coming back costs the step
            // path several hundred cycles a byte (the host streams commands while steppers run).
            uart_window();
            budget = budget > TIMER_RX_COST ? budget - TIMER_RX_COST : 0;
        }
        if (!budget) {
            budget = TIMER_BUDGET;
            now = timer_read_noirq();
            check_late(sched_timer_list, now);
            if ((uint8_t)(timer_high - timer_wake_high) >= 16 || main_has_work()) {
                timer_defer();
                return;
            }
        }
    }
}

void timer_kick(void)
{
    // The list head changed: take the compare interrupt very soon; it runs what is due and
    // arms the match for the new head.
    irqstatus_t flag = irq_save();
    OCR1A = TCNT1 + TIMER_MIN_TICKS;
    irq_restore(flag);
}

static void timer_init(void)
{
    TCCR1A = 0;
    TCCR1B = 1 << CS10;  // clk/1, normal mode
    TIMSK1 = 1 << OCIE1A;
}

// ---- USART0: 250000 baud, normal speed (UBRR 3 at 16 MHz, 4 at 20 MHz: exact) ----
// Not U2X: at these clocks 250000 baud is exact either way, normal speed samples each bit 16
// times instead of 8, and simavr 1.6 (which ignores U2X) then receives at the real rate.
#if defined(USART0_RX_vect)
#define RX_VECT USART0_RX_vect
#define UDRE_VECT USART0_UDRE_vect
#else
#define RX_VECT USART_RX_vect
#define UDRE_VECT USART_UDRE_vect
#endif

#if RAMEND < 0x10ff
static uint8_t tx_buf[128];  // atmega328p: 2 KiB of RAM
#else
static uint8_t tx_buf[192];
#endif
static volatile uint8_t tx_head, tx_tail;  // bytes tx_tail..tx_head wait (wrapping at 192)

ISR(RX_VECT)
{
    uint8_t c = UDR0;
    command_receive(&c, 1);
    wake_main = 1;
}

ISR(UDRE_VECT)
{
    if (tx_tail == tx_head) {
        UCSR0B &= ~(1 << UDRIE0);
        return;
    }
    UDR0 = tx_buf[tx_tail];
    tx_tail = tx_tail + 1u >= sizeof(tx_buf) ? 0 : tx_tail + 1;
}

void serial_send_block(const uint8_t *block, uint_fast8_t len)
{
    for (uint_fast8_t i = 0; i < len; i++) {
        uint8_t next = tx_head + 1u >= sizeof(tx_buf) ? 0 : tx_head + 1;
        while (next == tx_tail) {
            // Full: the UDRE interrupt drains it (interrupts are on in the main loop; a send
            // from a timer would deadlock, but the core only sends from the main loop).
            if (!(SREG & (1 << SREG_I)))
                return;
        }
        tx_buf[tx_head] = block[i];
        tx_head = next;
    }
    UCSR0B |= 1 << UDRIE0;
}

static void serial_init(void)
{
    UCSR0A = 0;
    UBRR0 = (F_CPU / 16 + 250000 / 2) / 250000 - 1;
    UCSR0C = (1 << UCSZ01) | (1 << UCSZ00);  // 8N1
    UCSR0B = (1 << RXEN0) | (1 << TXEN0) | (1 << RXCIE0);
}

// ---- reset, watchdog, observation hooks ----
void board_reset(void)
{
    cli();
    wdt_enable(WDTO_15MS);
    for (;;)
        ;
}

// The watchdog resets a chip whose main loop stops running (500 ms).
DECL_TASK(watchdog_task);
void watchdog_task(void)
{
    wdt_reset();
}

void observe_command(const struct command_parser *cp, const uint32_t *args) { (void)cp; (void)args; }
void observe_stepper_config(uint8_t oid, uint8_t step_pin, uint8_t dir_pin, int8_t invert_step) {}
void observe_stepper_move_done(uint8_t oid, uint32_t clock, int32_t position) {}
int observe_rx_block(uint8_t *block, uint_fast8_t len) { return 0; }

// ---- main ----
// Sleep until received bytes, a task's work or the periodic wake need the main loop (not
// after every step interrupt: that would cost the step path hundreds of cycles).
static void idle(void)
{
    for (;;) {
        cli();
        if (wake_main || sched_tasks_pending)
            break;
        sleep_enable();
        sei();
        sleep_cpu();  // `sei; sleep`: a pending interrupt wakes it (see the note at the top)
        sleep_disable();
    }
    wake_main = 0;
    sched_tasks_pending = 0;
    sei();
}

// Runs before main's stack frame: a watchdog reset leaves the watchdog on with 15 ms.
void wdt_off(void) __attribute__((naked, used, section(".init3")));
void wdt_off(void)
{
    MCUSR = 0;
    wdt_disable();
}

int main(void)
{
    set_sleep_mode(SLEEP_MODE_IDLE);
    timer_init();
    serial_init();
    wdt_enable(WDTO_500MS);
    sei();
    sched_main(idle);
}
