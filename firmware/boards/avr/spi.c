// The AVR's SPI peripheral as the "spi" bus (master; pins and enumeration in consts.sh).
#include <avr/io.h>
#include "board/gpio.h"
#include "board/spi.h"
#include "command.h"
#include "sched.h"
#include "gen/dict.h"

#if defined(__AVR_ATmega1284P__) || defined(__AVR_ATmega644P__)
enum { PIN_SS = 8 + 4, PIN_MOSI = 8 + 5, PIN_MISO = 8 + 6, PIN_SCK = 8 + 7 };
#elif defined(__AVR_ATmega328P__)
enum { PIN_SS = 8 + 2, PIN_MOSI = 8 + 3, PIN_MISO = 8 + 4, PIN_SCK = 8 + 5 };
#else  // atmega2560
enum { PIN_SS = 8 + 0, PIN_SCK = 8 + 1, PIN_MOSI = 8 + 2, PIN_MISO = 8 + 3 };
#endif

struct spi_config spi_setup(uint32_t bus, uint8_t mode, uint32_t rate)
{
    if (bus)
        shutdown("Invalid spi bus");
    // SS as an output keeps the peripheral a master whatever the pin's level.
    gpio_out_setup(PIN_SS, 1);
    gpio_out_setup(PIN_SCK, 0);
    gpio_out_setup(PIN_MOSI, 0);
    gpio_in_setup(PIN_MISO, 0);
    // The fastest of F_CPU/2 .. F_CPU/128 not above rate: SPR1:0 pick /4 /16 /64 /128, SPI2X halves.
    uint8_t div = 0;  // F_CPU / 2^(div + 1)
    while (div < 6 && (F_CPU >> (div + 1)) > rate)
        div++;
    struct spi_config c = {  // SPR1:0 = div / 2 (div 0..6 -> 0, 0, 1, 1, 2, 2, 3)
        (uint8_t)((1 << SPE) | (1 << MSTR) | ((mode & 3) << CPHA) | (div >> 1)),
        (uint8_t)((div & 1) || div == 6 ? 0 : (1 << SPI2X)),
    };
    return c;
}

void spi_prepare(struct spi_config c)
{
    SPCR = c.spcr;
    SPSR = c.spsr;
}

void spi_transfer(struct spi_config c, uint8_t receive_data, uint8_t len, uint8_t *data)
{
    (void)c;
    for (uint8_t i = 0; i < len; i++) {
        SPDR = data[i];
        while (!(SPSR & (1 << SPIF)))
            ;
        uint8_t in = SPDR;
        if (receive_data)
            data[i] = in;
    }
}
