#ifndef CORE_I2CCMDS_H
#define CORE_I2CCMDS_H
// A configured I2C device (config_i2c + i2c_set_bus / i2c_set_sw_bus) for chip drivers in core
// (lis2dw.c, mpu9250.c): look it up by oid, then write and optionally read back after a
// repeated start; returns an I2C_BUS_* status (board/i2c.h).
#include <stdint.h>

struct i2cdev;
struct i2cdev *i2cdev_oid_lookup(uint8_t oid);
int i2cdev_transfer(struct i2cdev *d, uint8_t write_len, const uint8_t *write,
                    uint8_t read_len, uint8_t *read);

#endif
