#ifndef CORE_WIRE_H
#define CORE_WIRE_H
// Message blocks on the wire (shared/PROTOCOL.md 1.1-1.3): CRC16, VLQ integers, block finding.
#include <stdint.h>

#define MESSAGE_MIN 5
#define MESSAGE_MAX 64
#define MESSAGE_HEADER_SIZE 2
#define MESSAGE_TRAILER_SIZE 3
#define MESSAGE_PAYLOAD_MAX (MESSAGE_MAX - MESSAGE_MIN)
#define MESSAGE_POS_LEN 0
#define MESSAGE_POS_SEQ 1
#define MESSAGE_DEST 0x10
#define MESSAGE_SEQ_MASK 0x0f
#define MESSAGE_SYNC 0x7e

// CRC-16/MCRF4XX (reflected CCITT, init 0xFFFF, no final XOR).
uint16_t wire_crc16(const uint8_t *buf, uint_fast16_t len);

// Write v as a VLQ (signed-aware size choice); returns the position after it (at most 5 bytes).
uint8_t *wire_encode_vlq(uint8_t *p, uint32_t v);
// Read one VLQ; returns the position after it, or 0 if it runs past end.
const uint8_t *wire_decode_vlq(const uint8_t *p, const uint8_t *end, uint32_t *v);

enum wire_block_status {
    WIRE_NEED_MORE,  // not enough bytes yet
    WIRE_BLOCK,      // a well-framed block of *consumed bytes (CRC checked by the caller)
    WIRE_SKIP_SYNC,  // leading sync bytes to drop silently
    WIRE_GARBAGE,    // framing error: drop *consumed bytes (caller may NAK once)
};
// Look at the start of buf for a block. Sets *consumed for every status but NEED_MORE.
enum wire_block_status wire_find_block(const uint8_t *buf, uint_fast16_t len,
                                       uint_fast16_t *consumed);
// Check the CRC of a well-framed block.
int wire_block_crc_ok(const uint8_t *block, uint_fast8_t len);
// Fill header and trailer around a payload already at block[2..]; returns the block length.
uint_fast8_t wire_finish_block(uint8_t *block, uint_fast8_t payload_len, uint8_t seq);

#endif
