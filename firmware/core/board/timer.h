#ifndef BOARD_TIMER_H
#define BOARD_TIMER_H
#include <stdint.h>

// The free-running 32-bit MCU clock at CLOCK_FREQ.
uint32_t timer_read_time(void);
// The timer list head changed: make the board call sched_timer_dispatch() by then.
void timer_kick(void);
// How late (ticks) a timer may run before the core declares "Rescheduled timer in the past".
uint32_t timer_late_limit_ticks(void);

#endif
