#ifndef CORE_COMMAND_H
#define CORE_COMMAND_H
// Command dispatch and responses. Commands are declared next to their handlers with
// DECL_COMMAND; tools/gen-dict.mjs scans these declarations (they must use string literals)
// and generates the dispatch table, the response senders and the data dictionary.
#include <stdint.h>
#include "board/progmem.h"

// A handler takes its parameters in format order; a byte string takes two slots
// (length, then a handle for command_arg_bytes()).
#define DECL_COMMAND(func, fmt) void func(const uint32_t *args)
#define DECL_COMMAND_FLAGS(func, flags, fmt) void func(const uint32_t *args)
// Generates send_<name>(...) in gen/dict.h.
#define DECL_RESPONSE(fmt) _Static_assert(1, fmt)
#define DECL_CONSTANT(name, value) _Static_assert(1, name)
#define DECL_CONSTANT_STR(name, value) _Static_assert(1, name)
#define DECL_ENUMERATION(enumname, name, value) _Static_assert(1, name)
#define DECL_ENUMERATION_RANGE(enumname, name, start, count) _Static_assert(1, name)
// Run at boot and reset / every main-loop pass / on entering shutdown.
#define DECL_INIT(func) void func(void)
#define DECL_TASK(func) void func(void)
#define DECL_SHUTDOWN(func) void func(void)

#define HF_IN_SHUTDOWN 0x01  // the command is allowed while shut down

enum param_type {
    PT_uint32, PT_int32, PT_uint16, PT_int16, PT_byte,
    PT_string, PT_buffer, PT_progmem_buffer,
};

struct command_parser {
    void (*handler)(const uint32_t *args);
    const uint8_t *param_types;
    uint8_t num_params, num_args, flags;
    const char *format;  // the format string (used by trace output)
};

// Generated tables (build/<board>/gen/dict.c). The BOARD_PROGMEM ones are in flash on AVR:
// read their members with READP (board/progmem.h).
extern const struct command_parser command_index[] BOARD_PROGMEM;
extern const uint16_t command_index_size;
extern const uint8_t dict_zlib[] BOARD_PROGMEM;
extern const uint32_t dict_zlib_size;
struct response_info { uint16_t id; const char *format; };
// Ends with format 0; empty without --names.
extern const struct response_info response_index[] BOARD_PROGMEM;
extern const char *const static_strings[] BOARD_PROGMEM;
extern const uint16_t static_strings_count;
void run_init_functions(void);
void run_task_functions(void);
void run_shutdown_functions(void);

// Bytes from the serial port (board side).
void command_receive(const uint8_t *data, uint_fast16_t len);
// Parse and handle complete received blocks (main loop).
void command_task(void);
// Decode and run every command in a payload.
void command_dispatch(const uint8_t *payload, uint_fast8_t len);
// The bytes of a byte-string argument (handle = the second slot of that argument).
const uint8_t *command_arg_bytes(uint32_t handle);
// Forget link state (sequence, buffers): at boot and on reset.
void command_reset_link(void);

// Used by the generated send_* functions.
uint8_t *command_response_begin(uint16_t msgid);
uint8_t *command_response_bytes(uint8_t *p, const uint8_t *data, uint_fast8_t len);
void command_response_end(uint8_t *p);

// Map a shutdown message to its static_string_id (generated table; 0 if unknown).
uint16_t static_string_lookup(const char *msg);

#endif
