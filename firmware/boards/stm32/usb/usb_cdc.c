// USB CDC-ACM class: the descriptors of a virtual serial port and the EP0 control requests a
// host sends to enumerate and open it, plus the bulk data path carrying the Klipper wire
// protocol (bytes in both directions, no framing of its own). No registers here: the driver
// behind usb_device.h moves the packets (see usb_otg_fs.c), so this file is unit tested on the
// host exactly as it runs on the chip. Facts from the USB 2.0 spec (chapter 9) and the USB CDC
// 1.2 / PSTN 1.2 class specs.
#include <string.h>
#include "usb_device.h"

#define USB_VID 0x1209  // pid.codes
#define USB_PID 0x0001  // pid.codes test PID: for testing only, never for shipped devices

// ---- descriptors ----
enum { DESC_DEVICE = 1, DESC_CONFIG = 2, DESC_STRING = 3, DESC_INTERFACE = 4, DESC_ENDPOINT = 5,
       DESC_CS_INTERFACE = 0x24 };
#define LE16(v) (uint8_t)((v) & 0xff), (uint8_t)((v) >> 8)

static const uint8_t device_desc[18] = {
    18, DESC_DEVICE, LE16(0x0200),  // USB 2.0 (full speed)
    0x02, 0x00, 0x00,               // class CDC at device level (interfaces say the rest)
    USB_EP0_SIZE, LE16(USB_VID), LE16(USB_PID), LE16(0x0100),
    1, 2, 3,                        // manufacturer, product, serial number strings
    1,                              // one configuration
};

#define CONFIG_TOTAL (9 + 9 + 5 + 5 + 4 + 5 + 7 + 9 + 7 + 7)
static const uint8_t config_desc[CONFIG_TOTAL] = {
    9, DESC_CONFIG, LE16(CONFIG_TOTAL), 2, 1, 0, 0xC0, 50,  // 2 interfaces, self-powered, 100 mA
    // interface 0: communication class, abstract control model, one notification endpoint
    9, DESC_INTERFACE, 0, 0, 1, 0x02, 0x02, 0x00, 0,
    5, DESC_CS_INTERFACE, 0x00, LE16(0x0110),  // header: CDC 1.10
    5, DESC_CS_INTERFACE, 0x01, 0x00, 1,       // call management: none, data interface 1
    4, DESC_CS_INTERFACE, 0x02, 0x02,          // ACM: line coding + control line state
    5, DESC_CS_INTERFACE, 0x06, 0, 1,          // union: master 0, slave 1
    7, DESC_ENDPOINT, 0x80 | USB_CDC_NOTIFY_EP, 0x03, LE16(USB_CDC_NOTIFY_SIZE), 255,
    // interface 1: data class, bulk OUT and IN
    9, DESC_INTERFACE, 1, 0, 2, 0x0A, 0x00, 0x00, 0,
    7, DESC_ENDPOINT, USB_CDC_DATA_EP, 0x02, LE16(USB_CDC_DATA_SIZE), 0,
    7, DESC_ENDPOINT, 0x80 | USB_CDC_DATA_EP, 0x02, LE16(USB_CDC_DATA_SIZE), 0,
};

static const uint8_t lang_desc[4] = {4, DESC_STRING, LE16(0x0409)};  // English (US)
static const char *const ascii_strings[] = {"Tether", "Tether"};    // manufacturer, product
static uint8_t string_buf[2 + 2 * 24];  // the longest string: the 24-digit serial number

// An ASCII string as a UTF-16LE string descriptor in string_buf.
static uint_fast16_t string_desc(const char *s)
{
    uint_fast16_t n = 0;
    for (; s[n] && n < 24; n++) {
        string_buf[2 + 2 * n] = (uint8_t)s[n];
        string_buf[3 + 2 * n] = 0;
    }
    string_buf[0] = (uint8_t)(2 + 2 * n);
    string_buf[1] = DESC_STRING;
    return string_buf[0];
}

static uint_fast16_t serial_desc(void)
{
    static const char hex[] = "0123456789ABCDEF";
    uint8_t id[12];
    char s[25];
    usbd_unique_id(id);
    for (int i = 0; i < 12; i++) {
        s[2 * i] = hex[id[i] >> 4];
        s[2 * i + 1] = hex[id[i] & 15];
    }
    s[24] = 0;
    return string_desc(s);
}

// ---- EP0 control transfers ----
enum { EP0_IDLE, EP0_IN_DATA, EP0_OUT_LINE_CODING };
static uint8_t ep0_state, ep0_zlp;
static const uint8_t *ep0_data;
static uint_fast16_t ep0_left;
static uint8_t configured, control_lines;
static uint8_t reply[8];  // short answers (status, configuration, line coding)
// Line coding: dwDTERate (LE), stop bits, parity, data bits. Nothing uses it (the data is not
// a UART); it is kept so GET_LINE_CODING returns what the host set, as hosts expect.
static uint8_t line_coding[7] = {LE16(250000 & 0xffff), LE16(250000 >> 16), 0, 0, 8};

static void ep0_send_next(void)
{
    uint_fast16_t n = ep0_left < USB_EP0_SIZE ? ep0_left : USB_EP0_SIZE;
    usbd_ep_write(0, ep0_data, n);
    ep0_data += n;
    ep0_left -= n;
}

// Start an IN data stage of min(len, wLength) bytes. A reply shorter than wLength that ends
// on a full packet needs a zero-length packet so the host sees its end.
static void ep0_reply(const uint8_t *data, uint_fast16_t len, uint_fast16_t w_length)
{
    if (len > w_length)
        len = w_length;
    ep0_data = data;
    ep0_left = len;
    ep0_zlp = len < w_length && len % USB_EP0_SIZE == 0;
    ep0_state = EP0_IN_DATA;
    ep0_send_next();
}

static void ep0_ack(void)
{
    ep0_state = EP0_IDLE;
    usbd_ep_write(0, 0, 0);  // status stage of a request without data (or after OUT data)
}

static void ep0_stall(void)
{
    ep0_state = EP0_IDLE;
    usbd_ep0_stall();
}

static void get_descriptor(uint8_t type, uint8_t index, uint_fast16_t w_length)
{
    if (type == DESC_DEVICE && index == 0)
        ep0_reply(device_desc, sizeof(device_desc), w_length);
    else if (type == DESC_CONFIG && index == 0)
        ep0_reply(config_desc, sizeof(config_desc), w_length);
    else if (type == DESC_STRING && index == 0)
        ep0_reply(lang_desc, sizeof(lang_desc), w_length);
    else if (type == DESC_STRING && index <= 2)
        ep0_reply(string_buf, string_desc(ascii_strings[index - 1]), w_length);
    else if (type == DESC_STRING && index == 3)
        ep0_reply(string_buf, serial_desc(), w_length);
    else
        ep0_stall();  // includes DEVICE_QUALIFIER: a full-speed-only device must refuse it
}

static void standard_request(uint8_t bm, uint8_t req, uint_fast16_t w_value, uint_fast16_t w_index,
                             uint_fast16_t w_length)
{
    uint8_t recipient = bm & 0x1f, in = bm & 0x80;
    switch (req) {
    case 6:  // GET_DESCRIPTOR
        if (in && recipient == 0) {
            get_descriptor((uint8_t)(w_value >> 8), (uint8_t)w_value, w_length);
            return;
        }
        break;
    case 5:  // SET_ADDRESS
        if (!in && recipient == 0 && w_value < 128) {
            usbd_set_address((uint8_t)w_value);
            ep0_ack();
            return;
        }
        break;
    case 9:  // SET_CONFIGURATION
        if (!in && recipient == 0 && w_value <= 1) {
            configured = (uint8_t)w_value;
            usbd_set_configured(configured);
            ep0_ack();
            return;
        }
        break;
    case 8:  // GET_CONFIGURATION
        if (in && recipient == 0) {
            reply[0] = configured;
            ep0_reply(reply, 1, w_length);
            return;
        }
        break;
    case 0:  // GET_STATUS: device self-powered, no remote wakeup; interfaces/endpoints 0
        if (in && recipient <= 2) {
            reply[0] = recipient == 0 ? 1 : 0;
            reply[1] = 0;
            ep0_reply(reply, 2, w_length);
            return;
        }
        break;
    case 10:  // GET_INTERFACE: only alternate setting 0 exists
        if (in && recipient == 1 && w_index < 2 && configured) {
            reply[0] = 0;
            ep0_reply(reply, 1, w_length);
            return;
        }
        break;
    case 11:  // SET_INTERFACE
        if (!in && recipient == 1 && w_index < 2 && w_value == 0 && configured) {
            ep0_ack();
            return;
        }
        break;
    case 1:  // CLEAR_FEATURE
    case 3:  // SET_FEATURE: endpoint halt is acknowledged; the data endpoints never halt
        if (!in && recipient == 2 && w_value == 0) {
            ep0_ack();
            return;
        }
        break;
    }
    ep0_stall();
}

static void class_request(uint8_t bm, uint8_t req, uint_fast16_t w_value, uint_fast16_t w_index,
                          uint_fast16_t w_length)
{
    if ((bm & 0x1f) != 1 || w_index != 0) {  // CDC requests go to the communication interface
        ep0_stall();
        return;
    }
    if (bm == 0x21 && req == 0x20 && w_length == sizeof(line_coding)) {  // SET_LINE_CODING
        ep0_state = EP0_OUT_LINE_CODING;  // the 7 bytes arrive in the data stage
        return;
    }
    if (bm == 0xA1 && req == 0x21) {  // GET_LINE_CODING
        ep0_reply(line_coding, sizeof(line_coding), w_length);
        return;
    }
    if (bm == 0x21 && req == 0x22 && w_length == 0) {  // SET_CONTROL_LINE_STATE: DTR bit 0, RTS bit 1
        control_lines = (uint8_t)(w_value & 3);
        ep0_ack();
        return;
    }
    if (bm == 0x21 && req == 0x23 && w_length == 0) {  // SEND_BREAK
        ep0_ack();
        return;
    }
    ep0_stall();
}

void usb_cdc_setup(const uint8_t setup[8])
{
    uint8_t bm = setup[0], req = setup[1];
    uint_fast16_t w_value = setup[2] | setup[3] << 8, w_index = setup[4] | setup[5] << 8;
    uint_fast16_t w_length = setup[6] | setup[7] << 8;
    ep0_state = EP0_IDLE;  // a SETUP ends whatever transfer was under way
    switch (bm & 0x60) {
    case 0x00:
        standard_request(bm, req, w_value, w_index, w_length);
        return;
    case 0x20:
        class_request(bm, req, w_value, w_index, w_length);
        return;
    default:  // vendor requests: none
        ep0_stall();
        return;
    }
}

void usb_cdc_ep0_out(const uint8_t *data, uint_fast16_t len)
{
    if (ep0_state != EP0_OUT_LINE_CODING)
        return;  // the host's status-stage ZLP after an IN data stage
    if (len != sizeof(line_coding)) {
        ep0_stall();
        return;
    }
    memcpy(line_coding, data, len);
    ep0_ack();
}

void usb_cdc_ep0_in_done(void)
{
    if (ep0_state != EP0_IN_DATA)
        return;
    if (ep0_left) {
        ep0_send_next();
    } else {
        if (ep0_zlp)
            usbd_ep_write(0, 0, 0);
        ep0_zlp = 0;
        ep0_state = EP0_IDLE;  // the host's OUT ZLP (status) follows
    }
}

// ---- bulk data: a transmit ring the core fills, drained one packet at a time ----
#define TX_RING 512
static uint8_t tx_ring[TX_RING];
static uint_fast16_t tx_head, tx_tail;  // head == tail: empty
static uint8_t tx_last_full;            // the last packet was full size: end it with a ZLP

void usb_cdc_reset(void)
{
    ep0_state = EP0_IDLE;
    ep0_left = 0;
    configured = 0;
    control_lines = 0;
    tx_head = tx_tail = 0;
    tx_last_full = 0;
}

int usb_cdc_configured(void) { return configured; }
uint8_t usb_cdc_control_lines(void) { return control_lines; }

uint_fast16_t usb_cdc_write(const uint8_t *data, uint_fast16_t len)
{
    uint_fast16_t n = 0;
    for (; n < len; n++) {
        uint_fast16_t next = (tx_head + 1) % TX_RING;
        if (next == tx_tail)
            break;
        tx_ring[tx_head] = data[n];
        tx_head = next;
    }
    return n;
}

void usb_cdc_poll(void)
{
    if (!configured)
        return;
    uint8_t pkt[USB_CDC_DATA_SIZE];
    int n = usbd_ep_read(USB_CDC_DATA_EP, pkt, sizeof(pkt));
    if (n > 0)
        usb_cdc_rx(pkt, (uint_fast16_t)n);

    uint_fast16_t len = 0;
    for (uint_fast16_t i = tx_tail; i != tx_head && len < USB_CDC_DATA_SIZE; i = (i + 1) % TX_RING)
        pkt[len++] = tx_ring[i];
    if (len) {
        if (usbd_ep_write(USB_CDC_DATA_EP, pkt, len) >= 0) {
            tx_tail = (tx_tail + len) % TX_RING;
            tx_last_full = len == USB_CDC_DATA_SIZE;
        }
    } else if (tx_last_full && usbd_ep_write(USB_CDC_DATA_EP, 0, 0) >= 0) {
        tx_last_full = 0;
    }
}
