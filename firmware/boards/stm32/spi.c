// STM32 SPI peripherals as the spi1/spi2/spi3 buses (master, 8-bit, software chip select) on
// their default pins: spi1 PA5/PA6/PA7, spi2 PB13/PB14/PB15, spi3 PB3/PB4/PB5 (F4 only: on the F1
// those are JTAG pins). Bus numbers and BUS_PINS_* are in consts.sh.
#include "regs.h"
#include "board/spi.h"
#include "command.h"
#include "sched.h"
#include "gen/dict.h"

enum { SPI_CR1 = 0, SPI_SR = 2, SPI_DR = 3 };  // word offsets
enum { SPI_CR1_MSTR = 1u << 2, SPI_CR1_SPE = 1u << 6, SPI_CR1_SSI = 1u << 8, SPI_CR1_SSM = 1u << 9 };
enum { SPI_SR_RXNE = 1u << 0, SPI_SR_TXE = 1u << 1 };

#define P(port, bit) ((port) * 16 + (bit))
struct spi_bus { uint32_t base; uint8_t sck, miso, mosi, af, apb2, enable_bit; };
static const struct spi_bus buses[] = {
    { 0x40013000, P(0, 5), P(0, 6), P(0, 7), 5, 1, 12 },
    { 0x40003800, P(1, 13), P(1, 14), P(1, 15), 5, 0, 14 },
#if defined(STM32F4)
    { 0x40003C00, P(1, 3), P(1, 4), P(1, 5), 6, 0, 15 },
#endif
};

// Set in gpio.c: a pin to its alternate function (F4: af number; F1: push-pull output or input).
void stm32_gpio_alt(uint32_t pin, uint32_t af, int is_input);

struct spi_config spi_setup(uint32_t bus, uint8_t mode, uint32_t rate)
{
    if (bus >= sizeof(buses) / sizeof(buses[0]))
        shutdown("Invalid spi bus");
    const struct spi_bus *b = &buses[bus];
    if (b->apb2)
        RCC_APB2ENR |= 1u << b->enable_bit;
    else
        RCC_APB1ENR |= 1u << b->enable_bit;
    stm32_gpio_alt(b->sck, b->af, 0);
    stm32_gpio_alt(b->mosi, b->af, 0);
    stm32_gpio_alt(b->miso, b->af, 1);
    // The bus clock is at most CLOCK_HZ (APB2) or CLOCK_HZ / 2 (APB1) on every set-up here:
    // assuming that never gives a faster SCK than asked.
    uint32_t pclk = b->apb2 ? CLOCK_HZ : CLOCK_HZ / 2;
    uint32_t br = 0;  // SCK = pclk / 2^(br + 1)
    while (br < 7 && (pclk >> (br + 1)) > rate)
        br++;
    struct spi_config c = { (volatile uint32_t *)b->base,
                            SPI_CR1_MSTR | SPI_CR1_SSM | SPI_CR1_SSI | (br << 3) | (mode & 3) };
    return c;
}

void spi_prepare(struct spi_config c)
{
    // Another device on the bus may use another mode or rate: reprogram while the bus is idle.
    if ((c.spi[SPI_CR1] & ~SPI_CR1_SPE) != c.cr1) {
        c.spi[SPI_CR1] = c.cr1;
        c.spi[SPI_CR1] = c.cr1 | SPI_CR1_SPE;
    } else if (!(c.spi[SPI_CR1] & SPI_CR1_SPE)) {
        c.spi[SPI_CR1] = c.cr1 | SPI_CR1_SPE;
    }
}

void spi_transfer(struct spi_config c, uint8_t receive_data, uint8_t len, uint8_t *data)
{
    for (uint8_t i = 0; i < len; i++) {
        while (!(c.spi[SPI_SR] & SPI_SR_TXE))
            ;
        c.spi[SPI_DR] = data[i];
        while (!(c.spi[SPI_SR] & SPI_SR_RXNE))
            ;
        uint8_t in = (uint8_t)c.spi[SPI_DR];
        if (receive_data)
            data[i] = in;
    }
}
