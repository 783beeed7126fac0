#ifndef BOARD_IRQ_H
#define BOARD_IRQ_H
#include "board_types.h"

void irq_disable(void);
void irq_enable(void);
irqstatus_t irq_save(void);
void irq_restore(irqstatus_t flag);

#endif
