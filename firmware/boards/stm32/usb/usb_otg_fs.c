// USB OTG_FS device driver for the STM32F401/F405/F407/F446 (PA11 D-, PA12 D+, the 48 MHz
// clock from the PLL's Q divider set up in main.c). Register facts from RM0090 (F405/F407),
// RM0368 (F401) and RM0390 (F446), chapter "USB on-the-go full-speed": core initialisation,
// device initialisation, the endpoint initialisation on USB reset, and the slave-mode
// (no DMA) FIFO programming model. The board polls it from the main loop (no interrupt): the
// core's serial code runs in the main loop too, so nothing here needs locking.
//
// Endpoints: EP0 control (64 bytes), EP1 bulk IN/OUT (the CDC data), EP2 interrupt IN (CDC
// notifications, never sent). The class (requests, descriptors) is usb_cdc.c.
#include <string.h>
#include "regs.h"
#include "command.h"
#include "board/irq.h"
#include "board/serial.h"
#include "board/timer.h"
#include "usb_device.h"

#define OTG_BASE 0x50000000
#define OTG(off) REG(OTG_BASE + (off))
#define GOTGCTL OTG(0x000)
#define GUSBCFG OTG(0x00C)
#define GRSTCTL OTG(0x010)
#define GINTSTS OTG(0x014)
#define GINTMSK OTG(0x018)
#define GRXSTSP OTG(0x020)
#define GRXFSIZ OTG(0x024)
#define DIEPTXF0 OTG(0x028)
#define GCCFG OTG(0x038)
#define DIEPTXF(n) OTG(0x104 + 4 * ((n) - 1))
#define DCFG OTG(0x800)
#define DCTL OTG(0x804)
#define DIEPMSK OTG(0x810)
#define DOEPMSK OTG(0x814)
#define DAINT OTG(0x818)
#define DAINTMSK OTG(0x81C)
#define DIEPCTL(n) OTG(0x900 + 0x20 * (n))
#define DIEPINT(n) OTG(0x908 + 0x20 * (n))
#define DIEPTSIZ(n) OTG(0x910 + 0x20 * (n))
#define DTXFSTS(n) OTG(0x918 + 0x20 * (n))
#define DOEPCTL(n) OTG(0xB00 + 0x20 * (n))
#define DOEPINT(n) OTG(0xB08 + 0x20 * (n))
#define DOEPTSIZ(n) OTG(0xB10 + 0x20 * (n))
#define PCGCCTL OTG(0xE00)
#define FIFO(n) REG(OTG_BASE + 0x1000 * ((n) + 1))  // push (IN) / pop (RX) window of endpoint n

#define RCC_AHB2ENR REG(RCC_BASE + 0x34)
#define UID_BASE 0x1FFF7A10  // 96-bit unique device id (same address on F401/F405/F407/F446)

// GRSTCTL
#define CSRST (1u << 0)
#define RXFFLSH (1u << 4)
#define TXFFLSH (1u << 5)
#define TXFNUM_ALL (0x10u << 6)
#define AHBIDL (1u << 31)
// GINTSTS / GINTMSK
#define RXFLVL (1u << 4)
#define USBRST (1u << 12)
#define ENUMDNE (1u << 13)
#define IEPINT (1u << 18)
#define OEPINT (1u << 19)
// DIEPCTL / DOEPCTL
#define USBAEP (1u << 15)
#define EP_STALL (1u << 21)
#define CNAK (1u << 26)
#define SNAK (1u << 27)
#define SD0PID (1u << 28)
#define EPDIS (1u << 30)
#define EPENA (1u << 31)
#define EPTYP_BULK (2u << 18)
#define EPTYP_INTR (3u << 18)
// DIEPINT / DOEPINT
#define XFRC (1u << 0)
#define STUP (1u << 3)
#define TOC (1u << 3)
// GRXSTSP packet status
enum { PKT_OUT_DATA = 2, PKT_SETUP_DATA = 6 };

// FIFO RAM (words of the core's 320): RX shared by all OUT endpoints, then one TX FIFO per IN
// endpoint. RX: 10 control + 17 (64-byte packet + status) + 2 per OUT endpoint, with margin.
#define RX_FIFO_WORDS 128
#define TX0_WORDS 16
#define TX1_WORDS 64  // two data packets
#define TX2_WORDS 16

static uint8_t setup_pkt[8], ep0_pkt[USB_EP0_SIZE], data_pkt[USB_CDC_DATA_SIZE];
static int16_t data_len = -1;  // a received bulk OUT packet not yet taken by the class

static int wait_clear(volatile uint32_t *reg, uint32_t bit)
{
    for (uint32_t i = 0; i < 2000000; i++)
        if (!(*reg & bit))
            return 1;
    return 0;
}

static int wait_set(volatile uint32_t *reg, uint32_t bit)
{
    for (uint32_t i = 0; i < 2000000; i++)
        if (*reg & bit)
            return 1;
    return 0;
}

static void flush_fifos(void)
{
    GRSTCTL = TXFFLSH | TXFNUM_ALL;
    wait_clear(&GRSTCTL, TXFFLSH);
    GRSTCTL = RXFFLSH;
    wait_clear(&GRSTCTL, RXFFLSH);
}

// Pop len bytes of a received packet; whole words are popped even past a buffer's end.
static void fifo_read(uint8_t *buf, uint_fast16_t len, uint_fast16_t room)
{
    for (uint_fast16_t i = 0; i < len; i += 4) {
        uint32_t w = FIFO(0);
        for (uint_fast16_t b = 0; b < 4 && i + b < len; b++)
            if (i + b < room)
                buf[i + b] = (uint8_t)(w >> (8 * b));
    }
}

// EP0 OUT takes up to 3 back-to-back SETUP packets and one data packet.
static void ep0_out_arm(void)
{
    DOEPTSIZ(0) = (3u << 29) | (1u << 19) | USB_EP0_SIZE;
    DOEPCTL(0) |= EPENA | CNAK;
}

static void data_out_arm(void)
{
    DOEPTSIZ(USB_CDC_DATA_EP) = (1u << 19) | USB_CDC_DATA_SIZE;
    DOEPCTL(USB_CDC_DATA_EP) |= EPENA | CNAK;
}

// ---- the usb_device.h driver side ----
int usbd_ep_write(uint8_t ep, const uint8_t *data, uint_fast16_t len)
{
    uint32_t words = (len + 3) / 4;
    if ((DIEPCTL(ep) & EPENA) || (DTXFSTS(ep) & 0xffff) < words)
        return -1;
    DIEPTSIZ(ep) = (1u << 19) | len;  // one packet
    DIEPCTL(ep) |= EPENA | CNAK;
    for (uint_fast16_t i = 0; i < len; i += 4) {
        uint32_t w = 0;
        for (uint_fast16_t b = 0; b < 4 && i + b < len; b++)
            w |= (uint32_t)data[i + b] << (8 * b);
        FIFO(ep) = w;
    }
    return (int)len;
}

int usbd_ep_read(uint8_t ep, uint8_t *data, uint_fast16_t max)
{
    if (ep != USB_CDC_DATA_EP || data_len < 0)
        return -1;
    int n = data_len < (int)max ? data_len : (int)max;
    memcpy(data, data_pkt, (size_t)n);
    data_len = -1;
    data_out_arm();  // only now may the host send the next packet: flow control
    return n;
}

void usbd_ep0_stall(void)
{
    DIEPCTL(0) |= EP_STALL;
    DOEPCTL(0) |= EP_STALL;  // the core clears both when the next SETUP arrives
}

// The OTG core takes the new address at once and still answers the status stage on address 0.
void usbd_set_address(uint8_t addr)
{
    DCFG = (DCFG & ~(0x7fu << 4)) | ((uint32_t)addr << 4);
}

void usbd_set_configured(int configured)
{
    if (!configured) {
        DIEPCTL(USB_CDC_DATA_EP) &= ~USBAEP;
        DIEPCTL(USB_CDC_NOTIFY_EP) &= ~USBAEP;
        DOEPCTL(USB_CDC_DATA_EP) &= ~USBAEP;
        return;
    }
    DIEPCTL(USB_CDC_DATA_EP) = SD0PID | USBAEP | EPTYP_BULK | ((uint32_t)USB_CDC_DATA_EP << 22) | USB_CDC_DATA_SIZE;
    DIEPCTL(USB_CDC_NOTIFY_EP) = SD0PID | USBAEP | EPTYP_INTR | ((uint32_t)USB_CDC_NOTIFY_EP << 22) | USB_CDC_NOTIFY_SIZE;
    DOEPCTL(USB_CDC_DATA_EP) = SD0PID | USBAEP | EPTYP_BULK | USB_CDC_DATA_SIZE;
    data_len = -1;
    data_out_arm();
}

void usbd_unique_id(uint8_t id[12])
{
    memcpy(id, (const void *)UID_BASE, 12);
}

void usb_cdc_rx(const uint8_t *data, uint_fast16_t len)
{
    command_receive(data, len);
}

// ---- bus events ----
static void bus_reset(void)
{
    DOEPCTL(0) |= SNAK;
    for (int n = 1; n < 4; n++) {  // endpoints 1-3 closed until SET_CONFIGURATION
        DIEPCTL(n) = (DIEPCTL(n) & EPENA) ? EPDIS | SNAK : 0;
        DOEPCTL(n) = (DOEPCTL(n) & EPENA) ? EPDIS | SNAK : 0;
    }
    for (int n = 0; n < 4; n++) {
        DIEPINT(n) = 0xff;
        DOEPINT(n) = 0xff;
    }
    DAINTMSK = (1u << 16) | 1u | (1u << (16 + USB_CDC_DATA_EP)) | (1u << USB_CDC_DATA_EP);
    DOEPMSK = STUP | XFRC;
    DIEPMSK = XFRC | TOC;
    DCFG &= ~(0x7fu << 4);
    flush_fifos();
    data_len = -1;
    usb_cdc_reset();
    ep0_out_arm();
}

static void rx_pop(void)
{
    uint32_t st = GRXSTSP;
    uint8_t ep = st & 15;
    uint_fast16_t bcnt = (st >> 4) & 0x7ff;
    switch ((st >> 17) & 15) {
    case PKT_SETUP_DATA:
        fifo_read(setup_pkt, bcnt, sizeof(setup_pkt));  // acted on at the STUP interrupt
        break;
    case PKT_OUT_DATA:
        if (ep == 0) {
            fifo_read(ep0_pkt, bcnt, sizeof(ep0_pkt));
            usb_cdc_ep0_out(ep0_pkt, bcnt < sizeof(ep0_pkt) ? bcnt : sizeof(ep0_pkt));
        } else {
            fifo_read(data_pkt, bcnt, sizeof(data_pkt));
            if (ep == USB_CDC_DATA_EP)
                data_len = (int16_t)(bcnt < sizeof(data_pkt) ? bcnt : sizeof(data_pkt));
        }
        break;
    default:
        break;  // transfer / setup stage complete, global NAK: nothing in the FIFO
    }
}

void stm32_usb_poll(void)
{
    uint32_t sts = GINTSTS;
    if (sts & USBRST) {
        GINTSTS = USBRST;
        bus_reset();
    }
    if (sts & ENUMDNE) {
        GINTSTS = ENUMDNE;
        DIEPCTL(0) &= ~3u;  // EP0 max packet 64 bytes
        DCTL |= 1u << 8;    // CGINAK
    }
    while (GINTSTS & RXFLVL)
        rx_pop();
    uint32_t daint = DAINT;
    if (daint & (1u << 16)) {
        uint32_t i = DOEPINT(0);
        DOEPINT(0) = i;
        if (i & (STUP | XFRC))
            ep0_out_arm();
        if (i & STUP)
            usb_cdc_setup(setup_pkt);
    }
    if (daint & (1u << (16 + USB_CDC_DATA_EP)))
        DOEPINT(USB_CDC_DATA_EP) = DOEPINT(USB_CDC_DATA_EP);  // re-armed when the class reads
    if (daint & 1u) {
        uint32_t i = DIEPINT(0);
        DIEPINT(0) = i;
        if (i & XFRC)
            usb_cdc_ep0_in_done();
    }
    if (daint & (1u << USB_CDC_DATA_EP))
        DIEPINT(USB_CDC_DATA_EP) = DIEPINT(USB_CDC_DATA_EP);
    usb_cdc_poll();
}

void stm32_usb_init(void)
{
    // PA11/PA12 to alternate function 10 (OTG_FS), very high speed.
    RCC_AHB1ENR |= 1u;
    volatile uint32_t *gpioa = (volatile uint32_t *)GPIO_BASE(0);
    gpioa[0] = (gpioa[0] & ~(0xfu << 22)) | (0xau << 22);  // MODER: alternate
    gpioa[2] |= 0xfu << 22;                                 // OSPEEDR: very high
    gpioa[9] = (gpioa[9] & ~(0xffu << 12)) | (0xaau << 12); // AFRH: AF10 on 11 and 12
    RCC_AHB2ENR |= 1u << 7;  // OTGFSEN
    (void)RCC_AHB2ENR;

    // Core: internal full-speed PHY, soft reset.
    wait_set(&GRSTCTL, AHBIDL);
    GUSBCFG |= 1u << 6;  // PHYSEL
    GRSTCTL |= CSRST;
    wait_clear(&GRSTCTL, CSRST);
    wait_set(&GRSTCTL, AHBIDL);
    // Boards rarely wire VBUS to PA9 (it is USART1 TX): run without VBUS sensing.
#if defined(STM32F446)
    GCCFG = 1u << 16;                     // PWRDWN off (transceiver on), VBDEN 0
    GOTGCTL |= (1u << 6) | (1u << 7);     // B-session valid override: enabled, valid
#else
    GCCFG = (1u << 16) | (1u << 21);      // PWRDWN off, NOVBUSSENS
#endif
    // Forced device mode, turnaround 6 (AHB above 32 MHz); the mode change takes up to 25 ms.
    GUSBCFG = (1u << 30) | (1u << 6) | (6u << 10);
    for (volatile uint32_t i = 0; i < CLOCK_HZ / 160; i++)
        ;
    PCGCCTL = 0;
    DCFG = 3;  // full speed on the internal PHY, address 0

    GRXFSIZ = RX_FIFO_WORDS;
    DIEPTXF0 = ((uint32_t)TX0_WORDS << 16) | RX_FIFO_WORDS;
    DIEPTXF(1) = ((uint32_t)TX1_WORDS << 16) | (RX_FIFO_WORDS + TX0_WORDS);
    DIEPTXF(2) = ((uint32_t)TX2_WORDS << 16) | (RX_FIFO_WORDS + TX0_WORDS + TX1_WORDS);
    flush_fifos();

    GINTSTS = 0xffffffff;
    // Status bits latch whatever the mask; the mask is set for a later interrupt-driven mode.
    GINTMSK = USBRST | ENUMDNE | RXFLVL | IEPINT | OEPINT;
    DCTL &= ~(1u << 1);  // SDIS off: the D+ pull-up tells the host a device is attached
}

// ---- the core's serial interface ----
// Waits at most 5 ms for the host to take packets when the ring is full, then drops the rest of
// the block: a host that stopped reading (port closed, cable half-out) must not stall the main
// loop (its commands, the watchdog-like max_duration refreshes). The host's retransmission
// recovers a dropped response. The ring and the FIFOs are touched with interrupts off: a timer
// that shuts down sends its "shutdown" from the timer interrupt (main.c), which must not land
// in the middle of a packet (the poll's FIFO accesses take a microsecond or two).
#define TX_WAIT_TICKS (CLOCK_HZ / 200)
void serial_send_block(const uint8_t *block, uint_fast8_t len)
{
    uint32_t start = timer_read_time();
    while (len && usb_cdc_configured()) {  // no host has opened the port: nobody to read it
        irqstatus_t flag = irq_save();
        uint_fast16_t n = usb_cdc_write(block, len);
        irq_restore(flag);
        block += n;
        len = (uint_fast8_t)(len - n);
        if (!len || timer_read_time() - start > TX_WAIT_TICKS)
            break;
        flag = irq_save();
        stm32_usb_poll();  // ring full: let the host take a packet
        irq_restore(flag);
    }
}
