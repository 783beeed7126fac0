#ifndef CORE_SPICMDS_H
#define CORE_SPICMDS_H
// Software (bit-banged) SPI, also used by boards whose "hardware" bus is simulated (the sim).
#include <stdint.h>
#include "board_types.h"

struct spi_software {
    struct gpio_in miso;
    struct gpio_out mosi, sclk;
    uint32_t pulse_ticks;  // minimum time the clock spends in each level
    uint8_t mode;          // SPI mode 0-3: bit 1 = clock idles high (CPOL), bit 0 = CPHA
};

void spi_software_setup(struct spi_software *s, uint32_t miso_pin, uint32_t mosi_pin,
                        uint32_t sclk_pin, uint8_t mode, uint32_t pulse_ticks);
// Put the clock at its idle level (before chip select goes active).
void spi_software_prepare(const struct spi_software *s);
// Shift len bytes out MSB first; with receive, data is replaced by the bytes read on MISO.
void spi_software_transfer(const struct spi_software *s, uint8_t receive, uint8_t len, uint8_t *data);

// A configured SPI device (config_spi) for chip drivers in core (adxl345.c): look it up by oid,
// then transfer len bytes with its chip select active (data replaced by the reply if receive).
struct spidev;
struct spidev *spidev_oid_lookup(uint8_t oid);
void spidev_transfer(struct spidev *d, uint8_t receive, uint8_t len, uint8_t *data);

#endif
