// The sim's "hardware" I2C buses: named like the AVR's and STM32's buses, they hand each
// transfer to the I2C device models (i2c_dev.c) at byte level; a device answers on any bus.
#include "sim.h"
#include "board/i2c.h"
#include "command.h"
#include "sched.h"

DECL_ENUMERATION("i2c_bus", "twi", 0);
DECL_ENUMERATION("i2c_bus", "i2c1", 1);
DECL_ENUMERATION("i2c_bus", "i2c1a", 2);
DECL_ENUMERATION("i2c_bus", "i2c2", 3);
DECL_ENUMERATION("i2c_bus", "i2c2a", 4);
DECL_ENUMERATION("i2c_bus", "i2c3", 5);
DECL_ENUMERATION("i2c_bus", "i2c0", 6);
#define I2C_BUS_COUNT 7

struct i2c_config i2c_setup(uint32_t bus, uint32_t rate, uint8_t addr)
{
    if (bus >= I2C_BUS_COUNT)
        shutdown("Invalid i2c bus");
    if (!rate)
        shutdown("Invalid i2c rate");
    struct i2c_config c = { (uint8_t)bus, addr };
    return c;
}

int i2c_transfer(struct i2c_config c, uint8_t write_len, const uint8_t *write,
                 uint8_t read_len, uint8_t *read)
{
    return i2c_dev_transfer(c.bus, c.addr, write_len, write, read_len, read, sched_now());
}
