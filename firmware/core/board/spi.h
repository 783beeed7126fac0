#ifndef BOARD_SPI_H
#define BOARD_SPI_H
// Hardware SPI buses (the "spi_bus" enumeration). Optional: a board that has them defines
// BOARD_HAS_SPI and `struct spi_config` in board_types.h; without, spi_set_bus shuts down and
// only software SPI (spi_set_sw_bus) is available.
#include <stdint.h>
#include "board_types.h"

#ifdef BOARD_HAS_SPI
// mode 0-3, rate in Hz (the board picks the nearest rate not above it).
struct spi_config spi_setup(uint32_t bus, uint8_t mode, uint32_t rate);
// Set the bus up for this device (clock idle level, rate) before chip select goes active.
void spi_prepare(struct spi_config config);
void spi_transfer(struct spi_config config, uint8_t receive_data, uint8_t len, uint8_t *data);
#endif

#endif
