// STM32 I2C peripherals (the F1/F4 "v1" I2C block) as the i2c1/i2c1a/i2c2 (and F4 i2c3) buses,
// master, polled, every wait bounded (a stuck bus answers BUS_TIMEOUT instead of hanging the
// MCU). Pins (SCL, SDA): i2c1 PB6/PB7, i2c1a PB8/PB9 (the F1 remaps I2C1 there), i2c2
// PB10/PB11, i2c3 PA8/PC9; open-drain, AF4 on the F4. Bus numbers are in consts.sh.
#include "regs.h"
#include "board/i2c.h"
#include "board/timer.h"
#include "command.h"
#include "sched.h"
#include "gen/dict.h"

enum { I2C_CR1 = 0, I2C_CR2 = 1, I2C_DR = 4, I2C_SR1 = 5, I2C_SR2 = 6, I2C_CCR = 7, I2C_TRISE = 8 };  // words
enum { CR1_PE = 1u << 0, CR1_START = 1u << 8, CR1_STOP = 1u << 9, CR1_ACK = 1u << 10, CR1_SWRST = 1u << 15 };
enum { SR1_SB = 1u << 0, SR1_ADDR = 1u << 1, SR1_BTF = 1u << 2, SR1_RXNE = 1u << 6, SR1_TXE = 1u << 7,
       SR1_AF = 1u << 10 };

#define P(port, bit) ((port) * 16 + (bit))
struct i2c_bus { uint32_t base; uint8_t scl, sda, enable_bit, remap; };
static const struct i2c_bus buses[] = {
    { 0x40005400, P(1, 6), P(1, 7), 21, 0 },
    { 0x40005400, P(1, 8), P(1, 9), 21, 1 },
    { 0x40005800, P(1, 10), P(1, 11), 22, 0 },
#if defined(STM32F4)
    { 0x40005C00, P(0, 8), P(2, 9), 23, 0 },
#endif
};

void stm32_gpio_alt(uint32_t pin, uint32_t af, int is_input);

// A pin to its I2C function, open-drain (the bus's resistors pull it up).
static void i2c_pin(uint32_t pin)
{
    stm32_gpio_alt(pin, 4, 0);
    volatile uint32_t *port = (volatile uint32_t *)GPIO_BASE(pin / 16);
    uint32_t n = pin % 16;
#if defined(STM32F4)
    port[1] |= 1u << n;  // OTYPER: open-drain
#else
    port[n / 8] |= 0x4u << ((n % 8) * 4);  // CNF 11: alternate open-drain
#endif
}

static uint32_t pclk1_hz(void)
{
    return CLOCK_HZ <= 84000000 ? CLOCK_HZ / 2 : CLOCK_HZ / 4;  // APB1 as main.c sets it up
}

struct i2c_config i2c_setup(uint32_t bus, uint32_t rate, uint8_t addr)
{
    if (bus >= sizeof(buses) / sizeof(buses[0]))
        shutdown("Invalid i2c bus");
    if (!rate)
        shutdown("Invalid i2c rate");
    const struct i2c_bus *b = &buses[bus];
    volatile uint32_t *r = (volatile uint32_t *)b->base;
    if (!(RCC_APB1ENR & (1u << b->enable_bit)) || !(r[I2C_CR1] & CR1_PE)) {
#if defined(STM32F1)
        if (b->remap) {
            RCC_APB2ENR |= 1u << 0;              // AFIO
            REG(0x40010004) |= 1u << 1;          // AFIO_MAPR: I2C1 on PB8/PB9
        }
#endif
        RCC_APB1ENR |= 1u << b->enable_bit;
        i2c_pin(b->scl);
        i2c_pin(b->sda);
        r[I2C_CR1] = CR1_SWRST;
        r[I2C_CR1] = 0;
        uint32_t pclk = pclk1_hz(), mhz = pclk / 1000000;
        r[I2C_CR2] = mhz;
        if (rate <= 100000) {  // standard mode: SCL high and low each CCR periods
            uint32_t ccr = (pclk + 2 * rate - 1) / (2 * rate);
            r[I2C_CCR] = ccr < 4 ? 4 : ccr;
            r[I2C_TRISE] = mhz + 1;
        } else {               // fast mode, duty 2:1
            if (rate > 400000)
                rate = 400000;
            uint32_t ccr = (pclk + 3 * rate - 1) / (3 * rate);
            r[I2C_CCR] = (1u << 15) | (ccr < 1 ? 1 : ccr);
            r[I2C_TRISE] = mhz * 300 / 1000 + 1;
        }
        r[I2C_CR1] = CR1_PE;
    }
    struct i2c_config c = { r, addr };
    return c;
}

// Wait for one of the SR1 flags; -1 on a timeout, -2 on a NACK (AF).
static int i2c_wait(volatile uint32_t *r, uint32_t flags, uint32_t end)
{
    for (;;) {
        uint32_t sr1 = r[I2C_SR1];
        if (sr1 & SR1_AF) {
            r[I2C_SR1] = ~SR1_AF;
            return -2;
        }
        if (sr1 & flags)
            return 0;
        if (!timer_is_before(timer_read_time(), end))
            return -1;
    }
}

static int i2c_start(volatile uint32_t *r, uint8_t addr_byte, uint32_t end)
{
    r[I2C_CR1] |= CR1_START;
    if (i2c_wait(r, SR1_SB, end))
        return -1;
    r[I2C_DR] = addr_byte;
    return i2c_wait(r, SR1_ADDR, end);
}

int i2c_transfer(struct i2c_config c, uint8_t write_len, const uint8_t *write,
                 uint8_t read_len, uint8_t *read)
{
    volatile uint32_t *r = c.i2c;
    uint32_t end = timer_read_time() + DICT_CLOCK_FREQ / 200;  // 5 ms: ~50 bytes at 100 kHz
    while (r[I2C_CR1] & CR1_STOP)  // the previous transfer's stop is still going out
        if (!timer_is_before(timer_read_time(), end))
            return I2C_BUS_TIMEOUT;
    int ret = I2C_BUS_SUCCESS, w = i2c_start(r, (uint8_t)(c.addr << 1), end);
    if (w) {
        ret = w == -2 ? I2C_BUS_START_NACK : I2C_BUS_TIMEOUT;
        goto stop;
    }
    (void)r[I2C_SR2];  // SR1 then SR2 read: ADDR cleared
    for (uint8_t i = 0; i < write_len; i++) {
        if ((w = i2c_wait(r, SR1_TXE, end)))
            goto nack;
        r[I2C_DR] = write[i];
    }
    if (write_len && (w = i2c_wait(r, SR1_BTF, end)))
        goto nack;
    if (read_len) {
        w = i2c_start(r, (uint8_t)(c.addr << 1 | 1), end);
        if (w) {
            ret = w == -2 ? I2C_BUS_START_READ_NACK : I2C_BUS_TIMEOUT;
            goto stop;
        }
        if (read_len == 1)
            r[I2C_CR1] &= ~CR1_ACK;
        else
            r[I2C_CR1] |= CR1_ACK;
        (void)r[I2C_SR2];
        for (uint8_t i = 0; i < read_len; i++) {
            if (i + 1 == read_len) {  // NACK the last byte, then stop
                r[I2C_CR1] &= ~CR1_ACK;
                r[I2C_CR1] |= CR1_STOP;
            }
            if (i2c_wait(r, SR1_RXNE, end)) {
                ret = I2C_BUS_TIMEOUT;
                goto stop;
            }
            read[i] = (uint8_t)r[I2C_DR];
        }
        return ret;
    }
    goto stop;
nack:
    ret = w == -2 ? I2C_BUS_NACK : I2C_BUS_TIMEOUT;
stop:
    r[I2C_CR1] |= CR1_STOP;
    return ret;
}
