// Receiving blocks (sequence, ACK/NAK), dispatching commands and framing responses.
#include <string.h>
#include "command.h"
#include "wire.h"
#include "sched.h"
#include "board/serial.h"
#include "board/misc.h"
#include "board/irq.h"
#include "gen/dict.h"

#include "board_types.h"

#ifdef BOARD_RX_BUF_SIZE
#define RX_BUF_SIZE BOARD_RX_BUF_SIZE
#else
#define RX_BUF_SIZE 1024  // must exceed RECEIVE_WINDOW plus one block
#endif
#define MAX_ARGS 24

static uint8_t rx_buf[RX_BUF_SIZE];
static uint_fast16_t rx_len;
static uint8_t next_sequence;   // the host block seq we expect next
static uint8_t in_error_episode;  // NAK already sent for the current run of garbage
static const uint8_t *current_payload;

void command_reset_link(void)
{
    rx_len = 0;
    next_sequence = 0;
    in_error_episode = 0;
}

void command_receive(const uint8_t *data, uint_fast16_t len)
{
    irqstatus_t flag = irq_save();
    uint_fast16_t room = RX_BUF_SIZE - rx_len;
    if (len > room)
        len = room;  // overflow: the host's flow control should prevent it; it will retransmit
    memcpy(&rx_buf[rx_len], data, len);
    rx_len += len;
    irq_restore(flag);
}

static void send_empty_block(void)
{
    uint8_t block[MESSAGE_MIN];
    uint_fast8_t len = wire_finish_block(block, 0, next_sequence);
    serial_send_block(block, len);
}

static void pop_rx(uint_fast16_t n)
{
    irqstatus_t flag = irq_save();
    memmove(rx_buf, &rx_buf[n], rx_len - n);
    rx_len -= n;
    irq_restore(flag);
}

void command_task(void)
{
    for (;;) {
        uint8_t block[MESSAGE_MAX];
        uint_fast16_t consumed = 0;
        irqstatus_t flag = irq_save();
        enum wire_block_status st = wire_find_block(rx_buf, rx_len, &consumed);
        if (st == WIRE_BLOCK)
            memcpy(block, rx_buf, consumed);
        irq_restore(flag);
        if (st == WIRE_NEED_MORE)
            return;
        pop_rx(consumed);
        if (st == WIRE_SKIP_SYNC)
            continue;
        if (st == WIRE_BLOCK && observe_rx_block(block, (uint_fast8_t)consumed))
            continue;  // simulated loss on the link
        if (st == WIRE_GARBAGE || !wire_block_crc_ok(block, (uint_fast8_t)consumed)) {
            // One NAK per error episode; quiet until a valid block arrives.
            if (!in_error_episode) {
                in_error_episode = 1;
                send_empty_block();
            }
            continue;
        }
        in_error_episode = 0;
        if ((block[MESSAGE_POS_SEQ] & MESSAGE_SEQ_MASK) != next_sequence) {
            send_empty_block();  // out of order: NAK with the unchanged expected seq
            continue;
        }
        next_sequence = (next_sequence + 1) & MESSAGE_SEQ_MASK;
        send_empty_block();  // ACK before running, so a shutdown inside cannot lose it
        command_dispatch(&block[MESSAGE_HEADER_SIZE],
                         (uint_fast8_t)(consumed - MESSAGE_MIN));
    }
}

const uint8_t *command_arg_bytes(uint32_t handle)
{
    return current_payload + handle;
}

void command_dispatch(const uint8_t *payload, uint_fast8_t len)
{
    const uint8_t *p = payload, *end = payload + len;
    current_payload = payload;
    while (p < end) {
        uint32_t raw_id;
        p = wire_decode_vlq(p, end, &raw_id);
        if (!p)
            shutdown("Command parser error");
        int32_t id = (int32_t)raw_id;
        if (id < 0)
            id += 128;  // 1-byte ids 96..127 decode as negative numbers
        if (id < 0 || id >= command_index_size)
            shutdown("Invalid command");
        // The table is in flash on AVR (READP); cp is only passed on to observe_command.
        const struct command_parser *cp = &command_index[id];
        void (*handler)(const uint32_t *args) = READP(cp->handler);
        if (!handler)
            shutdown("Invalid command");
        const uint8_t *param_types = READP(cp->param_types);
        uint_fast8_t num_params = READP(cp->num_params);
        uint32_t args[MAX_ARGS];
        uint_fast8_t ai = 0;
        for (uint_fast8_t i = 0; i < num_params; i++) {
            uint8_t t = READP(param_types[i]);
            if (t == PT_string || t == PT_buffer || t == PT_progmem_buffer) {
                if (p >= end)
                    shutdown("Command parser error");
                uint_fast8_t blen = *p++;
                if ((int)blen > end - p)
                    shutdown("Command parser error");
                args[ai++] = blen;
                args[ai++] = (uint32_t)(p - payload);
                p += blen;
                continue;
            }
            uint32_t v;
            p = wire_decode_vlq(p, end, &v);
            if (!p)
                shutdown("Command parser error");
            switch (t) {
            case PT_byte: v = (uint8_t)v; break;
            case PT_uint16: v = (uint16_t)v; break;
            case PT_int16: v = (uint32_t)(int32_t)(int16_t)v; break;
            default: break;
            }
            args[ai++] = v;
        }
        if (sched_is_shutdown() && !(READP(cp->flags) & HF_IN_SHUTDOWN)) {
            send_is_shutdown(sched_shutdown_reason());
            continue;
        }
        observe_command(cp, args);
        handler(args);
    }
}

// Responses: one message per block, built in place after the 2-byte header.
// Room for a whole encoded message before the size check (ints are at most 5 bytes each).
static uint8_t tx_block[MESSAGE_HEADER_SIZE + 2 * MESSAGE_MAX + MESSAGE_TRAILER_SIZE];

uint8_t *command_response_begin(uint16_t msgid)
{
    // Ids 96..127 are listed in the dictionary as -32..-1 (same single byte on the wire).
    int32_t wire_id = (msgid >= 96 && msgid < 128) ? (int32_t)msgid - 128 : (int32_t)msgid;
    return wire_encode_vlq(&tx_block[MESSAGE_HEADER_SIZE], (uint32_t)wire_id);
}

uint8_t *command_response_bytes(uint8_t *p, const uint8_t *data, uint_fast8_t len)
{
    if (p + 1 + len > &tx_block[MESSAGE_HEADER_SIZE + MESSAGE_PAYLOAD_MAX])
        shutdown("Message encode error");
    *p++ = len;
    memcpy(p, data, len);
    return p + len;
}

void command_response_end(uint8_t *p)
{
    uint_fast16_t payload_len = p - &tx_block[MESSAGE_HEADER_SIZE];
    if (payload_len > MESSAGE_PAYLOAD_MAX)
        shutdown("Message encode error");
    uint_fast8_t len = wire_finish_block(tx_block, (uint_fast8_t)payload_len, next_sequence);
    serial_send_block(tx_block, len);
}

uint16_t static_string_lookup(const char *msg)
{
    for (uint16_t i = 0; i < static_strings_count; i++) {
        // The pointers are BOARD_PROGMEM, the texts are not: on AVR, shutdown() resolves ids at
        // compile time instead (sched.h), so this table is left out of the image there.
        const char *s = READP(static_strings[i]);
        if (s && strcmp(s, msg) == 0)
            return i;
    }
    return 0;
}
