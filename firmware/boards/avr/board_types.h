#ifndef AVR_BOARD_TYPES_H
#define AVR_BOARD_TYPES_H
// AVR pin handles and memory sizes (see core/board/README.md).
#include <stdint.h>
#include <avr/io.h>

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

// The one-step events hold the pulse for their arithmetic, 88 cycles at the least (measured in
// simavr, avr-gcc 5.4 -Os); a step_pulse_ticks above this margin is waited out on TCNT1.
// test/firmware/avr-sim.test.ts checks the widths.
#define BOARD_STEP_PULSE_INLINE_TICKS 48

#endif
