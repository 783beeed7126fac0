// Base commands (identify, clock, config phase, shutdown control, debug), oid memory and the
// move queue pool. After finalize_config nothing is allocated.
#include <string.h>
#include <stddef.h>
#include "basecmd.h"
#include "command.h"
#include "sched.h"
#include "board/timer.h"
#include "board/irq.h"
#include "board/misc.h"
#include "board_types.h"
#include "gen/dict.h"
#ifdef __AVR__
#include <avr/pgmspace.h>
#endif

DECL_CONSTANT("RECEIVE_WINDOW", 192);

struct oid_slot { void *obj; uint8_t type; };

static union { uint8_t bytes[BOARD_ARENA_BYTES]; uint64_t align; } arena;
static uint32_t arena_used;
static struct oid_slot *oids;
static uint8_t oid_count;
static uint8_t oids_allocated;
static uint8_t config_finalized;
static uint32_t config_crc;
static struct move *move_free_list;
static uint16_t move_count;

static void *arena_alloc(uint32_t size)
{
    size = (size + 7) & ~7u;
    if (size > sizeof(arena.bytes) - arena_used)
        shutdown("alloc_chunk failed");
    void *p = &arena.bytes[arena_used];
    arena_used += size;
    memset(p, 0, size);
    return p;
}

DECL_INIT(basecmd_init);
void basecmd_init(void)
{
    arena_used = 0;
    oids = 0;
    oid_count = 0;
    oids_allocated = 0;
    config_finalized = 0;
    config_crc = 0;
    move_free_list = 0;
    move_count = 0;
}

int is_finalized(void)
{
    return config_finalized;
}

void *oid_alloc(uint8_t oid, enum oid_type type, uint16_t size)
{
    if (config_finalized)
        shutdown("Already finalized");
    if (oid >= oid_count || oids[oid].type != OID_NONE)
        shutdown("Can't assign oid");
    oids[oid].obj = arena_alloc(size);
    oids[oid].type = (uint8_t)type;
    return oids[oid].obj;
}

void *oid_lookup(uint8_t oid, enum oid_type type)
{
    if (oid >= oid_count || oids[oid].type != type)
        shutdown("Invalid oid type");
    return oids[oid].obj;
}

void *oid_next(int16_t *oid, enum oid_type type)
{
    while (++*oid < oid_count)
        if (oids[*oid].type == type)
            return oids[*oid].obj;
    return 0;
}

// The free list and the queues are shared by commands (main loop: alloc, push) and timers
// (interrupt on AVR/STM32: pop, free): each change is made with interrupts off.
struct move *move_alloc(void)
{
    irqstatus_t flag = irq_save();
    struct move *m = move_free_list;
    if (!m) {
        irq_restore(flag);
        shutdown("Move queue overflow");
    }
    move_free_list = m->next;
    irq_restore(flag);
    m->next = 0;
    return m;
}

void move_free(struct move *m)
{
    irqstatus_t flag = irq_save();
    m->next = move_free_list;
    move_free_list = m;
    irq_restore(flag);
}

void move_queue_push(struct move_queue *q, struct move *m)
{
    m->next = 0;
    irqstatus_t flag = irq_save();
    if (q->last)
        q->last->next = m;
    else
        q->first = m;
    q->last = m;
    irq_restore(flag);
}

struct move *move_queue_pop(struct move_queue *q)
{
    irqstatus_t flag = irq_save();
    struct move *m = q->first;
    if (m) {
        q->first = m->next;
        if (!q->first)
            q->last = 0;
    }
    irq_restore(flag);
    return m;
}

void move_queue_clear(struct move_queue *q)
{
    struct move *m;
    while ((m = move_queue_pop(q)))
        move_free(m);
}

void command_allocate_oids(const uint32_t *args)
{
    if (oids_allocated)
        shutdown("oids already allocated");
    oid_count = (uint8_t)args[0];
    oids = arena_alloc(sizeof(*oids) * (oid_count ? oid_count : 1));
    oids_allocated = 1;
}
DECL_COMMAND(command_allocate_oids, "allocate_oids count=%c");

void command_finalize_config(const uint32_t *args)
{
    if (config_finalized)
        shutdown("Already finalized");
    // The rest of the static memory becomes the move queue.
    uint32_t room = (sizeof(arena.bytes) - arena_used) / sizeof(struct move);
    uint32_t n = room < BOARD_MOVE_COUNT ? room : BOARD_MOVE_COUNT;
    if (n < 1)
        shutdown("alloc_chunks failed");
    struct move *pool = arena_alloc(n * sizeof(struct move));
    for (uint32_t i = 0; i < n; i++)
        move_free(&pool[i]);
    move_count = (uint16_t)n;
    config_crc = args[0];
    config_finalized = 1;
}
DECL_COMMAND(command_finalize_config, "finalize_config crc=%u");

DECL_RESPONSE("config is_config=%c crc=%u is_shutdown=%c move_count=%hu");
void command_get_config(const uint32_t *args)
{
    (void)args;
    send_config(config_finalized, config_crc, sched_is_shutdown(), move_count);
}
DECL_COMMAND_FLAGS(command_get_config, HF_IN_SHUTDOWN, "get_config");

DECL_RESPONSE("identify_response offset=%u data=%.*s");
void command_identify(const uint32_t *args)
{
    uint32_t offset = args[0];
    uint32_t count = args[1];
    if (offset > dict_zlib_size)
        offset = dict_zlib_size;
    if (count > dict_zlib_size - offset)
        count = dict_zlib_size - offset;
    if (count > 40)
        count = 40;  // keep the response inside one block
#ifdef __AVR__
    uint8_t chunk[40];  // the dictionary lives in flash (PROGMEM) on AVR
    memcpy_P(chunk, &dict_zlib[offset], count);
    send_identify_response(args[0], (uint8_t)count, chunk);
#else
    send_identify_response(args[0], (uint8_t)count, &dict_zlib[offset]);
#endif
}
DECL_COMMAND_FLAGS(command_identify, HF_IN_SHUTDOWN, "identify offset=%u count=%c");

// The 64-bit uptime: count wraps of the 32-bit clock as they are observed.
static uint32_t uptime_high, uptime_last;
static void uptime_update(uint32_t now)
{
    if (now < uptime_last)
        uptime_high++;
    uptime_last = now;
}

DECL_TASK(uptime_task);
void uptime_task(void)
{
    uptime_update(timer_read_time());
}

DECL_RESPONSE("uptime high=%u clock=%u");
void command_get_uptime(const uint32_t *args)
{
    (void)args;
    uint32_t now = timer_read_time();
    uptime_update(now);
    send_uptime(uptime_high, now);
}
DECL_COMMAND_FLAGS(command_get_uptime, HF_IN_SHUTDOWN, "get_uptime");

DECL_RESPONSE("clock clock=%u");
void command_get_clock(const uint32_t *args)
{
    (void)args;
    send_clock(timer_read_time());
}
DECL_COMMAND_FLAGS(command_get_clock, HF_IN_SHUTDOWN, "get_clock");

void command_emergency_stop(const uint32_t *args)
{
    (void)args;
    shutdown("Command request");
}
DECL_COMMAND_FLAGS(command_emergency_stop, HF_IN_SHUTDOWN, "emergency_stop");

void command_clear_shutdown(const uint32_t *args)
{
    (void)args;
    sched_clear_shutdown();
}
DECL_COMMAND_FLAGS(command_clear_shutdown, HF_IN_SHUTDOWN, "clear_shutdown");

void command_reset(const uint32_t *args)
{
    (void)args;
    board_reset();
}
DECL_COMMAND_FLAGS(command_reset, HF_IN_SHUTDOWN, "reset");

void command_debug_nop(const uint32_t *args)
{
    (void)args;
}
DECL_COMMAND_FLAGS(command_debug_nop, HF_IN_SHUTDOWN, "debug_nop");

DECL_RESPONSE("pong data=%*s");
void command_debug_ping(const uint32_t *args)
{
    send_pong((uint8_t)args[0], command_arg_bytes(args[1]));
}
DECL_COMMAND_FLAGS(command_debug_ping, HF_IN_SHUTDOWN, "debug_ping data=%*s");
