#ifndef BOARD_I2C_H
#define BOARD_I2C_H
// Hardware I2C buses (the "i2c_bus" enumeration). Optional: a board that has them defines
// BOARD_HAS_I2C and `struct i2c_config` in board_types.h; without, i2c_set_bus shuts down and
// only software I2C (i2c_set_sw_bus) is available.
#include <stdint.h>
#include "board_types.h"

// Transfer results, the "i2c_bus_status" enumeration (Klipper's values).
enum { I2C_BUS_SUCCESS, I2C_BUS_NACK, I2C_BUS_TIMEOUT, I2C_BUS_START_NACK, I2C_BUS_START_READ_NACK };

#ifdef BOARD_HAS_I2C
// rate in Hz (the board picks the nearest rate not above it), addr the 7-bit device address.
struct i2c_config i2c_setup(uint32_t bus, uint32_t rate, uint8_t addr);
// Write write_len bytes, then (if read_len) a repeated start and read read_len bytes; stop.
// Returns an I2C_BUS_* status.
int i2c_transfer(struct i2c_config config, uint8_t write_len, const uint8_t *write,
                 uint8_t read_len, uint8_t *read);
#endif

#endif
