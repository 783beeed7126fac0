#ifndef BOARD_PROGMEM_H
#define BOARD_PROGMEM_H
// Read-only tables (the generated dispatch table, parameter types, board pin tables).
// On AVR, const data is copied into RAM at boot like any initialised variable, unless it is
// placed in flash and read with special instructions (lpm): there board_types.h defines
//   BOARD_PROGMEM   the attribute that puts a table in flash
//   READP(x)        one scalar (integer or pointer, 1, 2 or 4 bytes) read from such a table
// Boards without it (sim, STM32, the test board) read flash like RAM: plain const.
// Every read of a BOARD_PROGMEM table goes through READP; a direct read compiles on AVR but
// returns whatever the RAM at that address holds.
#include "board_types.h"

#ifndef BOARD_PROGMEM
#define BOARD_PROGMEM
#define READP(x) (x)
#endif

#endif
