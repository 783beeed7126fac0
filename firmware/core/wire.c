// Message blocks on the wire: CRC16, VLQ integers, block finding (shared/PROTOCOL.md 1.1-1.3).
#include "wire.h"

uint16_t wire_crc16(const uint8_t *buf, uint_fast16_t len)
{
    uint16_t crc = 0xffff;
    while (len--) {
        uint8_t d = *buf++ ^ (uint8_t)(crc & 0xff);
        d ^= (uint8_t)(d << 4);
        crc = (uint16_t)((((uint16_t)d << 8) | (crc >> 8)) ^ (uint8_t)(d >> 4)
                         ^ ((uint16_t)d << 3));
    }
    return crc;
}

uint8_t *wire_encode_vlq(uint8_t *p, uint32_t v)
{
    // The size decision treats v as signed so small negatives stay short.
    int32_t sv = (int32_t)v;
    if (sv < (3L << 5) && sv >= -(1L << 5)) goto f4;
    if (sv < (3L << 12) && sv >= -(1L << 12)) goto f3;
    if (sv < (3L << 19) && sv >= -(1L << 19)) goto f2;
    if (sv < (3L << 26) && sv >= -(1L << 26)) goto f1;
    *p++ = (uint8_t)((sv >> 28) | 0x80);  // arithmetic shift: negatives start 0xf8
f1: *p++ = (uint8_t)(((v >> 21) & 0x7f) | 0x80);
f2: *p++ = (uint8_t)(((v >> 14) & 0x7f) | 0x80);
f3: *p++ = (uint8_t)(((v >> 7) & 0x7f) | 0x80);
f4: *p++ = (uint8_t)(v & 0x7f);
    return p;
}

const uint8_t *wire_decode_vlq(const uint8_t *p, const uint8_t *end, uint32_t *v)
{
    if (p >= end)
        return 0;
    uint8_t c = *p++;
    uint32_t r = c & 0x7f;
    if ((c & 0x60) == 0x60)
        r |= ~(uint32_t)0x1f;  // negative: sign-extend from the first group
    while (c & 0x80) {
        if (p >= end)
            return 0;
        c = *p++;
        r = (r << 7) | (c & 0x7f);
    }
    *v = r;
    return p;
}

static uint_fast16_t skip_past_next_sync(const uint8_t *buf, uint_fast16_t len)
{
    for (uint_fast16_t i = 1; i < len; i++)
        if (buf[i] == MESSAGE_SYNC)
            return i + 1;
    return len;
}

enum wire_block_status wire_find_block(const uint8_t *buf, uint_fast16_t len,
                                       uint_fast16_t *consumed)
{
    if (len && buf[0] == MESSAGE_SYNC) {
        uint_fast16_t n = 0;
        while (n < len && buf[n] == MESSAGE_SYNC)
            n++;
        *consumed = n;
        return WIRE_SKIP_SYNC;
    }
    if (len < MESSAGE_MIN)
        return WIRE_NEED_MORE;
    uint_fast8_t msglen = buf[MESSAGE_POS_LEN];
    if (msglen < MESSAGE_MIN || msglen > MESSAGE_MAX
        || (buf[MESSAGE_POS_SEQ] & ~MESSAGE_SEQ_MASK) != MESSAGE_DEST) {
        *consumed = skip_past_next_sync(buf, len);
        return WIRE_GARBAGE;
    }
    if (len < msglen)
        return WIRE_NEED_MORE;
    if (buf[msglen - 1] != MESSAGE_SYNC) {
        *consumed = skip_past_next_sync(buf, len);
        return WIRE_GARBAGE;
    }
    *consumed = msglen;
    return WIRE_BLOCK;
}

int wire_block_crc_ok(const uint8_t *block, uint_fast8_t len)
{
    uint16_t crc = wire_crc16(block, len - MESSAGE_TRAILER_SIZE);
    return block[len - 3] == (uint8_t)(crc >> 8) && block[len - 2] == (uint8_t)(crc & 0xff);
}

uint_fast8_t wire_finish_block(uint8_t *block, uint_fast8_t payload_len, uint8_t seq)
{
    uint_fast8_t len = payload_len + MESSAGE_MIN;
    block[MESSAGE_POS_LEN] = (uint8_t)len;
    block[MESSAGE_POS_SEQ] = (uint8_t)(MESSAGE_DEST | (seq & MESSAGE_SEQ_MASK));
    uint16_t crc = wire_crc16(block, len - MESSAGE_TRAILER_SIZE);
    block[len - 3] = (uint8_t)(crc >> 8);
    block[len - 2] = (uint8_t)(crc & 0xff);
    block[len - 1] = MESSAGE_SYNC;
    return len;
}
