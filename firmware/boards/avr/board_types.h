#ifndef AVR_BOARD_TYPES_H
#define AVR_BOARD_TYPES_H
// AVR pin handles and memory sizes (see core/board/README.md).
#include <stdint.h>
#include <avr/io.h>
#include <stddef.h>
#include <avr/pgmspace.h>

// A digital pin: its PINx register (DDRx = regs[1], PORTx = regs[2]) and bit mask.
struct gpio_out { volatile uint8_t *regs; uint8_t bit; };
struct gpio_in { volatile uint8_t *regs; uint8_t bit; };
struct gpio_adc { uint8_t chan; };
// The compare register of a hardware PWM output; 16-bit timers run in 8-bit fast PWM mode.
struct gpio_pwm { volatile void *ocr; uint8_t is16; };
typedef uint8_t irqstatus_t;

// Static memory for configured objects and the move queue, per chip (what the RAM leaves after
// buffers and stack).
#if RAMEND >= 0x40ff          // atmega1284p: 16 KiB
#define BOARD_ARENA_BYTES 12288
#elif RAMEND >= 0x21ff        // atmega2560: 8 KiB
#define BOARD_ARENA_BYTES 5632
#elif RAMEND >= 0x10ff        // atmega644p: 4 KiB
#define BOARD_ARENA_BYTES 2304
#else                         // atmega328p: 2 KiB
#define BOARD_ARENA_BYTES 640
#endif
#define BOARD_MOVE_COUNT 1024
// The SPI peripheral (spi.c): its control and status register values for one device.
#define BOARD_HAS_SPI 1
struct spi_config { uint8_t spcr, spsr; };
// The TWI peripheral (i2c.c): the device's address.
#define BOARD_HAS_I2C 1
struct i2c_config { uint8_t addr; };
// Read-only tables live in flash (core/board/progmem.h): const data would otherwise be copied to
// RAM at boot. READP reads one 1, 2 or 4 byte scalar (integer or pointer) from such a table with
// lpm; the tables sit in the low 64 KiB (.progmem comes first in .text), so the 16-bit
// pgm_read_* reach them on the 2560 too.
#define BOARD_PROGMEM PROGMEM
#define READP_UINT_(x) __typeof__(__builtin_choose_expr(sizeof(x) == 4, (uint32_t)0, \
    __builtin_choose_expr(sizeof(x) == 2, (uint16_t)0, (uint8_t)0)))
#define READP(x) ((void)sizeof(char[sizeof(x) == 1 || sizeof(x) == 2 || sizeof(x) == 4 ? 1 : -1]), \
    (__typeof__(x))(READP_UINT_(x))__builtin_choose_expr(sizeof(x) == 1, pgm_read_byte(&(x)), \
        __builtin_choose_expr(sizeof(x) == 2, pgm_read_word(&(x)), pgm_read_dword(&(x)))))
#define BOARD_RX_BUF_SIZE 256  // RECEIVE_WINDOW (192) plus one block
// The step path is the hot loop: skip the lateness statistics (64-bit sums) on this 8-bit chip.
#define BOARD_NO_LATENESS_STATS 1

// Digital writes are single register stores: inline them into the core's step path.
#define BOARD_GPIO_INLINE 1
static inline void gpio_out_toggle_noirq(struct gpio_out g) { *g.regs = g.bit; }  // PINx write toggles
static inline void gpio_out_toggle(struct gpio_out g) { *g.regs = g.bit; }
void gpio_out_write(struct gpio_out g, uint32_t value);

// The step path (core/stepper.c stepper_burst, called from the Timer1 interrupt): the low 16
// bits of the clock, read inline; steps nearer than BOARD_STEP_BURST_WAIT_TICKS are waited for
// inside the interrupt.
#define BOARD_STEP_BURST 1
#define BOARD_STEP_BURST_WAIT_TICKS 240  // < 255: board_step_run compares one byte
// A burst starts only with a stepper less late than this: with the steps of one burst (at most
// 128, each under BOARD_STEP_BURST_WAIT_TICKS + pulse) its 16-bit times stay unambiguous, and it
// leaves once a step is this late.
#define BOARD_STEP_BURST_LATE_TICKS 0x2000
static inline uint16_t timer_read_low16(void) { return TCNT1; }

// A burst of one stepper's steps, all times the low 16 bits of the clock.
struct step_run {
    uint16_t count;     // steps left in the run, including the one taken first
    uint16_t interval;  // the interval that led to `time`; += add after each step
    uint16_t add;
    uint16_t time;      // the due step's time (the first is taken at once)
    uint16_t until;     // stop once the next step is not before this (the next timer's time)
    uint8_t budget;     // steps the caller allows (>= 1)
    uint8_t late;       // set when it left because the next step is BOARD_STEP_BURST_LATE_TICKS
                        // late: that step is not taken and no pulse is left high
};
// Take the due step, then for each further step: wait for its time on TCNT1 and take it. Stops
// after the run's last step (count 0), when the budget is used up, when the next interval is
// over BOARD_STEP_BURST_WAIT_TICKS, when the next step reaches `until` or when the UART has
// received a byte (its interrupt must run within 3 byte times); r holds the state to
// store back (time = the next step's time, or the last step's when count is 0). Each pulse but
// the last is ended here after pulse_ticks (unstep 0: both-edge stepping, no unstep); the last
// step's pulse is left high for the caller to end: the returned edge time tells when.
// Hand-written (about 50 cycles a step at step_pulse_ticks 32, against about 90 for what
// avr-gcc 5.4 -Os made of the same loop in C): this is the step rate.
static inline __attribute__((always_inline)) uint16_t
board_step_run(struct gpio_out pin, uint8_t unstep, uint16_t pulse_ticks, struct step_run *r)
{
    uint16_t edge, tmp;
    uint8_t unstep_bit = unstep ? pin.bit : 0;  // writing 0 to PINx toggles nothing
    asm volatile(
        "clr %[islate]\n\t"
        "1:\n\t"
        "st X, %[bit]\n\t"                  // the step edge (a PINx write toggles)
        "lds %A[edge], %[tcnt]\n\t"         // its time (the low byte latches the high byte)
        "lds %B[edge], %[tcnt]+1\n\t"
        "subi %A[count], 1\n\t"
        "sbci %B[count], 0\n\t"
        "breq 9f\n\t"                       // the run's last step
        "add %A[iv], %A[add]\n\t"           // the next step's time
        "adc %B[iv], %B[add]\n\t"
        "add %A[time], %A[iv]\n\t"
        "adc %B[time], %B[iv]\n\t"
        "dec %[budget]\n\t"
        "breq 9f\n\t"
        "cpi %A[iv], lo8(%[maxwait] + 1)\n\t"
        "cpc %B[iv], __zero_reg__\n\t"
        "brsh 9f\n\t"                       // too far to wait for here
        "movw %A[tmp], %A[time]\n\t"
        "sub %A[tmp], %A[until]\n\t"
        "sbc %B[tmp], %B[until]\n\t"
        "brpl 9f\n\t"                       // another timer comes first
        "2:\n\t"                            // end the pulse after pulse_ticks
        "lds %A[tmp], %[ucsra]\n\t"         // a received byte: leave (the UART holds 3)
        "sbrc %A[tmp], %[rxc]\n\t"
        "rjmp 9f\n\t"
        "lds %A[tmp], %[tcnt]\n\t"
        "lds %B[tmp], %[tcnt]+1\n\t"
        "sub %A[tmp], %A[edge]\n\t"
        "sbc %B[tmp], %B[edge]\n\t"
        "cp %A[tmp], %A[pulse]\n\t"
        "cpc %B[tmp], %B[pulse]\n\t"
        "brlo 2b\n\t"
        "st X, %[ubit]\n\t"
        "3:\n\t"                            // wait for the next step's time
        "lds %A[tmp], %[tcnt]\n\t"
        "lds %B[tmp], %[tcnt]+1\n\t"
        "sub %A[tmp], %A[time]\n\t"
        "sbc %B[tmp], %B[time]\n\t"
        "brmi 3b\n\t"
        "cp %B[tmp], %[late]\n\t"           // too late for 16-bit times: leave
        "brlo 1b\n\t"
        "inc %[islate]\n\t"
        "9:\n\t"
        : [count] "+d"(r->count), [iv] "+d"(r->interval), [time] "+r"(r->time),
          [budget] "+r"(r->budget), [islate] "=&r"(r->late), [edge] "=&r"(edge), [tmp] "=&r"(tmp)
        : "x"(pin.regs), [bit] "r"(pin.bit), [ubit] "r"(unstep_bit), [add] "r"(r->add),
          [until] "r"(r->until), [pulse] "r"(pulse_ticks), [tcnt] "n"(_SFR_MEM_ADDR(TCNT1)),
          [maxwait] "n"(BOARD_STEP_BURST_WAIT_TICKS), [ucsra] "n"(_SFR_MEM_ADDR(UCSR0A)), [rxc] "n"(RXC0),
          [late] "r"((uint8_t)(BOARD_STEP_BURST_LATE_TICKS >> 8))
        : "memory");
    return edge;
}

// Steppers taking turns (core/stepper.c stepper_multi, called from the Timer1 interrupt with
// the due head t, whose event is stepper_event): the step, its next time and the re-sort of the
// timer list, hand-written (about 125 cycles a step against 280 for avr-gcc -Os's C, which
// saved and reloaded most of it through the X pointer). Per step: leave before the step if it
// is the run's last (the C path ends the run); step edge; count, interval += add and the
// waketime (16-bit interval, carry into the high half only when it wraps); then put t back:
// behind sched_timer_hint when that is due no later than t (steppers in turns: one compare),
// else behind the next timer, or leave it first (then unstep and return 1: the caller's burst
// takes over). The unstep comes 49 or more cycles after the edge on every path (counted, and
// checked by test/firmware/avr-sim.test.ts), so step_pulse_ticks <= 48 needs no wait. Then
// the budget, the UART (a received byte: leave) and the new head: another event, or not due
// by *now (advanced by the 16-bit distance to TCNT1: the caller reads the full clock at least
// every budget, well within a wrap): leave. Relies on sched_timer_hint being in the list (it
// always is while the list is not empty, see core/sched.h) and on t being the head.
// type/timer/...: the stepper struct and its members (offsets within ldd's 63 bytes).
static inline uint8_t board_step_unstep(struct gpio_out pin, int both_edges)
{
    return both_edges ? 0 : pin.bit;  // writing 0 to PINx toggles nothing
}
#define BOARD_STEP_MULTI 1
#define board_step_multi(t, nowp, budgetp, type, timer_m, count_m, iv_m, add_m, pin_m, unstep_m) \
    ({ \
        struct timer *t_ = (t); \
        uint32_t now_ = *(nowp); \
        uint8_t budget_ = *(budgetp), stayed_; \
        struct timer *hint_ = sched_timer_hint; \
        asm volatile(BOARD_STEP_MULTI_ASM \
            : "+z"(t_), [now] "+r"(now_), [budget] "+r"(budget_), [res] "=&r"(stayed_), \
              [hint] "+r"(hint_) \
            : [next] "n"(offsetof(type, timer_m) + offsetof(struct timer, next)), \
              [w] "n"(offsetof(type, timer_m) + offsetof(struct timer, waketime)), \
              [func] "n"(offsetof(type, timer_m) + offsetof(struct timer, func)), \
              [cnt] "n"(offsetof(type, count_m)), [iv] "n"(offsetof(type, iv_m)), \
              [add] "n"(offsetof(type, add_m)), [unstep] "n"(offsetof(type, unstep_m)), \
              [pin] "n"(offsetof(type, pin_m) + offsetof(struct gpio_out, regs)), \
              [bit] "n"(offsetof(type, pin_m) + offsetof(struct gpio_out, bit)), \
              [fn] "i"(stepper_event), \
              [tcnt] "n"(_SFR_MEM_ADDR(TCNT1)), [ucsra] "n"(_SFR_MEM_ADDR(UCSR0A)), [rxc] "n"(RXC0) \
            : "r16", "r17", "r18", "r19", "r20", "r21", "r22", "r23", "r24", "r25", "r26", "r27", \
              "memory"); \
        sched_timer_list = t_;  /* the head (kept in Z) and the hint (in registers) */ \
        sched_timer_hint = hint_; \
        *(nowp) = now_; \
        *(budgetp) = budget_; \
        stayed_; \
    })
#define BOARD_STEP_MULTI_CMP_X /* r18..r21 (t's waketime) minus the 4 bytes at X */ \
    "ld r0, X+\n\tcp r18, r0\n\tld r0, X+\n\tcpc r19, r0\n\t" \
    "ld r0, X+\n\tcpc r20, r0\n\tld r0, X\n\tcpc r21, r0\n\t"
#define BOARD_STEP_MULTI_ASM \
    "clr %[res]\n\t" \
    "ldd r18, Z+%[w]\n\t" \
    "ldd r19, Z+%[w]+1\n\t" \
    "ldd r20, Z+%[w]+2\n\t" \
    "ldd r21, Z+%[w]+3\n\t" \
    "rjmp 10f\n\t" \
    "18:\n\t" \
    "rjmp 19f\n\t"                  /* (conditional branches reach 64 words) */ \
    "10:\n\t"                       /* Z = t, due, its waketime in r18..r21 */ \
    "ldd r22, Z+%[cnt]\n\t" \
    "ldd r23, Z+%[cnt]+1\n\t" \
    "subi r22, 1\n\t" \
    "sbci r23, 0\n\t" \
    "breq 18b\n\t"                  /* the run's last step: the caller's */ \
    "ldd r26, Z+%[pin]\n\t" \
    "ldd r27, Z+%[pin]+1\n\t" \
    "ldd r16, Z+%[bit]\n\t" \
    "st X, r16\n\t"                 /* the step edge (a PINx write toggles) */ \
    "std Z+%[cnt], r22\n\t" \
    "std Z+%[cnt]+1, r23\n\t" \
    "ldd r22, Z+%[iv]\n\t" \
    "ldd r23, Z+%[iv]+1\n\t" \
    "ldd r24, Z+%[add]\n\t" \
    "ldd r25, Z+%[add]+1\n\t" \
    "add r22, r24\n\t" \
    "adc r23, r25\n\t" \
    "std Z+%[iv], r22\n\t" \
    "std Z+%[iv]+1, r23\n\t" \
    "add r18, r22\n\t"              /* waketime += interval */ \
    "adc r19, r23\n\t" \
    "std Z+%[w], r18\n\t" \
    "std Z+%[w]+1, r19\n\t" \
    "brcc 11f\n\t" \
    "subi r20, 0xff\n\t" \
    "sbci r21, 0xff\n\t" \
    "std Z+%[w]+2, r20\n\t" \
    "std Z+%[w]+3, r21\n\t" \
    "11:\n\t" \
    "movw r24, r26\n\t"             /* the step pin, for the unstep */ \
    "cp %A[hint], r30\n\t" \
    "cpc %B[hint], r31\n\t" \
    "breq 12f\n\t"                  /* the hint is t itself */ \
    "movw r26, %[hint]\n\t" \
    "adiw r26, %[w]\n\t" \
    BOARD_STEP_MULTI_CMP_X \
    "brmi 12f\n\t"                  /* t before the hint */ \
    "movw r26, r24\n\t" \
    "ldd r0, Z+%[unstep]\n\t" \
    "st X, r0\n\t"                  /* unstep */ \
    "ldd r24, Z+%[next]\n\t"        /* the new head */ \
    "ldd r25, Z+%[next]+1\n\t" \
    "movw r26, %[hint]\n\t"         /* walk from the hint: its first step here */ \
    "ld r22, X+\n\t" \
    "ld r23, X\n\t" \
    "cp r22, __zero_reg__\n\t" \
    "cpc r23, __zero_reg__\n\t" \
    "breq 15f\n\t"                  /* the hint is last: t goes behind it */ \
    "rjmp 21f\n\t" \
    "17:\n\t"                       /* t stays first: end its pulse, leave */ \
    "rjmp .+0\n\trjmp .+0\n\trjmp .+0\n\trjmp .+0\n\t"  /* 8 cycles: the pulse */ \
    "movw r26, r24\n\t" \
    "ldd r0, Z+%[unstep]\n\t" \
    "st X, r0\n\t" \
    "inc %[res]\n\t" \
    "dec %[budget]\n\t" \
    "rjmp 19f\n\t" \
    "12:\n\t"                       /* compare with the next timer */ \
    "ldd r26, Z+%[next]\n\t" \
    "ldd r27, Z+%[next]+1\n\t" \
    "sbiw r26, 0\n\t" \
    "breq 17b\n\t"                  /* none: t stays first */ \
    "adiw r26, %[w]\n\t" \
    BOARD_STEP_MULTI_CMP_X \
    "brmi 17b\n\t"                  /* t before it: t stays first */ \
    "sbiw r26, %[w]+3\n\t" \
    "movw r16, r26\n\t" \
    "movw r26, r24\n\t" \
    "ldd r0, Z+%[unstep]\n\t" \
    "st X, r0\n\t"                  /* unstep */ \
    "movw r24, r16\n\t"             /* the new head */ \
    "movw r26, r16\n\t"             /* walk from it */ \
    "13:\n\t"                       /* r24:25 the new head; X = prev, due no later than t */ \
    "14:\n\t" \
    "ld r22, X+\n\t"                /* pos = prev->next; X = &prev->next + 1 */ \
    "ld r23, X\n\t" \
    "cp r22, __zero_reg__\n\t" \
    "cpc r23, __zero_reg__\n\t" \
    "breq 15f\n\t" \
    "21:\n\t" \
    "movw r16, r26\n\t" \
    "movw r26, r22\n\t" \
    "adiw r26, %[w]\n\t" \
    BOARD_STEP_MULTI_CMP_X \
    "brmi 16f\n\t"                  /* t before pos: between prev and pos */ \
    "movw r26, r22\n\t"             /* prev = pos */ \
    "rjmp 14b\n\t" \
    "16:\n\t" \
    "movw r26, r16\n\t" \
    "15:\n\t"                       /* t->next = pos, prev->next = t, hint = t */ \
    "std Z+%[next], r22\n\t" \
    "std Z+%[next]+1, r23\n\t" \
    "st X, r31\n\t" \
    "st -X, r30\n\t" \
    "movw %[hint], r30\n\t" \
    "movw r30, r24\n\t"             /* the next head */ \
    "dec %[budget]\n\t" \
    "breq 19f\n\t" \
    "lds r0, %[ucsra]\n\t" \
    "sbrc r0, %[rxc]\n\t" \
    "rjmp 19f\n\t"                  /* a received byte: leave for the UART */ \
    "ldd r16, Z+%[func]\n\t" \
    "ldd r17, Z+%[func]+1\n\t" \
    "cpi r16, lo8(%[fn])\n\t" \
    "ldi r16, hi8(%[fn])\n\t" \
    "cpc r17, r16\n\t" \
    "brne 19f\n\t"                  /* another event */ \
    "ldd r18, Z+%[w]\n\t" \
    "ldd r19, Z+%[w]+1\n\t" \
    "ldd r20, Z+%[w]+2\n\t" \
    "ldd r21, Z+%[w]+3\n\t" \
    "cp %A[now], r18\n\t" \
    "cpc %B[now], r19\n\t" \
    "cpc %C[now], r20\n\t" \
    "cpc %D[now], r21\n\t" \
    "brmi 20f\n\t" \
    "rjmp 10b\n\t"                  /* due by now */ \
    "20:\n\t" \
    "lds r22, %[tcnt]\n\t"          /* now += TCNT1 - (uint16_t)now */ \
    "lds r23, %[tcnt]+1\n\t" \
    "sub r22, %A[now]\n\t" \
    "sbc r23, %B[now]\n\t" \
    "add %A[now], r22\n\t" \
    "adc %B[now], r23\n\t" \
    "adc %C[now], __zero_reg__\n\t" \
    "adc %D[now], __zero_reg__\n\t" \
    "cp %A[now], r18\n\t" \
    "cpc %B[now], r19\n\t" \
    "cpc %C[now], r20\n\t" \
    "cpc %D[now], r21\n\t" \
    "brmi 19f\n\t"                  /* not due: the caller waits or arms the timer */ \
    "rjmp 10b\n\t" \
    "19:\n\t"

// The one-step events hold the pulse for their arithmetic, 88 cycles at the least (measured in
// simavr, avr-gcc 5.4 -Os); a step_pulse_ticks above this margin is waited out on TCNT1.
// test/firmware/avr-sim.test.ts checks the widths.
#define BOARD_STEP_PULSE_INLINE_TICKS 48

#endif
