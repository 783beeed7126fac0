// libFuzzer harness on the firmware's receive path: arbitrary bytes from the "serial port"
// go through block finding, CRC, sequence handling, command parsing and every handler, then
// the clock runs so queued timers fire. Any crash, sanitizer report or hang is a bug.
// Built by `make -C firmware fuzz` (clang -fsanitize=fuzzer,address,undefined).
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include "command.h"
#include "sched.h"
#include "wire.h"
#include "test_board.h"

static jmp_buf fuzz_jb;

// The first byte chooses the mode: raw bytes (framing, CRC, resync paths) or the input cut into
// valid blocks with the right sequence numbers (so the fuzzer reaches parsing and handlers).
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    static volatile size_t pos;
    static volatile uint8_t seq;
    static volatile int step;
    int wrap = data[0] & 1;
    pos = 1;
    seq = 0;
    test_board_reset();
    sched_shutdown_jmp = &fuzz_jb;
    // A shutdown longjmps here; carry on with the next chunk (commands then meet is_shutdown).
    setjmp(fuzz_jb);
    while (pos < size) {
        size_t at = pos;
        size_t n = size - at;
        if (n > MESSAGE_PAYLOAD_MAX)
            n = MESSAGE_PAYLOAD_MAX;
        pos = at + n;
        if (wrap) {
            uint8_t block[MESSAGE_MAX];
            memcpy(block + MESSAGE_HEADER_SIZE, data + at, n);
            uint_fast8_t len = wire_finish_block(block, (uint_fast8_t)n, seq);
            seq = (seq + 1) & MESSAGE_SEQ_MASK;
            command_receive(block, len);
        } else {
            command_receive(data + at, (uint_fast16_t)n);
        }
        command_task();
    }
    // Let the timers run: three steps of 100k ticks.
    for (step = 0; step < 3; step++) {
        if (!setjmp(fuzz_jb))
            test_advance_to(test_clock + 100000);
    }
    sched_shutdown_jmp = 0;
    return 0;
}
