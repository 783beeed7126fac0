// C unit tests of the firmware core on the scripted test board. Exit status 0 = all passed.
// Each check prints its own line so a failure names what and where.
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "command.h"
#include "sched.h"
#include "wire.h"
#include "test_board.h"

static int failures, checks;
static const char *current_test;
#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; \
    printf("FAIL %s (%s:%d): ", current_test, __FILE__, __LINE__); printf(__VA_ARGS__); \
    printf("\n"); } } while (0)

// ---- shutdown capture ----
static jmp_buf test_jb;
#define EXPECT_SHUTDOWN(reason, stmt) do { \
    jmp_buf jb_; jmp_buf *prev_ = sched_shutdown_jmp; sched_shutdown_jmp = &jb_; \
    if (!setjmp(jb_)) { stmt; CHECK(0, "expected shutdown \"%s\" did not happen", reason); } \
    else CHECK(sched_shutdown_reason() == static_string_lookup(reason), \
               "shutdown reason \"%s\", expected \"%s\"", \
               static_strings[sched_shutdown_reason()], reason); \
    sched_shutdown_jmp = prev_; } while (0)

// ---- building commands from the generated dictionary ----
static int message_id(const char *name, int response)
{
    size_t n = strlen(name);
    if (response) {
        for (int i = 0; response_index[i].format; i++) {
            const char *f = response_index[i].format;
            if (!strncmp(f, name, n) && (f[n] == ' ' || f[n] == 0))
                return response_index[i].id;
        }
    } else {
        for (int i = 0; i < command_index_size; i++) {
            const char *f = command_index[i].format;
            if (f && !strncmp(f, name, n) && (f[n] == ' ' || f[n] == 0))
                return i;
        }
    }
    printf("no message named %s\n", name);
    exit(2);
}

struct msg { uint8_t buf[64]; int len; };
static void msg_begin(struct msg *m, const char *name)
{
    int id = message_id(name, 0);
    uint8_t *p = wire_encode_vlq(m->buf, (uint32_t)(id >= 96 && id < 128 ? id - 128 : id));
    m->len = (int)(p - m->buf);
}
static void msg_u32(struct msg *m, uint32_t v)
{
    m->len = (int)(wire_encode_vlq(m->buf + m->len, v) - m->buf);
}
static void msg_bytes(struct msg *m, const void *data, uint8_t len)
{
    m->buf[m->len++] = len;
    memcpy(m->buf + m->len, data, len);
    m->len += len;
}

// Build and run a command: cmd("queue_step", 4, oid, interval, count, add).
static void cmd(const char *name, int n, ...)
{
    struct msg m;
    msg_begin(&m, name);
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        msg_u32(&m, va_arg(ap, uint32_t));
    va_end(ap);
    command_dispatch(m.buf, (uint_fast8_t)m.len);
}

static uint8_t host_seq;
static void send_block(const uint8_t *payload, int len, uint8_t seq)
{
    uint8_t block[64];
    memcpy(block + 2, payload, len);
    uint_fast8_t n = wire_finish_block(block, (uint_fast8_t)len, seq);
    command_receive(block, n);
}

// Find the next sent response with this name from index *from; decode its integer params.
static int find_response(int *from, const char *name, uint32_t *params, int max)
{
    int want = message_id(name, 1);
    for (; *from < test_sent_count; (*from)++) {
        const uint8_t *b = test_sent[*from];
        const uint8_t *p = b + 2, *end = b + test_sent_len[*from] - 3;
        uint32_t id;
        if (p >= end || !(p = wire_decode_vlq(p, end, &id)))
            continue;
        int iid = (int32_t)id < 0 ? (int32_t)id + 128 : (int)id;
        if (iid != want)
            continue;
        int i = 0;
        while (p < end && i < max) {
            if (!(p = wire_decode_vlq(p, end, &params[i++])))
                break;
        }
        (*from)++;
        return 1;
    }
    return 0;
}

// ---- tests ----
static void test_crc(void)
{
    CHECK(wire_crc16((const uint8_t *)"123456789", 9) == 0x6F91, "crc %04x",
          wire_crc16((const uint8_t *)"123456789", 9));
    // PROTOCOL.md 1.1 worked examples.
    uint8_t block[64] = { 0, 0, 0x01, 0x00, 0x28 };
    uint_fast8_t n = wire_finish_block(block, 3, 1);
    const uint8_t identify[] = { 0x08, 0x11, 0x01, 0x00, 0x28, 0x42, 0x24, 0x7e };
    CHECK(n == 8 && !memcmp(block, identify, 8), "identify block bytes");
    n = wire_finish_block(block, 0, 2);
    const uint8_t ack[] = { 0x05, 0x12, 0xbd, 0x93, 0x7e };
    CHECK(n == 5 && !memcmp(block, ack, 5), "ack block bytes");
    const uint8_t starting[] = { 0x06, 0x10, 0x71, 0x18, 0x75, 0x7e };
    CHECK(wire_block_crc_ok(starting, 6), "starting block crc");
}

static void test_vlq(void)
{
    static const struct { int32_t v; uint8_t len; uint8_t bytes[5]; } cases[] = {
        { 0, 1, { 0x00 } }, { 95, 1, { 0x5f } }, { 96, 2, { 0x80, 0x60 } },
        { -1, 1, { 0x7f } }, { -32, 1, { 0x60 } }, { -33, 2, { 0xff, 0x5f } },
        { 12287, 2, { 0xdf, 0x7f } }, { 12288, 3, { 0x80, 0xe0, 0x00 } },
        { -4096, 2, { 0xe0, 0x00 } }, { 2147483647, 5, { 0x87, 0xff, 0xff, 0xff, 0x7f } },
        { (int32_t)0x80000000, 5, { 0xf8, 0x80, 0x80, 0x80, 0x00 } },
        { 1572863, 3, { 0xdf, 0xff, 0x7f } }, { 1572864, 4, { 0x80, 0xe0, 0x80, 0x00 } },
        { -524288, 3, { 0xe0, 0x80, 0x00 } }, { -524289, 4, { 0xff, 0xdf, 0xff, 0x7f } },
        { 201326591, 4, { 0xdf, 0xff, 0xff, 0x7f } }, { -67108864, 4, { 0xe0, 0x80, 0x80, 0x00 } },
        { 201326592, 5, { 0x80, 0xe0, 0x80, 0x80, 0x00 } },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t buf[8];
        uint8_t *end = wire_encode_vlq(buf, (uint32_t)cases[i].v);
        CHECK(end - buf == cases[i].len && !memcmp(buf, cases[i].bytes, cases[i].len),
              "encode %d: %d bytes", cases[i].v, (int)(end - buf));
        uint32_t v = 0;
        const uint8_t *p = wire_decode_vlq(cases[i].bytes, cases[i].bytes + cases[i].len, &v);
        CHECK(p == cases[i].bytes + cases[i].len && (int32_t)v == cases[i].v,
              "decode %d got %d", cases[i].v, (int32_t)v);
    }
    // The Python host's 5-byte form of 0xFFFFFFFF decodes to the same pattern as 7f.
    const uint8_t host_ff[] = { 0x8f, 0xff, 0xff, 0xff, 0x7f };
    uint32_t v = 0;
    wire_decode_vlq(host_ff, host_ff + 5, &v);
    CHECK(v == 0xffffffff, "decode 8f ff ff ff 7f -> %08x", v);
    // Truncated input is rejected, never read past end.
    CHECK(wire_decode_vlq(host_ff, host_ff + 3, &v) == 0, "truncated vlq rejected");
}

static int count_empty_blocks(int from, uint8_t seq)
{
    int n = 0;
    for (int i = from; i < test_sent_count; i++)
        if (test_sent_len[i] == 5 && (test_sent[i][1] & 0x0f) == seq)
            n++;
    return n;
}

static void test_framing(void)
{
    struct msg m;
    msg_begin(&m, "debug_nop");
    // Leading syncs are skipped silently; a good block is ACKed with the next seq.
    const uint8_t syncs[] = { 0x7e, 0x7e, 0x7e };
    command_receive(syncs, 3);
    send_block(m.buf, m.len, 0);
    command_task();
    CHECK(test_sent_count == 1 && test_sent_len[0] == 5 && test_sent[0][1] == 0x11,
          "ack after first block (sent %d)", test_sent_count);
    // A run of garbage and CRC errors gives exactly one NAK (expected seq stays 1).
    const uint8_t garbage[] = { 0x03, 0x99, 0x12, 0x7e, 0x40, 0x41, 0x7e };
    int mark = test_sent_count;
    command_receive(garbage, sizeof(garbage));
    uint8_t bad[64];
    memcpy(bad + 2, m.buf, m.len);
    uint_fast8_t n = wire_finish_block(bad, (uint_fast8_t)m.len, 1);
    bad[n - 2] ^= 0x55;  // corrupt the CRC
    command_receive(bad, n);
    command_receive(bad, n);
    command_task();
    CHECK(count_empty_blocks(mark, 1) == 1 && test_sent_count == mark + 1,
          "one NAK per error episode (sent %d)", test_sent_count - mark);
    // The next good block ends the episode and is accepted.
    mark = test_sent_count;
    send_block(m.buf, m.len, 1);
    command_task();
    CHECK(test_sent_count == mark + 1 && test_sent[mark][1] == 0x12, "accepted after resync");
    // An out-of-order block (good CRC, wrong seq) is NAKed with the unchanged expected seq.
    mark = test_sent_count;
    send_block(m.buf, m.len, 5);
    command_task();
    CHECK(test_sent_count == mark + 1 && test_sent[mark][1] == 0x12, "NAK for wrong seq");
    // A block split across reads waits for the rest.
    uint8_t whole[64];
    memcpy(whole + 2, m.buf, m.len);
    n = wire_finish_block(whole, (uint_fast8_t)m.len, 2);
    mark = test_sent_count;
    command_receive(whole, 3);
    command_task();
    CHECK(test_sent_count == mark, "partial block waits");
    command_receive(whole + 3, n - 3);
    command_task();
    CHECK(test_sent_count == mark + 1 && test_sent[mark][1] == 0x13, "joined block accepted");
}

static void test_dispatch(void)
{
    // A ping answers with the same bytes; two commands in one block both run.
    struct msg m;
    msg_begin(&m, "debug_ping");
    msg_bytes(&m, "hello", 5);
    int id = message_id("get_clock", 0);
    m.len = (int)(wire_encode_vlq(m.buf + m.len, (uint32_t)(id >= 96 && id < 128 ? id - 128 : id)) - m.buf);
    test_clock = 12345;
    send_block(m.buf, m.len, 0);
    command_task();
    int from = 0;
    uint32_t p[8];
    int found = 0;
    for (; from < test_sent_count; from++) {
        const uint8_t *b = test_sent[from];
        if (test_sent_len[from] == 5 + 1 + 1 + 5 && !memcmp(b + 4, "hello", 5))
            found = 1;
    }
    CHECK(found, "pong carries the ping data");
    from = 0;
    CHECK(find_response(&from, "clock", p, 8) && p[0] == 12345, "clock response");
    // get_config before configuration.
    from = test_sent_count;
    cmd("get_config", 0);
    CHECK(find_response(&from, "config", p, 8) && p[0] == 0 && p[2] == 0, "config: not configured");
    // Unknown id and truncated arguments shut down with named reasons.
    const uint8_t unknown[] = { 0x90, 0x00 };
    EXPECT_SHUTDOWN("Invalid command", command_dispatch(unknown, 2));
    sched_clear_shutdown();
    uint8_t trunc[8];
    int qid = message_id("queue_step", 0);
    trunc[0] = (uint8_t)qid;
    trunc[1] = 0x01;  // oid only, no interval
    EXPECT_SHUTDOWN("Command parser error", command_dispatch(trunc, 2));
    // While shut down: allowed commands answer, others get is_shutdown.
    from = test_sent_count;
    cmd("allocate_oids", 1, 3);
    CHECK(find_response(&from, "is_shutdown", p, 8)
          && p[0] == static_string_lookup("Command parser error"), "is_shutdown reply");
    from = test_sent_count;
    cmd("get_config", 0);
    CHECK(find_response(&from, "config", p, 8) && p[2] == 1, "config reports is_shutdown");
    // Already shut down: emergency_stop keeps the first reason.
    EXPECT_SHUTDOWN("Command parser error", cmd("emergency_stop", 0));
    cmd("clear_shutdown", 0);
    CHECK(!sched_is_shutdown(), "clear_shutdown");
    EXPECT_SHUTDOWN("Shutdown cleared when not shutdown", cmd("clear_shutdown", 0));
    cmd("clear_shutdown", 0);
    EXPECT_SHUTDOWN("Command request", cmd("emergency_stop", 0));
}

static void test_oid_rules(void)
{
    EXPECT_SHUTDOWN("Can't assign oid", cmd("config_trsync", 1, 0));
    test_board_reset();
    cmd("allocate_oids", 1, 2);
    EXPECT_SHUTDOWN("oids already allocated", cmd("allocate_oids", 1, 2));
    test_board_reset();
    cmd("allocate_oids", 1, 2);
    cmd("config_trsync", 1, 0);
    EXPECT_SHUTDOWN("Can't assign oid", cmd("config_trsync", 1, 0));
    test_board_reset();
    cmd("allocate_oids", 1, 2);
    EXPECT_SHUTDOWN("Can't assign oid", cmd("config_trsync", 1, 2));
    test_board_reset();
    cmd("allocate_oids", 1, 2);
    cmd("config_trsync", 1, 0);
    EXPECT_SHUTDOWN("Invalid oid type", cmd("stepper_get_position", 1, 0));
    test_board_reset();
    cmd("allocate_oids", 1, 2);
    cmd("config_trsync", 1, 0);
    cmd("finalize_config", 1, 0xdeadbeef);
    uint32_t p[8];
    int from = test_sent_count;
    cmd("get_config", 0);
    CHECK(find_response(&from, "config", p, 8) && p[0] == 1 && p[1] == 0xdeadbeef && p[3] > 0,
          "config after finalize (move_count %u)", p[3]);
    EXPECT_SHUTDOWN("Already finalized", cmd("config_trsync", 1, 1));
}

static void config_stepper(uint8_t oid, int invert_step)
{
    cmd("config_stepper", 5, oid, 10 + oid * 2, 11 + oid * 2, (uint32_t)invert_step, 0);
}

static void test_queue_step_math(void)
{
    cmd("allocate_oids", 1, 2);
    config_stepper(0, 0);
    config_stepper(1, -1);  // both-edge stepping
    cmd("finalize_config", 1, 0);
    cmd("reset_step_clock", 2, 0, 1000);
    cmd("set_next_step_dir", 2, 0, 1);
    cmd("queue_step", 4, 0, 200, 20, 7);
    cmd("set_next_step_dir", 2, 0, 0);
    cmd("queue_step", 4, 0, 300, 5, (uint32_t)-3);
    cmd("reset_step_clock", 2, 1, 1000);
    cmd("queue_step", 4, 1, 150, 10, 0);
    test_advance_to(20000);
    // Expected step times of oid 0: rising edges of pin 10.
    uint32_t expect[25];
    uint32_t t0 = 1000;
    for (int k = 1; k <= 20; k++)
        expect[k - 1] = t0 + k * 200 + 7 * k * (k - 1) / 2;
    t0 = expect[19];
    for (int k = 1; k <= 5; k++)
        expect[19 + k] = t0 + k * 300 - 3 * k * (k - 1) / 2;
    int n = 0, ok = 1, both = 0;
    for (int i = 0; i < test_edge_count; i++) {
        if (test_edges[i].pin == 10 && test_edges[i].level == 1) {
            if (n < 25 && test_edges[i].clock != expect[n]) {
                ok = 0;
                printf("  step %d at %u, expected %u\n", n + 1, test_edges[i].clock, expect[n]);
            }
            n++;
        }
        if (test_edges[i].pin == 12)
            both++;
    }
    CHECK(n == 25 && ok, "25 steps at t0 + k*interval + add*k*(k-1)/2 (got %d)", n);
    CHECK(both == 10, "both-edge stepper: 10 toggles for 10 steps (got %d)", both);
    uint32_t p[8];
    int from = test_sent_count;
    cmd("stepper_get_position", 1, 0);
    CHECK(find_response(&from, "stepper_position", p, 8) && (int32_t)p[1] == 20 - 5,
          "position = 20 forward - 5 back (got %d)", (int32_t)p[1]);
    CHECK(test_pin_level[11] == 0, "dir pin low after the backward run");
    // Errors.
    EXPECT_SHUTDOWN("Invalid count parameter", cmd("queue_step", 4, 0, 100, 0, 0));
}

static void test_stepper_errors(void)
{
    cmd("allocate_oids", 1, 1);
    config_stepper(0, 0);
    cmd("finalize_config", 1, 0);
    cmd("reset_step_clock", 2, 0, 1000);
    cmd("queue_step", 4, 0, 100000, 2, 0);
    EXPECT_SHUTDOWN("Can't reset time when stepper active", cmd("reset_step_clock", 2, 0, 5000));
    test_board_reset();
    cmd("allocate_oids", 1, 1);
    config_stepper(0, 0);
    cmd("finalize_config", 1, 0);
    test_clock = 100000;
    cmd("reset_step_clock", 2, 0, 1000);
    EXPECT_SHUTDOWN("Stepper too far in past", cmd("queue_step", 4, 0, 100, 2, 0));
    test_board_reset();
    cmd("allocate_oids", 1, 1);
    config_stepper(0, 0);
    cmd("finalize_config", 1, 0);
    cmd("reset_step_clock", 2, 0, 0);
    EXPECT_SHUTDOWN("Move queue overflow", for (int i = 0; i < 200; i++)
                        cmd("queue_step", 4, 0, 1000000, 1, 0));
}

static void test_timer_checks(void)
{
    cmd("allocate_oids", 1, 1);
    cmd("config_digital_out", 5, 0, 20, 0, 0, 0);
    cmd("finalize_config", 1, 0);
    test_clock = 50000;
    EXPECT_SHUTDOWN("Timer too close", cmd("queue_digital_out", 3, 0, 10000, 1));
    // A stepper whose timers fall far behind the clock (e.g. the MCU stalled).
    test_board_reset();
    cmd("allocate_oids", 1, 1);
    config_stepper(0, 0);
    cmd("finalize_config", 1, 0);
    cmd("reset_step_clock", 2, 0, 1000);
    cmd("queue_step", 4, 0, 100, 50, 0);
    test_clock = 1000 + 5 * test_late_limit;
    EXPECT_SHUTDOWN("Rescheduled timer in the past", sched_timer_dispatch());
}

static void test_digital_out(void)
{
    cmd("allocate_oids", 1, 2);
    cmd("config_digital_out", 5, 0, 20, 0, 0, 100000);
    cmd("set_digital_out_pwm_cycle", 2, 0, 1000);
    cmd("config_digital_out", 5, 1, 21, 0, 0, 0);
    cmd("finalize_config", 1, 0);
    // Soft PWM: 300 on / 700 off from clock 2000.
    cmd("queue_digital_out", 3, 0, 2000, 300);
    cmd("queue_digital_out", 3, 0, 6000, 0);
    test_advance_to(10000);
    uint32_t rises[8], falls[8];
    int nr = 0, nf = 0;
    for (int i = 0; i < test_edge_count; i++) {
        if (test_edges[i].pin != 20)
            continue;
        if (test_edges[i].level && nr < 8)
            rises[nr++] = test_edges[i].clock;
        else if (!test_edges[i].level && nf < 8)
            falls[nf++] = test_edges[i].clock;
    }
    CHECK(nr == 4 && rises[0] == 2000 && rises[1] == 3000 && rises[3] == 5000,
          "soft pwm rises at 2000,3000,4000,5000 (got %d)", nr);
    CHECK(nf == 4 && falls[0] == 2300 && falls[3] == 5300, "soft pwm falls 300 ticks later");
    CHECK(test_pin_level[20] == 0 && !sched_is_shutdown(), "off at 6000, no shutdown");
    // Plain output without watchdog.
    cmd("queue_digital_out", 3, 1, 12000, 1);
    test_advance_to(13000);
    CHECK(test_pin_level[21] == 1, "queued on");
    EXPECT_SHUTDOWN("update_digital_out not valid with active queue",
                    (cmd("queue_digital_out", 3, 1, 20000, 0), cmd("update_digital_out", 2, 1, 1)));
}

static void test_max_duration(void)
{
    cmd("allocate_oids", 1, 1);
    cmd("config_digital_out", 5, 0, 20, 0, 0, 5000);
    cmd("finalize_config", 1, 0);
    cmd("queue_digital_out", 3, 0, 1000, 1);
    cmd("queue_digital_out", 3, 0, 4000, 1);  // refreshed in time
    test_advance_to(8000);
    CHECK(!sched_is_shutdown() && test_pin_level[20] == 1, "on, within max_duration");
    EXPECT_SHUTDOWN("Missed scheduling of next digital out event", test_advance_to(9500));
    CHECK(test_pin_level[20] == 0, "shutdown puts the pin back to its default");
    test_board_reset();
    cmd("allocate_oids", 1, 1);
    cmd("config_digital_out", 5, 0, 20, 0, 0, 5000);
    cmd("finalize_config", 1, 0);
    cmd("queue_digital_out", 3, 0, 1000, 1);
    EXPECT_SHUTDOWN("Scheduled digital out event will exceed max_duration",
                    cmd("queue_digital_out", 3, 0, 7000, 0));
    // Hardware PWM watchdog.
    test_board_reset();
    cmd("allocate_oids", 1, 1);
    cmd("config_pwm_out", 6, 0, 30, 1000, 0, 0, 5000);
    cmd("finalize_config", 1, 0);
    cmd("queue_pwm_out", 3, 0, 1000, 128);
    test_advance_to(2000);
    CHECK(test_pwm_value[30] == 128, "pwm value applied");
    EXPECT_SHUTDOWN("Missed scheduling of next hard pwm event", test_advance_to(7000));
    CHECK(test_pwm_value[30] == 0, "pwm back to default on shutdown");
}

static void test_adc(void)
{
    cmd("allocate_oids", 1, 1);
    cmd("config_analog_in", 2, 0, 40);
    cmd("finalize_config", 1, 0);
    test_adc_value[40] = 1000;
    // 4 samples 10 ticks apart every 1000 ticks, report every 2 groups, range 3000..5000 x2.
    cmd("query_analog_in", 9, 0, 2000, 10, 4, 1000, 4, 3000, 5000, 2);
    test_advance_to(3500);
    uint32_t p[8];
    int from = 0;
    int got = find_response(&from, "analog_in_state", p, 8);
    // values is a byte string: p[2] = length byte... decode manually
    CHECK(got && p[1] == 4000, "analog_in_state next_clock=4000 (got %u)", p[1]);
    const uint8_t *b = test_sent[from - 1];
    int len = test_sent_len[from - 1];
    CHECK(len >= 9 && b[len - 8] == 4 && b[len - 7] == (4000 & 0xff) && b[len - 6] == (4000 >> 8),
          "values = two little-endian sums of 4000");
    test_adc_value[40] = 2000;  // sum 8000: out of range
    test_advance_to(4500);
    CHECK(!sched_is_shutdown(), "one bad group tolerated (range_check_count 2)");
    EXPECT_SHUTDOWN("ADC out of range", test_advance_to(5500));
    test_board_reset();
    cmd("allocate_oids", 1, 1);
    cmd("config_analog_in", 2, 0, 40);
    cmd("finalize_config", 1, 0);
    EXPECT_SHUTDOWN("Invalid analog_in bytes_per_report",
                    cmd("query_analog_in", 9, 0, 2000, 10, 4, 1000, 3, 0, 5000, 1));
}

static void test_homing(void)
{
    cmd("allocate_oids", 1, 3);
    config_stepper(0, 0);
    cmd("config_endstop", 3, 1, 50, 1);
    cmd("config_trsync", 1, 2);
    cmd("finalize_config", 1, 0);
    cmd("trsync_start", 4, 2, 1000, 2000, 4);
    cmd("stepper_stop_on_trigger", 2, 0, 2);
    cmd("trsync_set_timeout", 2, 2, 900000);
    cmd("reset_step_clock", 2, 0, 1000);
    cmd("queue_step", 4, 0, 100, 1000, 0);  // would run to 101000
    cmd("endstop_home", 8, 1, 1000, 10, 4, 500, 1, 2, 1);
    test_advance_to(20000);
    test_pin_level[50] = 1;  // the switch closes at 20000
    test_advance_to(60000);
    int steps = 0;
    uint32_t last = 0;
    for (int i = 0; i < test_edge_count; i++)
        if (test_edges[i].pin == 10 && test_edges[i].level) {
            steps++;
            last = test_edges[i].clock;
        }
    CHECK(steps > 180 && steps < 200 && last < 21000,
          "stepper stopped by the endstop near 20000 (%d steps, last %u)", steps, last);
    uint32_t p[8];
    int from = 0, fired = 0;
    while (find_response(&from, "trsync_state", p, 8))
        if (p[1] == 0 && p[2] == 1)
            fired = 1;
    CHECK(fired, "trsync_state reports trigger_reason 1");
    // Dropped until reset_step_clock.
    cmd("queue_step", 4, 0, 100, 10, 0);
    test_advance_to(70000);
    int after = 0;
    for (int i = 0; i < test_edge_count; i++)
        after += test_edges[i].pin == 10 && test_edges[i].level;
    CHECK(after == steps, "queue_step ignored after a trsync stop");
    from = test_sent_count;
    cmd("endstop_query_state", 1, 1);
    CHECK(find_response(&from, "endstop_state", p, 8) && p[1] == 0 && p[3] == 1,
          "endstop_state: not homing, pin 1");
    // Timeout fires with the expire reason.
    cmd("trsync_start", 4, 2, 80000, 0, 4);
    cmd("trsync_set_timeout", 2, 2, 90000);
    from = test_sent_count;
    test_advance_to(95000);
    int expired = 0;
    while (find_response(&from, "trsync_state", p, 8))
        expired |= p[2] == 4;
    CHECK(expired, "trsync expired with reason 4");
}

static void run_test(const char *name, void (*fn)(void))
{
    current_test = name;
    int before = failures;
    test_board_reset();
    host_seq = 0;
    sched_shutdown_jmp = &test_jb;
    if (!setjmp(test_jb))
        fn();
    else
        CHECK(0, "unexpected shutdown \"%s\"", static_strings[sched_shutdown_reason()]);
    printf("%s %s\n", failures == before ? "ok  " : "FAIL", name);
}

int main(void)
{
    run_test("crc16", test_crc);
    run_test("vlq", test_vlq);
    run_test("framing and resync", test_framing);
    run_test("dispatch and shutdown", test_dispatch);
    run_test("oid rules", test_oid_rules);
    run_test("queue_step math", test_queue_step_math);
    run_test("stepper errors", test_stepper_errors);
    run_test("timer too close", test_timer_checks);
    run_test("digital out and soft pwm", test_digital_out);
    run_test("max_duration shutdown", test_max_duration);
    run_test("adc reports and range shutdown", test_adc);
    run_test("homing with endstop and trsync", test_homing);
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
