#ifndef CORE_BASECMD_H
#define CORE_BASECMD_H
// Object ids, static memory for configured objects, and the shared move queue.
#include <stdint.h>

enum oid_type {
    OID_NONE, OID_STEPPER, OID_ENDSTOP, OID_TRSYNC, OID_DIGITAL_OUT, OID_PWM_OUT,
    OID_ANALOG_IN, OID_BUTTONS,
    OID_NEOPIXEL,  // neopixel.c
    OID_TMCUART, OID_SPI,  // tmcuart.c, spicmds.c
    OID_ST7920, OID_HD44780, OID_I2C,  // st7920.c, hd44780.c, i2ccmds.c
    OID_ADXL345,  // adxl345.c
    OID_LIS2DW, OID_MPU9250,  // lis2dw.c, mpu9250.c (also the ICM-20948)
    OID_THERMOCOUPLE,  // thermocouple.c
};

// Claim oid for a new object of this type (config phase only); returns zeroed memory.
void *oid_alloc(uint8_t oid, enum oid_type type, uint16_t size);
// The object behind oid, which must have this type ("Invalid oid type" otherwise).
void *oid_lookup(uint8_t oid, enum oid_type type);
// Iterate objects of a type: start with *oid = -1; returns 0 when done.
void *oid_next(int16_t *oid, enum oid_type type);
int is_finalized(void);

// One queued event: a step run (interval, count, add, dir) or a timed output (clock, value).
struct move {
    struct move *next;
    uint32_t interval;  // step interval, or event clock
    uint32_t value;     // on_ticks / pwm value
    uint16_t count;
    int16_t add;
    uint8_t flags;
};
struct move_queue { struct move *first, *last; };

struct move *move_alloc(void);  // "Move queue overflow" if none free
void move_free(struct move *m);
void move_queue_push(struct move_queue *q, struct move *m);
struct move *move_queue_pop(struct move_queue *q);
static inline int move_queue_empty(const struct move_queue *q) { return !q->first; }
// Free every entry of a queue.
void move_queue_clear(struct move_queue *q);

#endif
