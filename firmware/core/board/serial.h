#ifndef BOARD_SERIAL_H
#define BOARD_SERIAL_H
#include <stdint.h>

// Send one complete framed block (header, payload, CRC, sync). Received bytes are handed to
// command_receive() (core/command.h) by the board.
void serial_send_block(const uint8_t *block, uint_fast8_t len);

#endif
