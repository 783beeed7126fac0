// The AVR's TWI peripheral as the "twi" I2C bus (master, polled; pins in consts.sh). Every wait
// is bounded: a stuck bus answers BUS_TIMEOUT instead of hanging the MCU.
#include <avr/io.h>
#include "board/gpio.h"
#include "board/i2c.h"
#include "board/timer.h"
#include "command.h"
#include "sched.h"
#include "gen/dict.h"

#if defined(__AVR_ATmega1284P__) || defined(__AVR_ATmega644P__)
enum { PIN_SCL = 16 + 0, PIN_SDA = 16 + 1 };  // PC0, PC1
#elif defined(__AVR_ATmega328P__)
enum { PIN_SCL = 16 + 5, PIN_SDA = 16 + 4 };  // PC5, PC4
#else  // atmega2560
enum { PIN_SCL = 24 + 0, PIN_SDA = 24 + 1 };  // PD0, PD1
#endif

// TWSR status codes (prescaler bits masked).
enum { TW_START = 0x08, TW_REP_START = 0x10, TW_MT_SLA_ACK = 0x18, TW_MT_DATA_ACK = 0x28,
       TW_MR_SLA_ACK = 0x40 };

struct i2c_config i2c_setup(uint32_t bus, uint32_t rate, uint8_t addr)
{
    if (bus)
        shutdown("Invalid i2c bus");
    if (!(TWCR & (1 << TWEN))) {
        // The chip's pull-ups help boards without their own resistors.
        gpio_in_setup(PIN_SCL, 1);
        gpio_in_setup(PIN_SDA, 1);
        // SCL = F_CPU / (16 + 2 * TWBR), prescaler 1: the nearest rate not above the one asked.
        uint32_t twbr = rate ? (F_CPU / rate > 16 ? (F_CPU / rate - 16 + 1) / 2 : 0) : 255;
        TWSR = 0;
        TWBR = (uint8_t)(twbr > 255 ? 255 : twbr);
        TWCR = 1 << TWEN;
    }
    struct i2c_config c = { addr };
    return c;
}

// Start a TWI action and wait for it; returns the status, or 0 on a timeout.
static uint8_t twi_run(uint8_t cr, uint32_t end)
{
    TWCR = (uint8_t)(cr | (1 << TWINT) | (1 << TWEN));
    while (!(TWCR & (1 << TWINT)))
        if (!timer_is_before(timer_read_time(), end))
            return 0;
    return TWSR & 0xf8;
}

int i2c_transfer(struct i2c_config c, uint8_t write_len, const uint8_t *write,
                 uint8_t read_len, uint8_t *read)
{
    uint32_t end = timer_read_time() + DICT_CLOCK_FREQ / 200;  // 5 ms: ~50 bytes at 100 kHz
    int ret = I2C_BUS_SUCCESS;
    uint8_t st = twi_run(1 << TWSTA, end);
    if (st != TW_START) {
        ret = I2C_BUS_TIMEOUT;
        goto stop;
    }
    TWDR = (uint8_t)(c.addr << 1);
    st = twi_run(0, end);
    if (st != TW_MT_SLA_ACK) {
        ret = st ? I2C_BUS_START_NACK : I2C_BUS_TIMEOUT;
        goto stop;
    }
    for (uint8_t i = 0; i < write_len; i++) {
        TWDR = write[i];
        st = twi_run(0, end);
        if (st != TW_MT_DATA_ACK) {
            ret = st ? I2C_BUS_NACK : I2C_BUS_TIMEOUT;
            goto stop;
        }
    }
    if (read_len) {
        if (twi_run(1 << TWSTA, end) != TW_REP_START) {
            ret = I2C_BUS_TIMEOUT;
            goto stop;
        }
        TWDR = (uint8_t)(c.addr << 1 | 1);
        st = twi_run(0, end);
        if (st != TW_MR_SLA_ACK) {
            ret = st ? I2C_BUS_START_READ_NACK : I2C_BUS_TIMEOUT;
            goto stop;
        }
        for (uint8_t i = 0; i < read_len; i++) {
            // ACK every byte but the last.
            if (!twi_run(i + 1 < read_len ? 1 << TWEA : 0, end)) {
                ret = I2C_BUS_TIMEOUT;
                goto stop;
            }
            read[i] = TWDR;
        }
    }
stop:
    TWCR = (1 << TWINT) | (1 << TWEN) | (1 << TWSTO);
    while (TWCR & (1 << TWSTO))  // the stop is on the bus before the next start
        if (!timer_is_before(timer_read_time(), end))
            return I2C_BUS_TIMEOUT;
    return ret;
}
