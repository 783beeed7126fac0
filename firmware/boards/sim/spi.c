// The sim's "hardware" SPI buses: named like the AVR and STM32 buses, each on its usual pins and
// bit-banged there by the core's software SPI, so a driver model sees real clock edges.
#include <string.h>
#include "sim.h"
#include "board/spi.h"
#include "command.h"
#include "sched.h"
#include "spicmds.h"

DECL_ENUMERATION("spi_bus", "spi", 0);
DECL_ENUMERATION("spi_bus", "spi1", 1);
DECL_ENUMERATION("spi_bus", "spi1a", 2);
DECL_ENUMERATION("spi_bus", "spi2", 3);
DECL_ENUMERATION("spi_bus", "spi2a", 4);
DECL_ENUMERATION("spi_bus", "spi3", 5);
DECL_ENUMERATION("spi_bus", "spi3a", 6);
DECL_ENUMERATION("spi_bus", "spi4", 7);
// In enumeration order.
struct sim_spi_bus { const char *name, *sclk, *mosi, *miso; };
static const struct sim_spi_bus buses[] = {
    { "spi", "PB1", "PB2", "PB3" },  // AVR (atmega2560)
    { "spi1", "PA5", "PA7", "PA6" },
    { "spi1a", "PB3", "PB5", "PB4" },
    { "spi2", "PB13", "PB15", "PB14" },
    { "spi2a", "PB10", "PC3", "PC2" },
    { "spi3", "PB3", "PB5", "PB4" },
    { "spi3a", "PC10", "PC12", "PC11" },
    { "spi4", "PE12", "PE14", "PE13" },
};
#define BUS_COUNT (sizeof(buses) / sizeof(buses[0]))
static struct spi_software bus_sw[BUS_COUNT];

int sim_spi_bus_pins(const char *name, int *sclk, int *mosi, int *miso)
{
    for (unsigned i = 0; i < BUS_COUNT; i++) {
        if (strcmp(buses[i].name, name))
            continue;
        *sclk = sim_pin_lookup(buses[i].sclk);
        *mosi = sim_pin_lookup(buses[i].mosi);
        *miso = sim_pin_lookup(buses[i].miso);
        return (int)i;
    }
    return -1;
}

struct spi_config spi_setup(uint32_t bus, uint8_t mode, uint32_t rate)
{
    if (bus >= BUS_COUNT)
        shutdown("Invalid spi bus");
    if (!rate)
        shutdown("Invalid spi rate");
    uint32_t half = (SIM_CLOCK_FREQ / 2 + rate - 1) / rate;  // never faster than asked
    struct spi_config c = { (uint8_t)bus, mode, half };
    return c;
}

void spi_prepare(struct spi_config c)
{
    const struct sim_spi_bus *b = &buses[c.bus];
    spi_software_setup(&bus_sw[c.bus], sim_pin_lookup(b->miso), sim_pin_lookup(b->mosi),
                       sim_pin_lookup(b->sclk), c.mode, c.half_period_ticks);
}

void spi_transfer(struct spi_config c, uint8_t receive_data, uint8_t len, uint8_t *data)
{
    spi_software_transfer(&bus_sw[c.bus], receive_data, len, data);
}
