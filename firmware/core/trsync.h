#ifndef CORE_TRSYNC_H
#define CORE_TRSYNC_H
// Trigger synchronisation: one "trsync" fires once (endstop hit, host request, timeout) and
// every attached signal (e.g. a stepper stop) runs at that moment.
#include <stdint.h>

struct trsync_signal {
    struct trsync_signal *next;
    void (*func)(struct trsync_signal *sig, uint8_t reason);
};
struct trsync;

struct trsync *trsync_oid_lookup(uint8_t oid);
void trsync_add_signal(struct trsync *ts, struct trsync_signal *sig,
                       void (*func)(struct trsync_signal *, uint8_t));
// Fire (no effect once fired); safe from timers.
void trsync_do_trigger(struct trsync *ts, uint8_t reason);

#endif
