#ifndef TEST_BOARD_H
#define TEST_BOARD_H
// A board for tests: the clock is set by the test, pins and sent blocks are recorded.
#include <stdint.h>

extern uint32_t test_clock;
extern uint32_t test_late_limit;
extern uint8_t test_pin_level[256];
extern uint16_t test_adc_value[256];
extern uint32_t test_pwm_value[256];

// Every step-pin edge seen (pin, time) in order.
#define TEST_MAX_EDGES 4096
struct test_edge { uint8_t pin, level; uint32_t clock; };
extern struct test_edge test_edges[TEST_MAX_EDGES];
extern int test_edge_count;

// Blocks the core sent.
#define TEST_MAX_SENT 256
extern uint8_t test_sent[TEST_MAX_SENT][64];
extern uint8_t test_sent_len[TEST_MAX_SENT];
extern int test_sent_count;

void test_board_reset(void);
// Move the clock forward to `clock`, running every timer due on the way at its own time.
void test_advance_to(uint32_t clock);

#endif
