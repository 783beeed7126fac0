#ifndef BOARD_MISC_H
#define BOARD_MISC_H
#include <stdint.h>

struct command_parser;

// The "reset" command: restart the MCU (watchdog on AVR, state re-init on the sim).
void board_reset(void);

// Observation hooks: a simulating board records what the core did (trace file); hardware
// boards implement them as empty functions.
// cp points into command_index, which is in flash on AVR: read its members with READP
// (board/progmem.h).
void observe_command(const struct command_parser *cp, const uint32_t *args);
void observe_stepper_config(uint8_t oid, uint8_t step_pin, uint8_t dir_pin, int8_t invert_step);
void observe_stepper_move_done(uint8_t oid, uint32_t clock, int32_t position);
// Fault injection on received blocks: return 1 to drop the block (it may also be altered).
// Hardware boards return 0.
int observe_rx_block(uint8_t *block, uint_fast8_t len);

#endif
